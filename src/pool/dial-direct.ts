/**
 * Egress from the gateway host, optionally bound to a local source address.
 * The name is resolved here, every address is checked against the policy, and
 * only a checked address is dialled: nothing resolves the name a second time,
 * so a DNS answer cannot change between the check and the connection.
 */
import { lookup } from 'node:dns/promises';
import { isIP, type Socket } from 'node:net';
import { AppError } from '../errors/index.js';
import { SharedReader } from '../net/shared-read.js';
import type { ProxyTarget } from '../gateway/gateway.types.js';
import type { DialContext } from './dial-context.js';
import type { DirectEndpoint } from './node-url.js';
import { connectTcp } from './socket-io.js';
import type { TargetPolicy } from './target-policy.js';

/** Addresses of one name tried in turn before giving up. */
const MAX_ADDRESSES = 3;
/** Failures after which the next address of the name is worth a try. */
const NEXT_ADDRESS_ON = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ETIMEDOUT']);

export async function dialDirect(
  endpoint: DirectEndpoint,
  target: ProxyTarget,
  policy: TargetPolicy,
  ctx: DialContext,
  sharedRead = false,
): Promise<Socket> {
  const family = isIP(target.host);
  const resolved = family !== 0 ? [{ address: target.host, family }] : await lookup(target.host, { all: true });

  let refusal: string | undefined;
  const allowed = resolved.filter(({ address }) => {
    const reason = policy.check(address, target.port);
    refusal ??= reason;
    return reason === undefined;
  });
  if (allowed.length === 0) {
    throw new AppError('TG_ERR_PROXY_TARGET_BLOCKED', { params: { reason: refusal ?? `${target.host} has no address` } });
  }
  // A socket bound to a local address reaches only addresses of that address's family.
  const local = endpoint.localAddress;
  const reachable = local === undefined ? allowed : allowed.filter((a) => a.family === isIP(local));
  if (reachable.length === 0) throw new AppError('TG_ERR_UPSTREAM_UNREACHABLE');

  let lastError: unknown;
  for (const { address, family: addressFamily } of reachable.slice(0, MAX_ADDRESSES)) {
    try {
      const reader = sharedRead ? new SharedReader() : undefined;
      const socket = await connectTcp(
        {
          host: address,
          port: target.port,
          family: addressFamily,
          ...(local !== undefined ? { localAddress: local } : {}),
          ...(reader ? { onread: reader.onread } : {}),
        },
        ctx,
      );
      reader?.bind(socket);
      return socket;
    } catch (err) {
      lastError = err;
      if (!NEXT_ADDRESS_ON.has((err as { code?: string }).code ?? '')) break;
    }
  }
  throw lastError;
}
