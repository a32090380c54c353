/**
 * One dial attempt's bookkeeping: its deadline, its abort signal, the sockets
 * it opened (destroyed if it fails), and whether it has reached the exit yet,
 * which decides whose fault a failure is.
 */
import type { Socket } from 'node:net';
import { AppError } from '../errors/index.js';
import type { DialSignal } from '../gateway/gateway.types.js';
import { asExitFault, isExitErrno, upstreamError } from './errno.js';

export interface DialContext {
  /** Registers a socket of this attempt; it is destroyed when the attempt fails (at once if it already has). */
  track<S extends Socket>(socket: S): S;
  /** Called once the exit has answered: failures after this are the target's. */
  reachedExit(): void;
}

export interface RunDialOptions {
  readonly signal?: DialSignal | undefined;
  readonly timeoutMs: number;
  /** True when the attempt starts by reaching an upstream proxy (failures then are the exit's until `reachedExit`). */
  readonly viaUpstream: boolean;
}

// Each helper has its own error listener while it waits; this one covers the moments between helpers.
const ignore = (): void => {};

/**
 * Runs `body` under a deadline and an abort signal. Failures become catalogued errors
 * (errno.ts), marked as the exit's fault when they happen before the exit answered.
 * An abort rejects with the signal's reason. On success the socket is returned with
 * no listener of ours left on it.
 */
export function runDial(options: RunDialOptions, body: (ctx: DialContext) => Promise<Socket>): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const sockets: Socket[] = [];
    let reached = !options.viaUpstream;
    let settled = false;

    const classify = (err: unknown): AppError => {
      const error = upstreamError(err);
      const refusal = error.key === 'TG_ERR_PROXY_TARGET_BLOCKED';
      return !refusal && (!reached || isExitErrno(err)) ? asExitFault(error) : error;
    };
    const settle = (err: unknown, socket?: Socket): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      for (const s of sockets) {
        if (s === socket && err === undefined) s.off('error', ignore);
        else s.destroy();
      }
      if (err === undefined && socket) resolve(socket);
      else reject(err);
    };
    const onAbort = (): void => settle(options.signal?.reason ?? new Error('aborted'));

    const timer = setTimeout(() => settle(classify(new AppError('TG_ERR_UPSTREAM_TIMEOUT'))), options.timeoutMs);
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const ctx: DialContext = {
      track(socket) {
        socket.on('error', ignore);
        sockets.push(socket);
        if (settled) socket.destroy();
        return socket;
      },
      reachedExit() {
        reached = true;
      },
    };
    body(ctx).then(
      (socket) => settle(undefined, socket),
      (err: unknown) => settle(classify(err)),
    );
  });
}
