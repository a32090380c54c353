/**
 * Connecting to a target through one exit node, whatever its kind.
 *
 * Policy: a direct exit checks every address the target name resolves to and
 * dials only a checked one. Upstream exits (http, socks5) pass names on for the
 * upstream to resolve on its own network, so only IP-literal targets and the
 * port are checked here.
 */
import { isIP, type Socket } from 'node:net';
import { AppError } from '../errors/index.js';
import type { DialSignal, ProxyTarget } from '../gateway/gateway.types.js';
import { runDial } from './dial-context.js';
import { dialDirect } from './dial-direct.js';
import { dialHttp } from './dial-http.js';
import { dialSocks5 } from './dial-socks5.js';
import type { NodeEndpoint } from './node-url.js';
import type { TargetPolicy } from './target-policy.js';

export interface DialOptions {
  readonly signal?: DialSignal | undefined;
  /** For the whole attempt: DNS, connection, upstream handshake. */
  readonly timeoutMs: number;
  readonly policy: TargetPolicy;
  /** Direct exits: read into shared buffers (net/shared-read.ts); the caller takes bytes from the shared reader. */
  readonly sharedRead?: boolean | undefined;
}

// RFC 1123 §2.1 labels; underscores are tolerated, as resolvers do.
const HOST_NAME = /^(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\.?$/;

/** Why `target` cannot be dialled at all (not a host name or IP, bad port), or undefined. */
export function targetProblem(target: ProxyTarget): string | undefined {
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) return `port ${target.port} is not 1-65535`;
  if (isIP(target.host) === 0 && !HOST_NAME.test(target.host)) return 'not a valid host name';
  return undefined;
}

/**
 * Connects to `target` through the exit `endpoint`. Resolves with a socket connected end to end, from which
 * nothing has been read; the caller must attach its 'error' listener at once. Rejects with an AppError:
 * TG_ERR_PROXY_TARGET_BLOCKED, TG_ERR_UPSTREAM_* (see errno.ts; `isExitFault` tells whether the exit itself
 * failed), or, when `signal` aborts, with the signal's reason; every socket opened is then destroyed.
 */
export async function dial(endpoint: NodeEndpoint, target: ProxyTarget, options: DialOptions): Promise<Socket> {
  // The port first, before any DNS; a direct exit checks the addresses once it has resolved them.
  const refusal =
    targetProblem(target) ??
    (endpoint.kind === 'direct' ? options.policy.checkPort(target.port) : options.policy.checkTarget(target.host, target.port));
  if (refusal !== undefined) throw new AppError('TG_ERR_PROXY_TARGET_BLOCKED', { params: { reason: refusal } });
  const run = { signal: options.signal, timeoutMs: options.timeoutMs, viaUpstream: endpoint.kind !== 'direct' };
  switch (endpoint.kind) {
    case 'direct':
      return runDial(run, (ctx) => dialDirect(endpoint, target, options.policy, ctx, options.sharedRead === true));
    case 'http':
      return runDial(run, (ctx) => dialHttp(endpoint, target, ctx));
    case 'socks5':
      return runDial(run, (ctx) => dialSocks5(endpoint, target, ctx));
  }
}
