/**
 * How a failed dial reaches the client: the one table from errno codes (and
 * SOCKS5 reply codes) to catalogued errors. Match on `code`, never on message
 * text. Also marks which failures are the exit's own fault, so passive health
 * counts a broken exit and not a customer dialling closed ports.
 */
import { AppError, type ErrorKey } from '../errors/index.js';

/** errno `code` → error; anything not listed is TG_ERR_UPSTREAM_FAILED naming the code. */
export const ERRNO_ERRORS: Readonly<Record<string, ErrorKey>> = {
  ECONNREFUSED: 'TG_ERR_UPSTREAM_CONNECT_REFUSED',
  ETIMEDOUT: 'TG_ERR_UPSTREAM_TIMEOUT',
  ENOTFOUND: 'TG_ERR_UPSTREAM_DNS_FAILED',
  EAI_AGAIN: 'TG_ERR_UPSTREAM_DNS_FAILED',
  EAI_FAIL: 'TG_ERR_UPSTREAM_DNS_FAILED',
  ENODATA: 'TG_ERR_UPSTREAM_DNS_FAILED',
  EHOSTUNREACH: 'TG_ERR_UPSTREAM_UNREACHABLE',
  ENETUNREACH: 'TG_ERR_UPSTREAM_UNREACHABLE',
  EHOSTDOWN: 'TG_ERR_UPSTREAM_UNREACHABLE',
  ENETDOWN: 'TG_ERR_UPSTREAM_UNREACHABLE',
};

/** SOCKS5 reply field (RFC 1928 §6) → error, for replies other than 0x00 succeeded. */
export const SOCKS5_REPLY_ERRORS: Readonly<Record<number, ErrorKey>> = {
  0x03: 'TG_ERR_UPSTREAM_UNREACHABLE', // network unreachable
  0x04: 'TG_ERR_UPSTREAM_UNREACHABLE', // host unreachable
  0x05: 'TG_ERR_UPSTREAM_CONNECT_REFUSED', // connection refused
  0x06: 'TG_ERR_UPSTREAM_TIMEOUT', // TTL expired
};

/** errno codes meaning the exit itself cannot work: its local address cannot be bound. */
const EXIT_ERRNO = new Set(['EADDRNOTAVAIL', 'EADDRINUSE', 'EINVAL']);

const exitFaults = new WeakSet<AppError>();

/** Any dial failure as a catalogued error; AppErrors pass through unchanged. */
export function upstreamError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const code = errnoCode(err);
  const key = code === undefined ? undefined : ERRNO_ERRORS[code];
  if (key !== undefined) return new AppError(key);
  return new AppError('TG_ERR_UPSTREAM_FAILED', { params: { reason: code ?? 'connection failed' } });
}

/** The error for a SOCKS5 reply code other than 0x00. */
export function socks5ReplyError(reply: number): AppError {
  const key = SOCKS5_REPLY_ERRORS[reply];
  if (key !== undefined) return new AppError(key);
  return new AppError('TG_ERR_UPSTREAM_FAILED', {
    params: { reason: `SOCKS5 upstream replied 0x${reply.toString(16).padStart(2, '0')}` },
  });
}

/** Marks `err` as the exit's own fault (unreachable upstream, credentials refused, address not bindable). */
export function asExitFault<T extends AppError>(err: T): T {
  exitFaults.add(err);
  return err;
}

/** True when a dial failed because of the exit rather than the target. */
export function isExitFault(err: unknown): boolean {
  return err instanceof AppError && exitFaults.has(err);
}

/** True for errno codes that mean the exit's local address is unusable. */
export function isExitErrno(err: unknown): boolean {
  const code = errnoCode(err);
  return code !== undefined && EXIT_ERRNO.has(code);
}

function errnoCode(err: unknown): string | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}
