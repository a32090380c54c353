/**
 * The gateway's live view of one sub-account. Connections hold a reference and
 * charge it per chunk: `charge()` adds to an integer and compares, nothing more,
 * so counting costs nothing on the hot path. The meter flushes `used - flushed`.
 *
 * Enforcement fails closed: `charge()` answers false once the account or its owner's packages are used up, and
 * the relay cuts the connection that counted the byte; the account's other connections are closed through the
 * ConnectionCloser given to the constructor (there is no default to forget to replace).
 */
import { AppError } from '../errors/index.js';
import type { PackageQuota } from './package-quota.js';
import type { ConnectionCloser, SharedTunnels } from './usage.types.js';

/** A user's tunnel caps, one object shared by all the user's states, so an operator's change reaches them all. */
export interface TunnelShare {
  perUser: number;
  perAccount: number;
}

export class AccountState {
  /** Billed bytes so far: the stored total plus everything relayed since. */
  used: number;
  /** The part of `used` already written to the database. */
  flushed: number;
  /** Bytes the account may use in all; Infinity when unlimited. */
  limit: number;
  /** Set when the account stops being usable (disabled, deleted, new password, user disabled). */
  revoked = false;
  /** Bytes the account may use per local day (its `daily_limit`); Infinity when none. */
  dailyLimit = Number.POSITIVE_INFINITY;
  /** Bytes billed in the current local day: what was flushed in the day when loaded, plus everything since. */
  dayUsed = 0;
  /** With other gateways: the part of `dayUsed` already in the day's shared total (the rest is this gateway's). */
  daySent = 0;
  /** With other gateways: a report of this account's day to the shared total is on its way. */
  dayReporting = false;
  /** When the current local day ends (the directory rolls `dayUsed` over then); Infinity while no daily limit. */
  dayEndsAt = Number.POSITIVE_INFINITY;
  /** Whether the account may use SOCKS5 UDP ASSOCIATE. */
  udp = false;
  /**
   * With other gateways (cluster/): the lease of the account's own `limit` (slices of what is left of it across the
   * gateways), charged per chunk like the packages' quota; undefined: `used` against `limit` alone decides.
   */
  limitLease: PackageQuota | undefined;
  /** Tunnels admitted while the shared store was unreachable (counted by this gateway alone). */
  #localTunnels = 0;

  /**
   * @param quota the owner's packages of this product type, when the type is limited by packages (traffic:
   *   bytes left; time: validity, concurrency and bandwidth); shared by every account of the owner and type.
   */
  constructor(
    readonly accountId: number,
    readonly userId: number,
    readonly username: string,
    readonly productType: number,
    /** The sealed password this state was authenticated against. */
    public passwordEnc: string,
    used: number,
    limitGb: number,
    private readonly closer: ConnectionCloser,
    readonly quota: PackageQuota | undefined,
    /** The owner's tunnel caps. */
    readonly share: TunnelShare,
    /** The caps counted across gateways too (cluster/); undefined: this gateway's counts alone. */
    private readonly tunnels?: SharedTunnels,
  ) {
    this.used = used;
    this.flushed = used;
    this.limit = limitFromGb(limitGb);
  }

  get maxTunnels(): number {
    return this.share.perAccount;
  }

  get maxUserTunnels(): number {
    return this.share.perUser;
  }

  /** The account's own limit is reached. */
  get exhausted(): boolean {
    return this.used >= this.limit || this.limitLease?.exhausted === true;
  }

  /** The account's daily limit is reached for the current local day. */
  get dailyExhausted(): boolean {
    return this.dayUsed >= this.dailyLimit;
  }

  /**
   * What pauses the account's readers: the bandwidth shaper of the owner's time packages, or the slice gate of a
   * traffic quota shared with other gateways; undefined for traffic metered by bytes alone.
   */
  get shaper(): { take(bytes: number): number } | undefined {
    const pacer = this.quota?.pacer;
    const own = this.limitLease?.pacer;
    if (own === undefined) return pacer;
    if (pacer === undefined) return own;
    return { take: (bytes) => Math.max(pacer.take(bytes), own.take(bytes)) };
  }

