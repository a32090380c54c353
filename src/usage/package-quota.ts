/**
 * Packages as the gateway holds them: per user and product type, what the user's valid packages allow now.
 * Every sub-account of that user and type shares one PackageQuota, and how it limits them is the product
 * registry's word on the type:
 *
 *  - traffic (9, 12): `remaining`, the bytes left in the valid packages; each chunk is subtracted and compared
 *    (like the account's own limit), so a user whose packages run out is cut off by the same mechanism as an
 *    account that reaches its `limit_flow`;
 *  - time (11): while a package is valid, `remaining` is unbounded; the packages' concurrencies add up to the
 *    connections the user's accounts may hold open at once (`acquire`/`release`), and their bandwidths to the
 *    rate of one token bucket (`shaper`) all of the user's traffic of the type shares, both directions.
 *
 * The database is the truth: a traffic quota's `remaining` is what the valid packages hold (total − used, as
 * flushed) minus what the gateway has counted but not flushed. The book reloads a quota when the feed announces a
 * package change and when one of its packages expires or starts. It owns the lock that keeps a reading and the
 * meter's flushes apart (`locked`): no flush may land between reading the packages and counting what is pending.
 */
import type { PackagesRepository, ValidPackage } from '../packages/index.js';
import { productKind, type UseLimit } from '../products/index.js';
import type { AccountState } from './account-state.js';
import { mbpsToBytesPerSecond, TokenBucket } from './token-bucket.js';
import type { ConnectionCloser } from './usage.types.js';

/** What the valid packages of a (user, type) allow at one moment. */
export interface QuotaReading {
  /** Traffic: bytes left, as flushed. Time: Infinity while a package is valid, else 0. */
  readonly stored: number;
  /** Time: concurrencies added up (Infinity for traffic). */
  readonly concurrency: number;
  /** Time: bytes per second, bandwidths added up (0 for traffic). */
  readonly bytesPerSecond: number;
  /** When the set of valid packages next changes (an expiry, a start, a package used up is noticed at flush). */
  readonly nextChangeAt: number;
}

/** Reads what a (user, type)'s valid packages allow at `now`, by the kind of limit the type has. */
export async function readQuota(
  packages: PackagesRepository,
  userId: number,
  productType: number,
  limit: UseLimit,
  now: number,
): Promise<QuotaReading> {
  const [valid, nextStart] = await Promise.all([
    packages.valid(userId, productType, now),
    packages.nextStart(userId, productType, now),
  ]);
  return quotaOf(valid, nextStart, limit);
}

/** The reading of a set of valid packages (pure: the rules of how packages add up). */
export function quotaOf(valid: readonly ValidPackage[], nextStart: number, limit: UseLimit): QuotaReading {
  let nextChangeAt = nextStart;
  for (const p of valid) if (p.expiresAt < nextChangeAt) nextChangeAt = p.expiresAt;
  if (limit === 'time') {
    let concurrency = 0;
    let mbps = 0;
    for (const p of valid) {
      concurrency += p.concurrency;
      mbps += p.bandwidthMbps;
    }
    const any = valid.length > 0;
    return {
      stored: any ? Number.POSITIVE_INFINITY : 0,
      concurrency,
      bytesPerSecond: mbpsToBytesPerSecond(mbps),
      nextChangeAt,
    };
  }
  let stored = 0;
  for (const p of valid) stored += Math.max(0, p.totalBytes - p.usedBytes);
  return { stored, concurrency: Number.POSITIVE_INFINITY, bytesPerSecond: 0, nextChangeAt };
}

export class PackageQuota {
  /** Traffic: bytes left less what is counted but not flushed. Time: Infinity while valid. ≤ 0: nothing left. */
  remaining = 0;
  /** When the set of valid packages next changes (an expiry or a start); the book reloads then. */
  nextChangeAt = Number.POSITIVE_INFINITY;
  /** Connections the owner's accounts may hold open at once (time packages; Infinity for traffic). */
  concurrency = Number.POSITIVE_INFINITY;
  /** Connections open now (admitted and not yet closed). */
  open = 0;
  /** The account states drawing from this quota (retired ones stay until their bytes are flushed). */
  readonly members = new Set<AccountState>();
  /** Time packages: the bucket every connection of the owner's accounts of this type takes from. */
  readonly shaper: TokenBucket | undefined;
  #notified = false;

  constructor(
    readonly userId: number,
    readonly productType: number,
    readonly limit: UseLimit,
    private readonly closer: ConnectionCloser,
    reading: QuotaReading,
    clock?: () => number,
  ) {
    this.shaper = limit === 'time' ? new TokenBucket(reading.bytesPerSecond, clock) : undefined;
    // Nothing has charged a new quota yet, so nothing is pending.
    this.remaining = reading.stored;
    this.concurrency = reading.concurrency;
    this.nextChangeAt = reading.nextChangeAt;
  }

  get exhausted(): boolean {
    return this.remaining <= 0;
  }

