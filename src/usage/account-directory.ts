/**
 * The gateway's AccountLookup: sub-accounts by product type and name, loaded
 * from the database on first use and kept in memory, with their live quota
 * state. The change feed keeps it true: a disabled, deleted or re-passworded
 * account is revoked (its connections closed by the gateway) within one poll.
 */
import type { Kysely } from 'kysely';
import { safeEqual, type SecretBox } from '../accounts/index.js';
import { AppError } from '../errors/index.js';
import type { Database } from '../storage/index.js';
import { AccountState, limitFromGb, type TunnelShare } from './account-state.js';
import type { Change } from './change-feed.js';
import { PACKAGE_METERED_TYPES, type QuotaBook } from './package-quota.js';

interface LoadedRow {
  id: number;
  user_id: number;
  product_type: number;
  username: string;
  password_enc: string;
  limit_gb: number;
  used_bytes: number;
  status: number;
  user_status: number;
  tunnels_per_user: number | null;
  tunnels_per_account: number | null;
}

export interface AccountDirectoryOptions {
  /** Default tunnel caps (TOLLGATE_TUNNELS_PER_USER, TOLLGATE_TUNNELS_PER_ACCOUNT); user_limits rows override them. */
  readonly tunnels: { readonly perUser: number; readonly perAccount: number };
  readonly now?: () => number;
  /** How long an unknown name is remembered as unknown (adds also clear it through the feed). */
  readonly negativeTtlMs?: number;
}

