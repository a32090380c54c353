/**
 * Chaining through an upstream HTTP proxy with CONNECT (RFC 9110 §9.3.6).
 */
import type { Socket } from 'node:net';
import { AppError } from '../errors/index.js';
import type { ProxyTarget } from '../gateway/gateway.types.js';
import type { DialContext } from './dial-context.js';
import { asExitFault } from './errno.js';
import { formatHostPort, type UpstreamEndpoint } from './node-url.js';
import { connectTcp, readMessage } from './socket-io.js';

/** Longest response head accepted from an upstream. */
export const MAX_RESPONSE_HEAD = 16_384;

/** The CONNECT request: authority-form target (RFC 9112 §3.2.3), Basic credentials (RFC 7617) when the node has some. */
export function connectRequest(target: ProxyTarget, username?: string, password?: string): string {
  const authority = formatHostPort(target.host, target.port);
  const lines = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`];
  if (username !== undefined) {
    lines.push(`Proxy-Authorization: Basic ${Buffer.from(`${username}:${password ?? ''}`, 'utf8').toString('base64')}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Length of the response head including its empty line, or undefined while incomplete. Bare LF accepted (RFC 9112 §2.2). */
export function responseHeadLength(buffered: Buffer): number | undefined {
  for (let i = buffered.indexOf(0x0a); i >= 0; i = buffered.indexOf(0x0a, i + 1)) {
    if (buffered[i + 1] === 0x0a) return i + 2;
    if (buffered[i + 1] === 0x0d && buffered[i + 2] === 0x0a) return i + 3;
  }
  return undefined;
}

/** The status code of a response head's status line (RFC 9112 §4), or undefined when it is not HTTP/1.x. */
export function parseStatusLine(head: string): number | undefined {
  const match = /^HTTP\/1\.[01] ([1-5]\d\d)(?:[ \r\n]|$)/.exec(head);
  return match ? Number(match[1]) : undefined;
}

export async function dialHttp(endpoint: UpstreamEndpoint, target: ProxyTarget, ctx: DialContext): Promise<Socket> {
  const socket = await connectTcp({ host: endpoint.host, port: endpoint.port }, ctx);
  ctx.reachedExit();
  socket.write(connectRequest(target, endpoint.username, endpoint.password));
  const head = await readMessage(socket, responseHeadLength, MAX_RESPONSE_HEAD, 'CONNECT response');
  const status = parseStatusLine(head.toString('latin1'));
  if (status === undefined) {
    throw new AppError('TG_ERR_UPSTREAM_FAILED', {
      params: { reason: 'the upstream proxy answered something other than HTTP/1.x' },
    });
  }
  // Any 2xx to CONNECT means the tunnel is open (RFC 9110 §9.3.6).
  if (status >= 200 && status < 300) return socket;
  const error = new AppError('TG_ERR_UPSTREAM_FAILED', { params: { reason: `the upstream proxy answered ${status}` } });
  // 407: our credentials for the upstream are wrong; that is the exit's fault, not the target's.
  throw status === 407 ? asExitFault(error) : error;
}