  /** The refusal for an account of this quota while it is exhausted. */
  get refusal(): 'TG_ERR_QUOTA_NO_PACKAGE' | 'TG_ERR_QUOTA_NO_TIME_PACKAGE' {
    return this.limit === 'time' ? 'TG_ERR_QUOTA_NO_TIME_PACKAGE' : 'TG_ERR_QUOTA_NO_PACKAGE';
  }

  /** Called when `remaining` crosses zero: closes every member's connections, once per exhaustion. */
  exhaust(): void {
    if (this.#notified) return;
    this.#notified = true;
    for (const state of this.members) this.closer.closeAccount(state.accountId);
  }

  /** Takes a connection slot; false when `concurrency` are open. */
  acquire(): boolean {
    if (this.open >= this.concurrency) return false;
    this.open++;
    return true;
  }

  release(): void {
    if (this.open > 0) this.open--;
  }

  /** Bytes charged to the members and not yet written to the database. */
  pending(): number {
    let bytes = 0;
    for (const state of this.members) {
      bytes += state.used - state.flushed;
      if (state.revoked && state.used === state.flushed) this.members.delete(state);
    }
    return bytes;
  }

  /** Takes a fresh reading of the valid packages; cuts what the new reading no longer allows. */
  update(reading: QuotaReading): void {
    this.remaining = reading.stored - this.pending();
    this.nextChangeAt = reading.nextChangeAt;
    this.concurrency = reading.concurrency;
    this.shaper?.setRate(reading.bytesPerSecond);
    if (this.remaining <= 0) return this.exhaust();
    this.#notified = false;
    // A lower concurrency (a package expired, another still valid): the newest connections over it go.
    if (this.open > this.concurrency) {
      this.closer.trimAccounts(
        [...this.members].map((s) => s.accountId),
        this.concurrency,
      );
    }
  }
}

export interface QuotaBookOptions {
  readonly now?: () => number;
  /** The shapers' clock (default performance.now): fractional ms, monotonic. */
  readonly shaperClock?: () => number;
}

export class QuotaBook {
  readonly #quotas = new Map<string, PackageQuota>();
  readonly #loading = new Map<string, Promise<PackageQuota>>();
  readonly #now: () => number;
  readonly #shaperClock: (() => number) | undefined;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly packages: PackagesRepository,
    private readonly closer: ConnectionCloser,
    options: QuotaBookOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
    this.#shaperClock = options.shaperClock;
  }

  /**
   * The quota of (user, type), loaded on first use; undefined for a type not limited by packages (static IPs:
   * their entry checks the IPs). Which is which is the product registry's.
   */
  get(userId: number, productType: number): Promise<PackageQuota | undefined> | PackageQuota | undefined {
    const limit = productKind(productType)?.limit;
    if (limit !== 'traffic' && limit !== 'time') return undefined;
    const k = `${userId}:${productType}`;
    const cached = this.#quotas.get(k);
    if (cached) return cached;
    let loading = this.#loading.get(k);
    if (!loading) {
      loading = this.locked(() => this.#load(userId, productType, limit)).finally(() => this.#loading.delete(k));
      this.#loading.set(k, loading);
    }
    return loading;
  }

  /**
   * Runs `task` under the book's lock: readings of the packages and the meter's flushes (which write what was
   * pending to the packages and mark it flushed) never interleave.
   */
  locked<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(task, task);
    this.#tail = run.catch(() => {});
    return run;
  }

  /** Re-reads the quotas of these users (after a package change). */
  reloadUsers(userIds: Iterable<number>): Promise<void> {
    const wanted = new Set(userIds);
    return this.locked(async () => {
      for (const quota of [...this.#quotas.values()]) if (wanted.has(quota.userId)) await this.#refresh(quota);
    });
  }

  /** Re-reads the quotas whose packages expired or started since their last reading; cheap when none did. */
  reloadDue(): Promise<void> {
    const now = this.#now();
    if (![...this.#quotas.values()].some((q) => q.nextChangeAt <= now)) return Promise.resolve();
    return this.locked(async () => {
      for (const quota of [...this.#quotas.values()]) if (quota.nextChangeAt <= this.#now()) await this.#refresh(quota);
    });
  }

  async #load(userId: number, productType: number, limit: UseLimit): Promise<PackageQuota> {
    const k = `${userId}:${productType}`;
    const existing = this.#quotas.get(k);
    if (existing) return existing;
    const reading = await readQuota(this.packages, userId, productType, limit, this.#now());
    const quota = new PackageQuota(userId, productType, limit, this.closer, reading, this.#shaperClock);
    this.#quotas.set(k, quota);
    return quota;
  }

  async #refresh(quota: PackageQuota): Promise<void> {
    quota.update(await readQuota(this.packages, quota.userId, quota.productType, quota.limit, this.#now()));
    // A quota nobody draws from any more is forgotten; the next login loads it afresh.
    if (quota.members.size === 0 && quota.open === 0) this.#quotas.delete(`${quota.userId}:${quota.productType}`);
  }
}
