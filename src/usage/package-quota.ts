/**
 * Traffic packages as the gateway holds them: per user and product type, the
 * bytes left in the user's valid packages. Every sub-account of that user and
 * type shares one PackageQuota and charges it per chunk (a subtraction and a
 * compare, like the account's own limit), so a user whose packages run out is
 * cut off by the same mechanism as an account that reaches its `limit_flow`.
 *
 * The database is the truth: `remaining` is what the valid packages hold
 * (total − used, as flushed) minus what the gateway has counted but not yet
 * flushed. The book reloads a quota when the feed announces a package change
 * and when one of its packages expires or starts; reloads run under the
 * meter's lock so that no flush lands between reading the packages and
 * counting what is pending.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../storage/index.js';
import type { AccountState } from './account-state.js';

/** Product types whose traffic draws from the owner's packages of the same type. */
export const PACKAGE_METERED_TYPES: ReadonlySet<number> = new Set([9, 12]);

export class PackageQuota {
  /** Bytes left in valid packages, less what is counted but not flushed; ≤ 0 means none left. */
  remaining = 0;
  /** When the set of valid packages next changes (an expiry or a start); the book reloads then. */
  nextChangeAt = Number.POSITIVE_INFINITY;
  /** The account states drawing from this quota (retired ones stay until their bytes are flushed). */
  readonly members = new Set<AccountState>();
  #notified = false;
  /** Set by the book: the quota ran out. */
  onExhausted: (quota: PackageQuota) => void = () => {};

  constructor(
    readonly userId: number,
    readonly productType: number,
  ) {}

  get exhausted(): boolean {
    return this.remaining <= 0;
  }

  /** Called by AccountState.charge when `remaining` crosses zero; tells the book once per exhaustion. */
  exhaust(): void {
    if (this.#notified) return;
    this.#notified = true;
    this.onExhausted(this);
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

  /** Takes a fresh reading of the valid packages (`stored` bytes left, as flushed). */
  update(stored: number, nextChangeAt: number): void {
    this.remaining = stored - this.pending();
    this.nextChangeAt = nextChangeAt;
    if (this.remaining > 0) this.#notified = false;
    else this.exhaust();
  }
}

export interface QuotaBookOptions {
  readonly now?: () => number;
}

export class QuotaBook {
  readonly #quotas = new Map<string, PackageQuota>();
  readonly #loading = new Map<string, Promise<PackageQuota>>();
  readonly #now: () => number;
  /** Set by the gateway: close the connections of every member. */
  onExhausted: (quota: PackageQuota) => void = () => {};

  constructor(
    private readonly db: Kysely<Database>,
    options: QuotaBookOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
  }

  /** The quota of (user, type), loaded on first use. */
  get(userId: number, productType: number): Promise<PackageQuota> | PackageQuota {
    const k = `${userId}:${productType}`;
    const cached = this.#quotas.get(k);
    if (cached) return cached;
    let loading = this.#loading.get(k);
    if (!loading) {
      loading = this.#load(userId, productType).finally(() => this.#loading.delete(k));
      this.#loading.set(k, loading);
    }
    return loading;
  }

  /** Re-reads the quotas of these users (after a package change). Run under the meter's lock. */
  async reloadUsers(userIds: Iterable<number>): Promise<void> {
    const wanted = new Set(userIds);
    for (const quota of [...this.#quotas.values()]) if (wanted.has(quota.userId)) await this.#refresh(quota);
  }

  /** Re-reads quotas whose packages expired or started since their last reading. Run under the meter's lock. */
  async reloadDue(): Promise<void> {
    const now = this.#now();
    for (const quota of [...this.#quotas.values()]) if (quota.nextChangeAt <= now) await this.#refresh(quota);
  }

  async #load(userId: number, productType: number): Promise<PackageQuota> {
    const quota = new PackageQuota(userId, productType);
    quota.onExhausted = (q) => this.onExhausted(q);
    const { stored, nextChangeAt } = await this.#read(userId, productType);
    // Nothing charges a quota before it is in the map, so nothing is pending yet.
    quota.remaining = stored;
    quota.nextChangeAt = nextChangeAt;
    this.#quotas.set(`${userId}:${productType}`, quota);
    return quota;
  }

  async #refresh(quota: PackageQuota): Promise<void> {
    const { stored, nextChangeAt } = await this.#read(quota.userId, quota.productType);
    quota.update(stored, nextChangeAt);
    // A quota nobody draws from any more is forgotten; the next login loads it afresh.
    if (quota.members.size === 0) this.#quotas.delete(`${quota.userId}:${quota.productType}`);
  }

  async #read(userId: number, productType: number): Promise<{ stored: number; nextChangeAt: number }> {
    const now = this.#now();
    const rows = await this.db
      .selectFrom('user_packages')
      .select(['total_bytes', 'used_bytes', 'starts_at', 'expires_at'])
      .where('user_id', '=', userId)
      .where('product_type', '=', productType)
      .where('status', '=', 1)
      .where('expires_at', '>', now)
      .execute();
    let stored = 0;
    let nextChangeAt = Number.POSITIVE_INFINITY;
    for (const row of rows) {
      if (row.starts_at > now) {
        nextChangeAt = Math.min(nextChangeAt, row.starts_at);
        continue;
      }
      const left = row.total_bytes - row.used_bytes;
      if (left <= 0) continue;
      stored += left;
      nextChangeAt = Math.min(nextChangeAt, row.expires_at);
    }
    return { stored, nextChangeAt };
  }
}