export class AccountDirectory {
  readonly #byKey = new Map<string, AccountState>();
  readonly #byId = new Map<number, AccountState>();
  /** States dropped from the maps whose last bytes the meter has not flushed yet. */
  readonly #retired = new Set<AccountState>();
  readonly #unknown = new Map<string, number>();
  readonly #loading = new Map<string, Promise<AccountState | undefined>>();
  /** Each known user's tunnel caps, shared by the user's states. */
  readonly #shares = new Map<number, TunnelShare>();
  readonly #tunnels: { readonly perUser: number; readonly perAccount: number };
  readonly #now: () => number;
  readonly #negativeTtlMs: number;
  /** Set by the gateway: close every connection of this account. */
  onRevoked: (state: AccountState) => void = () => {};
  /** Set by the gateway: the account reached its limit. */
  onExhausted: (state: AccountState) => void = () => {};

  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: SecretBox,
    private readonly quotas: QuotaBook,
    options: AccountDirectoryOptions,
  ) {
    this.#tunnels = options.tunnels;
    this.#now = options.now ?? Date.now;
    this.#negativeTtlMs = options.negativeTtlMs ?? 5_000;
  }

  /**
   * The account for these credentials, among the product types this entry serves.
   * `admit` reserves the comparison against the gateway's failure budgets (it throws when they are spent).
   * Throws TG_ERR_PROXY_AUTH_FAILED (unknown name or wrong password: the same answer),
   * TG_ERR_PROXY_ACCOUNT_DISABLED, TG_ERR_QUOTA_ACCOUNT_LIMIT or TG_ERR_QUOTA_NO_PACKAGE.
   */
  async authenticate(
    name: string,
    password: string,
    productTypes: readonly number[],
    admit: () => { settle(failed: boolean): void },
  ): Promise<AccountState> {
    let state: AccountState | undefined;
    for (const type of productTypes) {
      state = await this.#get(type, name);
      if (state) break;
    }
    // Compare against something even for unknown names, so timing does not tell names apart.
    const expected = state ? this.box.decrypt(state.passwordEnc) : '\u0000unknown-account';
    // Reserved right before the comparison, with no await in between: concurrent guesses cannot outrun the budget.
    const check = admit();
    const ok = safeEqual(expected, password) && state !== undefined;
    check.settle(!ok);
    if (!ok || !state) throw new AppError('TG_ERR_PROXY_AUTH_FAILED');
    if (state.revoked) throw new AppError('TG_ERR_PROXY_ACCOUNT_DISABLED');
    if (state.exhausted) throw new AppError('TG_ERR_QUOTA_ACCOUNT_LIMIT');
    if (state.quota?.exhausted) throw new AppError('TG_ERR_QUOTA_NO_PACKAGE');
    return state;
  }

  /** Every state with bytes not yet flushed (live and retired). */
  *unflushed(): Iterable<AccountState> {
    for (const state of this.#byId.values()) if (state.used > state.flushed) yield state;
    for (const state of this.#retired) {
      if (state.used > state.flushed) yield state;
      else this.#retired.delete(state);
    }
  }

  /** Applies changes from the feed. */
  async apply(changes: readonly Change[]): Promise<void> {
    const accountIds = new Set<number>();
    const userIds = new Set<number>();
    for (const c of changes) {
      if (c.entity === 'sub_account') accountIds.add(c.entityId);
      else if (c.entity === 'user') userIds.add(c.entityId);
    }
    for (const state of this.#byId.values())
      if (userIds.has(state.userId) && state.accountId > 0) accountIds.add(state.accountId);
    await this.#applyUsers(userIds);
    await this.#applyShares(userIds);
    if (accountIds.size === 0) return;
    const ids = [...accountIds];
    const rows = new Map<number, LoadedRow>();
    for (let i = 0; i < ids.length; i += 500) {
      for (const row of await this.#query()
        .where('s.id', 'in', ids.slice(i, i + 500))
        .execute())
        rows.set(row.id, row);
    }
    for (const id of ids) {
      const row = rows.get(id);
      if (row) this.#unknown.delete(key(row.product_type, row.username));
      const state = this.#byId.get(id);
      if (!state) continue;
      if (!row || row.status !== 1 || row.user_status !== 1 || row.password_enc !== state.passwordEnc) {
        this.#revoke(state);
        continue;
      }
      state.limit = limitFromGb(row.limit_gb);
      if (state.exhausted) this.onExhausted(state);
    }
  }

  /**
   * The account a user's traffic is metered to when it comes in without a sub-account: from a whitelisted
   * address on an extraction port. It has no name (its usage rows carry an empty username) and no limit of
   * its own, draws from the user's packages like the user's sub-accounts, and is revoked when the user is
   * disabled. Throws TG_ERR_PROXY_ACCOUNT_DISABLED or TG_ERR_QUOTA_NO_PACKAGE.
   */
  async forUser(userId: number, productType: number): Promise<AccountState> {
    const id = userAccountId(userId, productType);
    let state = this.#byId.get(id);
    if (!state) {
      const k = `user:${id}`;
      let loading = this.#loading.get(k);
      if (!loading) {
        loading = this.#loadUser(userId, productType).finally(() => this.#loading.delete(k));
        this.#loading.set(k, loading);
      }
      state = await loading;
    }
    if (!state || state.revoked) throw new AppError('TG_ERR_PROXY_ACCOUNT_DISABLED');
    if (state.quota?.exhausted) throw new AppError('TG_ERR_QUOTA_NO_PACKAGE');
    return state;
  }

  async #loadUser(userId: number, productType: number): Promise<AccountState | undefined> {
    const user = await this.db
      .selectFrom('users as u')
      .leftJoin('user_limits as l', 'l.user_id', 'u.id')
      .select(['u.status', 'l.tunnels_per_user', 'l.tunnels_per_account'])
      .where('u.id', '=', userId)
      .executeTakeFirst();
    if (!user || user.status !== 1) return undefined;
    const id = userAccountId(userId, productType);
    const existing = this.#byId.get(id);
    if (existing) return existing;
    const state = new AccountState(id, userId, '', productType, '', 0, 0, this.#share(userId, user));
    state.onExhausted = (s) => this.onExhausted(s);
    if (PACKAGE_METERED_TYPES.has(productType)) {
      state.quota = await this.quotas.get(userId, productType);
      state.quota.members.add(state);
    }
    this.#byId.set(id, state);
    return state;
  }

  /** Revokes the user-level accounts of users that are gone or disabled. */
  async #applyUsers(userIds: ReadonlySet<number>): Promise<void> {
    const states = [...this.#byId.values()].filter((s) => s.accountId < 0 && userIds.has(s.userId));
    if (states.length === 0) return;
    const rows = await this.db
      .selectFrom('users')
      .select(['id', 'status'])
      .where('id', 'in', [...new Set(states.map((s) => s.userId))])
      .execute();
    const active = new Set(rows.filter((r) => r.status === 1).map((r) => Number(r.id)));
    for (const state of states) if (!active.has(state.userId)) this.#revoke(state);
  }

  /** Re-reads the tunnel caps of changed users the directory knows. */
  async #applyShares(userIds: ReadonlySet<number>): Promise<void> {
    const known = [...userIds].filter((id) => this.#shares.has(id));
    if (known.length === 0) return;
    const rows = new Map<number, { tunnels_per_user: number | null; tunnels_per_account: number | null }>();
    for (let i = 0; i < known.length; i += 500) {
      const chunk = await this.db
        .selectFrom('user_limits')
        .select(['user_id', 'tunnels_per_user', 'tunnels_per_account'])
        .where('user_id', 'in', known.slice(i, i + 500))
        .execute();
      for (const row of chunk) rows.set(Number(row.user_id), row);
    }
    for (const userId of known) this.#share(userId, rows.get(userId) ?? { tunnels_per_user: null, tunnels_per_account: null });
  }

  /** The user's tunnel caps, brought up to date with `overrides` (null: the default). */
  #share(userId: number, overrides: { tunnels_per_user: number | null; tunnels_per_account: number | null }): TunnelShare {
    let share = this.#shares.get(userId);
    if (!share) this.#shares.set(userId, (share = { perUser: 0, perAccount: 0 }));
    share.perUser = overrides.tunnels_per_user ?? this.#tunnels.perUser;
    share.perAccount = overrides.tunnels_per_account ?? this.#tunnels.perAccount;
    return share;
  }

  #revoke(state: AccountState): void {
    state.revoked = true;
    this.#byId.delete(state.accountId);
    if (state.accountId > 0) this.#byKey.delete(key(state.productType, state.username));
    this.#retired.add(state);
    this.onRevoked(state);
  }

  async #get(productType: number, name: string): Promise<AccountState | undefined> {
    const k = key(productType, name);
    const cached = this.#byKey.get(k);
    if (cached) return cached;
    const unknownUntil = this.#unknown.get(k);
    if (unknownUntil !== undefined && unknownUntil > this.#now()) return undefined;
    let loading = this.#loading.get(k);
    if (!loading) {
      loading = this.#load(productType, name).finally(() => this.#loading.delete(k));
      this.#loading.set(k, loading);
    }
    return loading;
  }

  async #load(productType: number, name: string): Promise<AccountState | undefined> {
    const row = await this.#query().where('s.product_type', '=', productType).where('s.username', '=', name).executeTakeFirst();
    const k = key(productType, name);
    if (!row) {
      if (this.#unknown.size > 100_000) this.#unknown.clear();
      this.#unknown.set(k, this.#now() + this.#negativeTtlMs);
      return undefined;
    }
    const state = new AccountState(
      row.id,
      row.user_id,
      row.username,
      row.product_type,
      row.password_enc,
      row.used_bytes,
      row.limit_gb,
      this.#share(row.user_id, row),
    );
    state.onExhausted = (s) => this.onExhausted(s);
    if (row.status !== 1 || row.user_status !== 1) state.revoked = true;
    else if (PACKAGE_METERED_TYPES.has(row.product_type)) {
      state.quota = await this.quotas.get(row.user_id, row.product_type);
      state.quota.members.add(state);
    }
    if (state.revoked) return state;
    this.#byKey.set(k, state);
    this.#byId.set(state.accountId, state);
    return state;
  }

  #query() {
    return this.db
      .selectFrom('sub_accounts as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .leftJoin('user_limits as l', 'l.user_id', 's.user_id')
      .select([
        'l.tunnels_per_user',
        'l.tunnels_per_account',
        's.id',
        's.user_id',
        's.product_type',
        's.username',
        's.password_enc',
        's.limit_gb',
        's.used_bytes',
        's.status',
        'u.status as user_status',
      ]);
  }
}

/** The id of a user-level account: negative, so it never meets a sub-account id (the meter skips ids ≤ 0). */
export function userAccountId(userId: number, productType: number): number {
  return -(userId * 1000 + productType);
}

function key(productType: number, name: string): string {
  return `${productType}:${name}`;
}
