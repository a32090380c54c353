/**
 * The static-IP entry's rules (product types 14 and 25): a sub-account exits
 * through one of its owner's valid static IPs — the one named by `-ip-<address>`
 * (which must be the owner's and valid), else one of them, the same one for
 * every connection naming the same session.
 */
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import { AppError } from '../errors/index.js';
import type { DialSignal, ExitConnection, ProxyTarget, RouteRequest } from './gateway.types.js';
import { authenticate, type Authorized, type EntryRules, type HandshakeDeps } from './handshake.js';

/** One static IP a user may exit through now. */
export interface StaticExit {
  readonly staticIpId: number;
  /** Canonical address, as `-ip-` names it. */
  readonly ip: string;
  readonly country: string;
}

export interface StaticExitLookup {
  /** The user's valid static IPs of the product type, in a stable order. */
  exitsFor(userId: number, productType: number): Promise<readonly StaticExit[]>;
  /** Dials `target` through the static IP's exit; errors as ExitPicker.connect. */
  dial(exit: StaticExit, target: ProxyTarget, signal: DialSignal, sharedRead: boolean): Promise<ExitConnection>;
}

export class StaticEntry implements EntryRules {
  constructor(
    private readonly lookup: StaticExitLookup,
    private readonly random: () => number = Math.random,
  ) {}

  allowsAnonymous(): boolean {
    return false;
  }

  async authorize(
    handshake: HandshakeDeps,
    _client: Socket,
    address: string,
    credentials: { username: string; password: string } | undefined,
  ): Promise<Authorized> {
    const authorized = await authenticate(handshake, address, credentials);
    const { state, city } = authorized.targeting;
    if (state !== undefined || city !== undefined) {
      throw new AppError('TG_ERR_PROXY_USERNAME_INVALID', {
        params: { reason: 'a static IP is chosen by ip, country or session: no state or city' },
      });
    }
    const userId = authorized.account.userId;
    return { ...authorized, connect: (route, target, signal) => this.#connect(userId, route, target, signal) };
  }

  async #connect(userId: number, route: RouteRequest, target: ProxyTarget, signal: DialSignal): Promise<ExitConnection> {
    const exits = await this.lookup.exitsFor(userId, route.productType);
    let chosen: StaticExit | undefined;
    if (route.ip !== undefined) {
      chosen = exits.find((e) => e.ip === route.ip);
      if (!chosen) throw new AppError('TG_ERR_PROXY_STATIC_IP_INVALID', { params: { ip: route.ip } });
    } else {
      const candidates = route.country === undefined ? exits : exits.filter((e) => e.country === route.country);
      if (candidates.length === 0) throw new AppError('TG_ERR_PROXY_NO_STATIC_IP');
      // A session keeps its static IP while the user's set of IPs stays the same: a hash, no table to expire.
      const index =
        route.session === undefined
          ? Math.floor(this.random() * candidates.length)
          : createHash('sha1').update(`${route.accountId}:${route.session}`).digest().readUInt32BE(0) % candidates.length;
      chosen = candidates[index];
    }
    if (!chosen) throw new AppError('TG_ERR_PROXY_NO_STATIC_IP');
    return this.lookup.dial(chosen, target, signal, route.sharedRead === true);
  }
}
