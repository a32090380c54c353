/**
 * CONNECT requests read by hand, without Node's HTTP server. Handing a socket to http.Server costs a parser,
 * a dozen listeners and connection tracking that a tunnel drops again at once; on the bench that was a tenth
 * of the proxy's CPU per short CONNECT connection. Only the plain case is taken here: a request that starts
 * with "CONNECT ", whose head our strict parser (parsers/http-head.ts, stricter than llhttp) reads whole, with
 * no message-body framing. Everything else (other methods, a malformed or oversized head, Content-Length or
 * Transfer-Encoding on a CONNECT) goes to http.Server with every byte read so far, so its answers stay llhttp's.
 */
import type { Socket } from 'node:net';
import type { GatewayContext } from './context.js';
import { tunnel } from './http-proxy.js';
import { headerValue, parseRequestHead } from './parsers/http-head.js';

const PREFIX = Buffer.from('CONNECT ', 'latin1');

/** Whether the first bytes of a connection are the start of a CONNECT request line. */
export function startsConnect(first: Buffer): boolean {
  return first.length >= PREFIX.length && first.compare(PREFIX, 0, PREFIX.length, 0, PREFIX.length) === 0;
}

/**
 * Reads the CONNECT head of a paused socket whose first chunk `first` passed `startsConnect`, then tunnels.
 * `fallback(buffered)` must hand the socket, with `buffered` put back in front, to the HTTP server.
 */
export function readConnectHead(ctx: GatewayContext, socket: Socket, first: Buffer, fallback: (buffered: Buffer) => void): void {
  let buffered = first;
  const tryParse = (): boolean => {
    const head = parseRequestHead(buffered, ctx.config.maxHeaderBytes);
    if ('need' in head) return false;
    if (
      'error' in head ||
      head.method !== 'CONNECT' ||
      headerValue(head.headers, 'content-length') !== undefined ||
      headerValue(head.headers, 'transfer-encoding') !== undefined
    ) {
      fallback(buffered);
      return true;
    }
    const authorization = headerValue(head.headers, 'proxy-authorization');
    tunnel(ctx, socket, head.target, authorization, buffered.subarray(head.headLength)).catch((err) =>
      ctx.logger.error({ err }, 'CONNECT failed'),
    );
    return true;
  };
  if (tryParse()) return;
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    socket.pause();
    if (tryParse()) socket.off('data', onData);
    else socket.resume();
  };
  socket.on('data', onData);
  socket.resume();
}