  /**
   * Counts `bytes` relayed; returns false once the limit, the daily limit or the owner's packages are used up. The caller must
   * then stop the connection that counted them; the account's (or the quota's) other connections are closed here.
   */
  charge(bytes: number): boolean {
    this.used += bytes;
    this.dayUsed += bytes;
    const quota = this.quota;
    // The account's own limit leased across gateways counts the chunk even when the package quota cuts it below.
    const own = this.limitLease;
    if (own !== undefined) own.remaining -= bytes;
    // At the floor (0 alone; where the next slice is fetched, with shared leases) the quota decides.
    if (quota !== undefined && (quota.remaining -= bytes) <= quota.floor && !quota.low()) return false;
    // The same for the account's own limit (its low() cuts this account's tunnels).
    if (own !== undefined && own.remaining <= own.floor && !own.low()) return false;
    if (this.used < this.limit && this.dayUsed < this.dailyLimit) return true;
    this.closer.closeAccount(this.accountId);
    return false;
  }

  /**
   * Takes a connection slot of the owner's concurrency; throws TG_ERR_QUOTA_CONCURRENCY when none is free (a
   * promise when the slot is counted across gateways).
   */
  admit(): void | Promise<void> {
    const slot = this.#takeSlot();
    const tunnels = this.tunnels;
    if (tunnels === undefined) return slot;
    // The gateway's own caps were checked already (gateway/ Admission); here the other gateways' tunnels count too.
    const tunnel = tunnels.acquire(this.userId, this.accountId, this.share.perUser, this.share.perAccount).then(
      (answer) => {
        if (answer === 'ok') return;
        const max = answer === 'user' ? this.share.perUser : this.share.perAccount;
        throw new AppError('TG_ERR_PROXY_TUNNEL_LIMIT', { params: { max, scope: answer === 'user' ? 'user' : 'sub-account' } });
      },
      () => {
        // The shared store is unreachable: this gateway's counts decide, and the tunnel is given back locally.
        this.#localTunnels++;
      },
    );
    return Promise.allSettled([slot, tunnel]).then(([s, t]) => {
      if (s.status === 'fulfilled' && t.status === 'fulfilled') return;
      if (s.status === 'fulfilled') this.quota?.release();
      if (t.status === 'fulfilled') this.#releaseTunnel();
      throw s.status === 'rejected' ? s.reason : (t as PromiseRejectedResult).reason;
    });
  }

  /** Gives back the slot `admit` took (the connection closed or moved to another account). */
  leave(): void {
    this.quota?.release();
    if (this.tunnels !== undefined) this.#releaseTunnel();
  }

  /** The owner's concurrency (time packages): a slot, or TG_ERR_QUOTA_CONCURRENCY. */
  #takeSlot(): void | Promise<void> {
    const quota = this.quota;
    if (quota === undefined) return;
    const taken = quota.acquire();
    if (taken === true) return;
    if (taken === false) throw new AppError('TG_ERR_QUOTA_CONCURRENCY', { params: { limit: quota.concurrency } });
    return taken.then((ok) => {
      if (!ok) throw new AppError('TG_ERR_QUOTA_CONCURRENCY', { params: { limit: quota.concurrency } });
    });
  }

  #releaseTunnel(): void {
    if (this.#localTunnels > 0) {
      this.#localTunnels--;
      return;
    }
    // Lost while the store is unreachable: the run's count is dropped with its liveness at the latest.
    this.tunnels?.release(this.userId, this.accountId).catch(() => {});
  }
}

/** GB as the documents count them (1 GB = 1024 × 1024 KB). */
export function limitFromGb(limitGb: number): number {
  return limitGb > 0 ? limitGb * 1024 * 1024 * 1024 : Number.POSITIVE_INFINITY;
}
