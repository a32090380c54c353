/**
 * The gateway's view of extraction: which port is leased to whom, through which
 * exit, until when; and which client addresses are whitelisted by whom. Loaded
 * at start, kept true by the change feed ('extract_lease' per port, 'white_ip'
 * per user) and by a sweep that ends expired leases, so a lease that ends or an
 * address that is removed closes its tunnels within a second.
 */
import type { Kysely } from 'kysely';
import { canonicalIp } from '../net/ip-address.js';
import type { Database } from '../storage/index.js';

export interface Lease {
  readonly port: number;
  readonly userId: number;
  readonly nodeId: number;
  /** As exit nodes store them: country upper case, state and city lower case; '' when not asked for. */
  readonly country: string;
  readonly state: string;
  readonly city: string;
  readonly expiresAt: number;
}

/** Whitelisted addresses, as WhiteIpsService reads them. */
export interface WhiteIpSource {
  all(): Promise<{ ip: string; userId: number }[]>;
  allByUser(userId: number): Promise<string[]>;
  ownerOf(ip: string): Promise<number | undefined>;
}

/** A port or address re-read from the database before a refusal is not re-read again for this long. */
const RECHECK_MS = 1_000;

/** Closes the tunnels admitted on the extraction ports (the extraction entry's admissions). */
export interface LeaseCloser {
  /** Closes every client admitted on `port`; returns how many. */
  closePort(port: number): number;
  /** Closes the clients admitted without credentials from `ip` (canonical) for `userId`; returns how many. */
  closeAddress(ip: string, userId: number): number;
}

export interface LeaseBookOptions {
  readonly ports: { readonly from: number; readonly to: number };
  readonly now?: () => number;
}

export class LeaseBook {
  readonly #leases = new Map<number, Lease>();
  /** Canonical address → owner. */
  readonly #owners = new Map<string, number>();
  readonly #byUser = new Map<number, Set<string>>();
  readonly #now: () => number;
  readonly #ports: { readonly from: number; readonly to: number };
  /** When a port ('p…') or address ('a…') was last re-read before a refusal. */
  readonly #rechecked = new Map<string, number>();
  /**
   * @param closer closes the tunnels of a lease that ended (expired, or the port leased anew) and of an address
   *   no longer whitelisted (those it opened without credentials).
   */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly whiteIps: WhiteIpSource,
    private readonly closer: LeaseCloser,
    options: LeaseBookOptions,
  ) {
    this.#now = options.now ?? Date.now;
    this.#ports = options.ports;
  }

  async load(): Promise<void> {
    const rows = await this.db
      .selectFrom('extract_leases')
      .selectAll()
      .where('expires_at', '>', this.#now())
      .where('port', '>=', this.#ports.from)
      .where('port', '<=', this.#ports.to)
      .execute();
    for (const row of rows) this.#leases.set(row.port, toLease(row));
    for (const { ip, userId } of await this.whiteIps.all()) this.#own(ip, userId);
  }

  /** The valid lease on `port`, if any. */
  lease(port: number): Lease | undefined {
    const lease = this.#leases.get(port);
    if (lease === undefined) return undefined;
    if (lease.expiresAt > this.#now()) return lease;
    this.#end(port);
    return undefined;
  }

  /** The user who whitelisted this client address (any textual form, `::ffff:` included). */
  ownerOf(address: string): number | undefined {
    const ip = canonicalIp(address);
    return ip === undefined ? undefined : this.#owners.get(ip);
  }

  canonical(address: string): string | undefined {
    return canonicalIp(address);
  }

  /**
   * Re-reads from the database a lease this book does not know on `port`, and the owner of `address` when it is
   * not the lessee's: what another process (the API) committed may not have reached the change feed yet. Called
   * before refusing, so such a client is let in rather than refused. Each port and address is re-read at most once
   * a second, so refusals cannot be turned into a flood of queries.
   */
  async recheck(port: number, address: string | undefined): Promise<void> {
    const now = this.#now();
    if (this.#rechecked.size > 10_000) this.#rechecked.clear();
    const due = (key: string): boolean => {
      const last = this.#rechecked.get(key);
      if (last !== undefined && now - last < RECHECK_MS) return false;
      this.#rechecked.set(key, now);
      return true;
    };
    if (this.lease(port) === undefined && due(`p${port}`)) {
      await this.apply([{ entity: 'extract_lease', entityId: port }]);
    }
    const lease = this.lease(port);
    const ip = address === undefined ? undefined : canonicalIp(address);
    if (lease !== undefined && ip !== undefined && this.#owners.get(ip) !== lease.userId && due(`a${ip}`)) {
      const owner = await this.whiteIps.ownerOf(ip);
      // Only additions are taken here; a removal closes tunnels and comes through the feed.
      if (owner !== undefined) this.#own(ip, owner);
    }
  }

  /** Ends expired leases (called every second). */
  sweep(): void {
    const now = this.#now();
    for (const [port, lease] of this.#leases) if (lease.expiresAt <= now) this.#end(port);
  }

  /** Applies feed changes: re-reads the named ports' leases and the named users' addresses. */
  async apply(changes: readonly { entity: string; entityId: number }[]): Promise<void> {
    const ports = new Set<number>();
    const users = new Set<number>();
    for (const c of changes) {
      if (c.entity === 'extract_lease') ports.add(c.entityId);
      else if (c.entity === 'white_ip') users.add(c.entityId);
    }
    if (ports.size > 0) {
      const ids = [...ports];
      const rows = new Map<number, Lease>();
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = await this.db
          .selectFrom('extract_leases')
          .selectAll()
          .where('port', 'in', ids.slice(i, i + 500))
          .execute();
        for (const row of chunk) rows.set(row.port, toLease(row));
      }
      for (const port of ids) {
        const fresh = rows.get(port);
        const old = this.#leases.get(port);
        const same = old !== undefined && fresh !== undefined && old.userId === fresh.userId && old.nodeId === fresh.nodeId;
        if (old !== undefined && !same) this.#end(port);
        if (fresh !== undefined && fresh.expiresAt > this.#now()) this.#leases.set(port, fresh);
      }
    }
    for (const userId of users) {
      const now = new Set(await this.whiteIps.allByUser(userId));
      for (const ip of [...(this.#byUser.get(userId) ?? [])]) {
        if (now.has(ip)) continue;
        this.#disown(ip, userId);
        this.closer.closeAddress(ip, userId);
      }
      for (const ip of now) this.#own(ip, userId);
    }
  }

  #end(port: number): void {
    this.#leases.delete(port);
    this.closer.closePort(port);
  }

  #own(ip: string, userId: number): void {
    const previous = this.#owners.get(ip);
    if (previous !== undefined && previous !== userId) this.#disown(ip, previous);
    this.#owners.set(ip, userId);
    let set = this.#byUser.get(userId);
    if (!set) this.#byUser.set(userId, (set = new Set()));
    set.add(ip);
  }

  #disown(ip: string, userId: number): void {
    if (this.#owners.get(ip) === userId) this.#owners.delete(ip);
    const set = this.#byUser.get(userId);
    set?.delete(ip);
    if (set?.size === 0) this.#byUser.delete(userId);
  }
}

function toLease(row: {
  port: number;
  user_id: number;
  node_id: number;
  country: string;
  state: string;
  city: string;
  expires_at: number;
}): Lease {
  return {
    port: row.port,
    userId: Number(row.user_id),
    nodeId: Number(row.node_id),
    country: row.country,
    state: row.state,
    city: row.city,
    expiresAt: Number(row.expires_at),
  };
}
