/**
 * How the gateway says no. HTTP: the catalogue's status, a Proxy-Status header
 * (RFC 9209 §2) naming the error type and our stable code, and a short text
 * body. SOCKS5: the catalogue's reply code. Only catalogued errors reach
 * clients; anything else is logged by the caller and answered as an exit failure.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { AppError, ERRORS } from '../errors/index.js';

/** The refusal for any failure: AppErrors as they are, anything else as a generic exit failure (502). */
export function asRefusal(err: unknown): AppError {
  return err instanceof AppError ? err : new AppError('TG_ERR_UPSTREAM_FAILED', { params: { reason: 'internal error' } });
}

export interface RefusalParts {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export function refusalParts(err: AppError): RefusalParts {
  const def = ERRORS[err.key] as { proxyStatus?: string };
  const body = `${err.code} ${err.key}: ${err.message}\n`;
  // Quotes and backslashes are escaped inside an sf-string (RFC 8941 §3.3.3); the header stays ASCII.
  const details = `${err.key}: ${err.message}`.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7e]/g, '?');
  const headers: Record<string, string> = {
    'Proxy-Status': `tollgate; error=${def.proxyStatus ?? 'proxy_internal_error'}; details="${details}"`,
    'X-Tollgate-Error': String(err.code),
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
  };
  if (err.httpStatus === 407) headers['Proxy-Authenticate'] = 'Basic realm="tollgate"';
  return { status: err.httpStatus, headers, body };
}

/** The whole refusal as raw HTTP/1.1, for sockets no longer managed by the HTTP parser. */
export function httpRefusal(err: AppError): string {
  const { status, headers, body } = refusalParts(err);
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

export function socksReplyCode(err: AppError): number {
  return (ERRORS[err.key] as { socksReply?: number }).socksReply ?? 0x01;
}

/**
 * Sends a last message and closes. end() lets the message out; the destroy
 * after a grace period makes sure a peer that never reads nor closes cannot
 * hold the socket open.
 */
export function endWith(socket: Socket, message: string | Buffer, graceMs = 1000): void {
  if (socket.destroyed) return;
  if (!socket.writable) return void socket.destroy();
  socket.end(message);
  setTimeout(() => socket.destroy(), graceMs).unref();
}
