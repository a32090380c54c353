/**
 * The gateway's view of static IPs: per user and product type, the static IPs
 * the user may exit through now, read on first use and kept true by the change
 * feed ('static_ip' rows, one per IP touched) and by a sweep that ends expired
 * allocations. When an IP stops being a user's (expired, released, in
 * maintenance, removed, given to someone else) the tunnels through it are
 * closed through the ExitCloser given to the constructor.
 */
import type { DialSignal, ExitConnection, ProxyTarget, StaticExit, StaticExitLookup } from '../gateway/index.js';
import { dial, type NodeEndpoint, parseNodeUrl, type TargetPolicy } from '../pool/index.js';
import type { StaticIpHolder, ValidExit } from './static-ips.types.js';

export interface StaticExitSource {
  validExitsFor(userId: number, productType: number, now?: number): Promise<ValidExit[]>;
  holderOf(staticIpId: number, now?: number): Promise<StaticIpHolder | undefined>;
}

interface BookedExit extends StaticExit {
  readonly endpoint: NodeEndpoint;
  readonly expiresAt: number;
}

/** Closes the connections going out through an exit: the gateway's connection registry. */
export interface ExitCloser {
  /** Closes every connection whose exit is `exitNodeId` (staticExitNodeId for a static IP); returns how many. */
  closeExit(exitNodeId: number): number;
}

export interface StaticExitBookOptions {
  readonly policy: TargetPolicy;
  readonly connectTimeoutMs: number;
  readonly now?: () => number;
}

/** Static-IP exits are told apart from pool nodes in ExitConnection.nodeId by their sign. */
export function staticExitNodeId(staticIpId: number): number {
  return -staticIpId;
}

export class StaticExitBook implements StaticExitLookup {
  readonly #byUser = new Map<string, Promise<BookedExit[]>>();
  readonly #now: () => number;
  constructor(
    private readonly source: StaticExitSource,
    private readonly closer: ExitCloser,
    private readonly options: StaticExitBookOptions,
  ) {
    this.#now = options.now ?? Date.now;
  }

  async exitsFor(userId: number, productType: number): Promise<readonly StaticExit[]> {
    const k = `${userId}:${productType}`;
    let loading = this.#byUser.get(k);
    if (!loading) {
      loading = this.#load(userId, productType);
      this.#byUser.set(k, loading);
      loading.catch(() => this.#byUser.delete(k));
    }
    const now = this.#now();
    return (await loading).filter((e) => e.expiresAt > now);
  }

  /** Closes every tunnel through this static IP. */
  #endExit(staticIpId: number): void {
    this.closer.closeExit(staticExitNodeId(staticIpId));
  }

  async dial(exit: StaticExit, target: ProxyTarget, signal: DialSignal, sharedRead: boolean): Promise<ExitConnection> {
    const socket = await dial((exit as BookedExit).endpoint, target, {
      signal,
      timeoutMs: this.options.connectTimeoutMs,
      policy: this.options.policy,
      sharedRead,
    });
    return { socket, nodeId: staticExitNodeId(exit.staticIpId) };
  }

  /** Applies 'static_ip' changes: forgets every cached list holding a changed IP and ends its tunnels. */
  async apply(changes: readonly { entity: string; entityId: number }[]): Promise<void> {
    const ids = new Set(changes.filter((c) => c.entity === 'static_ip').map((c) => c.entityId));
    if (ids.size === 0) return;
    for (const [k, loading] of [...this.#byUser]) {
      const exits = await loading.catch(() => []);
      if (exits.some((e) => ids.has(e.staticIpId))) this.#byUser.delete(k);
    }
    for (const id of ids) {
      const holder = await this.source.holderOf(id, this.#now());
      // A new holder's cached list (if any) lacks the IP: read it again on next use.
      if (holder) this.#byUser.delete(`${holder.userId}:${holder.productType}`);
      // Tunnels through an IP that changed hands, ended or went into maintenance are closed; a renewal keeps them.
      const keep = holder !== undefined && this.#held.get(id) === holder.userId;
      if (holder) this.#held.set(id, holder.userId);
      else this.#held.delete(id);
      if (!keep) this.#endExit(id);
    }
  }

  /** Ends allocations that expired since the last sweep (called every second). */
  sweep(): void {
    const now = this.#now();
    for (const [k, loading] of [...this.#byUser]) {
      void loading.then(
        (exits) => {
          const ended = exits.filter((e) => e.expiresAt <= now);
          if (ended.length === 0) return;
          if (this.#byUser.get(k) === loading) this.#byUser.delete(k);
          for (const e of ended) this.#endExit(e.staticIpId);
        },
        () => {},
      );
    }
  }

  /** staticIpId → the user it was last booked for (to tell a renewal from a hand-over). */
  readonly #held = new Map<number, number>();

  async #load(userId: number, productType: number): Promise<BookedExit[]> {
    const exits = await this.source.validExitsFor(userId, productType, this.#now());
    const booked: BookedExit[] = [];
    for (const e of exits) {
      const parsed = parseNodeUrl(e.url);
      if (!parsed.ok) continue;
      this.#held.set(e.staticIpId, userId);
      booked.push({ staticIpId: e.staticIpId, ip: e.ip, country: e.country, endpoint: parsed.endpoint, expiresAt: e.expiresAt });
    }
    return booked;
  }
}
