/**
 * The gateway's AccountLookup: sub-accounts by product type and name, loaded
 * through the accounts repositories on first use and kept in memory, with their
 * live quota state. The change feed keeps it true: a disabled, deleted or
 * re-passworded account is revoked (its connections closed through the
 * ConnectionCloser) within one poll.
 */
import {
  type GatewayAccountRow,
  safeEqual,
  type SecretBox,
  type SubAccountsRepository,
  type TunnelOverrides,
  type UserLimitsRepository,
  type UsersRepository,
} from '../accounts/index.js';
import { AppError } from '../errors/index.js';
import { AccountState, limitFromGb, type TunnelShare } from './account-state.js';
import type { Change } from './change-feed.js';
import type { TimeFormatter } from '../time/time-format.js';
import type { QuotaBook } from './package-quota.js';
import type { UsageRepository } from './usage.repository.js';
import type { ConnectionCloser, SharedDailyUsage, SharedTunnels } from './usage.types.js';

export interface AccountDirectoryDeps {
  readonly subAccounts: SubAccountsRepository;
  readonly users: UsersRepository;
  /** The operator's per-user overrides of the tunnel caps. */
  readonly limits: UserLimitsRepository;
  /** Sub-account passwords at rest. */
  readonly box: SecretBox;
  readonly quotas: QuotaBook;
  /** Closes the connections of revoked accounts and of accounts whose limit is reached. */
  readonly closer: ConnectionCloser;
  /** Billed usage: what an account with a daily limit has used today when it is loaded. */
  readonly usage: UsageRepository;
  /** Tunnel caps counted across gateways (cluster/); without it each gateway's own counts decide. */
  readonly tunnels?: SharedTunnels | undefined;
  /** Daily usage counted across gateways (cluster/); without it each gateway counts an account's day alone. */
  readonly daily?: SharedDailyUsage | undefined;
}

export interface AccountDirectoryOptions {
  /** Default tunnel caps (TOLLGATE_TUNNELS_PER_USER, TOLLGATE_TUNNELS_PER_ACCOUNT); user_limits rows override them. */
  readonly tunnels: { readonly perUser: number; readonly perAccount: number };
  /** The platform's time zone (TOLLGATE_TZ): daily limits roll over at its local midnight. */
  readonly time: TimeFormatter;
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
  readonly #time: TimeFormatter;

  constructor(
    private readonly deps: AccountDirectoryDeps,
    options: AccountDirectoryOptions,
  ) {
    this.#tunnels = options.tunnels;
    this.#now = options.now ?? Date.now;
    this.#negativeTtlMs = options.negativeTtlMs ?? 5_000;
    this.#time = options.time;
  }

  /**
   * The account for these credentials, among the product types this entry serves. A name is unique among an
   * entry's types for new accounts; for older ones that share a name, the account whose password matches wins.
   * `admit` reserves the comparison against the gateway's failure budgets (it throws when they are spent).
   * Throws TG_ERR_PROXY_AUTH_FAILED (unknown name or wrong password: the same answer),
   * TG_ERR_PROXY_ACCOUNT_DISABLED, TG_ERR_QUOTA_ACCOUNT_LIMIT, TG_ERR_QUOTA_DAILY_LIMIT, TG_ERR_QUOTA_NO_PACKAGE
   * or TG_ERR_QUOTA_NO_TIME_PACKAGE.
   */
  async authenticate(
    name: string,
    password: string,
    productTypes: readonly number[],
    admit: () => { settle(failed: boolean): void },
  ): Promise<AccountState> {
    const candidates: AccountState[] = [];
    for (const type of productTypes) {
      const found = await this.#get(type, name);
      if (found) candidates.push(found);
    }
    // Reserved right before the comparison, with no await in between: concurrent guesses cannot outrun the budget.
    const check = admit();
    let state: AccountState | undefined;
    // Every candidate's password is compared, so timing does not tell which one matched.
    for (const found of candidates) {
      if (safeEqual(this.deps.box.decrypt(found.passwordEnc), password) && !state) state = found;
    }
    // Compare against something even for unknown names, so timing does not tell names apart.
    if (candidates.length === 0) safeEqual('\u0000unknown-account', password);
    check.settle(state === undefined);
    if (!state) throw new AppError('TG_ERR_PROXY_AUTH_FAILED');
    if (state.revoked) throw new AppError('TG_ERR_PROXY_ACCOUNT_DISABLED');
    if (state.exhausted) throw new AppError('TG_ERR_QUOTA_ACCOUNT_LIMIT');
    const now = this.#now();
    if (state.dayEndsAt <= now) this.#rollDay(state, now);
    if (state.dailyExhausted) throw new AppError('TG_ERR_QUOTA_DAILY_LIMIT');
    if (state.quota?.exhausted) throw new AppError(state.quota.refusal);
    return state;
  }

  /**
   * Starts a new local day for every held account whose day has ended (called every second): its daily usage
   * starts again from what is counted and not yet flushed, which the meter bills to the new day's hour.
   */
  rollDays(): void {
    const now = this.#now();
    for (const state of this.#byId.values()) if (state.dayEndsAt <= now) this.#rollDay(state, now);
  }

  #rollDay(state: AccountState, now: number): void {
    state.dayUsed = state.used - state.flushed;
    state.dayEndsAt = this.#time.nextDayStart(now);
    // With other gateways, the new day's total has none of them yet: the next report adds them.
    state.daySent = 0;
  }

  /**
   * With other gateways (every second, from the gateway's sweep): each account with a daily limit that counted
   * bytes here since its last report adds them to the day's total across gateways and takes that total as its day's
   * usage (plus what it counted meanwhile); an account whose day is used up there is cut here. While the shared
   * store is unreachable the account goes on counting alone, and its bytes are added once it is back.
   */
  shareDays(): void {
    const daily = this.deps.daily;
    if (daily === undefined) return;
    for (const state of this.#byId.values()) {
      if (!Number.isFinite(state.dailyLimit) || state.dayReporting) continue;
      const delta = state.dayUsed - state.daySent;
      if (delta <= 0) continue;
      const snapshot = state.dayUsed;
      const dayEnds = state.dayEndsAt;
      const from = this.#time.dayStart(dayEnds - 1);
      state.dayReporting = true;
      daily
        .add(state.accountId, from, delta, () =>
          this.deps.usage.bytesBetween(state.userId, state.productType, state.username, from, dayEnds),
        )
        .then(
          (total) => {
            // A day that ended meanwhile starts from its own report.
            if (state.dayEndsAt !== dayEnds) return;
            state.dayUsed = total + (state.dayUsed - snapshot);
            state.daySent = total;
            if (state.dailyExhausted) this.deps.closer.closeAccount(state.accountId);
          },
          () => {
            // Unreachable: counted here alone until the store is back; the bytes are added then.
          },
        )
        .finally(() => {
          state.dayReporting = false;
        });
    }
  }

  /**
   * Sets the account's daily limit (GB, 0 = none). When the account had none, today's usage so far is read from
   * the billed hours of the local day (plus what is counted and not flushed yet), and the day's end noted.
   */
  async #setDaily(state: AccountState, dailyLimitGb: number): Promise<void> {
    const limit = limitFromGb(dailyLimitGb);
    if (limit === state.dailyLimit) return;
    const followed = state.dailyLimit !== Number.POSITIVE_INFINITY;
    state.dailyLimit = limit;
    if (limit === Number.POSITIVE_INFINITY) {
      state.dayEndsAt = Number.POSITIVE_INFINITY;
      return;
    }
    if (followed) return;
    const now = this.#now();
    const from = this.#time.dayStart(now);
    const to = this.#time.nextDayStart(now);
    const stored = await this.deps.usage.bytesBetween(state.userId, state.productType, state.username, from, to);
    state.dayUsed = stored + (state.used - state.flushed);
    state.dayEndsAt = to;
    // With other gateways, the day's shared total (which holds the billed bytes too) replaces the reading at the
    // first report; only what is counted here from now on is added to it.
    state.daySent = state.dayUsed;
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
    const rows = new Map((await this.deps.subAccounts.forGatewayByIds(ids)).map((row) => [row.id, row]));
    for (const id of ids) {
      const row = rows.get(id);
      if (row) this.#unknown.delete(key(row.product_type, row.username));
      const state = this.#byId.get(id);
      if (!state) continue;
      if (!row || row.status !== 1 || row.user_status !== 1 || row.password_enc !== state.passwordEnc) {
        this.#revoke(state);
        continue;
      }
      const limit = limitFromGb(row.limit_gb);
      if (limit !== state.limit) {
        state.limit = limit;
        await this.#leaseLimit(state);
      }
      state.udp = row.udp === 1;
      await this.#setDaily(state, row.daily_limit_gb);
      if (state.exhausted || state.dailyExhausted) this.deps.closer.closeAccount(state.accountId);
    }
  }

  /** The users whose accounts are held in memory. */
  knownUsers(): number[] {
    const users = new Set<number>();
    for (const state of this.#byId.values()) users.add(state.userId);
    return [...users];
  }

  /**
   * Re-reads every held account, and its user, as if each had changed: the second line of defence behind the
   * change feed, so a change the feed never delivered (a bug, a row written by hand) is enforced within one
   * period of TOLLGATE_ACCOUNT_REVALIDATE_MS.
   */
  async revalidate(): Promise<void> {
    const users = this.knownUsers();
    for (let i = 0; i < users.length; i += 500) {
      await this.apply(users.slice(i, i + 500).map((entityId) => ({ id: 0, entity: 'user', entityId })));
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
    if (state.quota?.exhausted) throw new AppError(state.quota.refusal);
    return state;
  }

  async #loadUser(userId: number, productType: number): Promise<AccountState | undefined> {
    if (!(await this.deps.users.activeIds([userId])).has(userId)) return undefined;
    const id = userAccountId(userId, productType);
    const existing = this.#byId.get(id);
    if (existing) return existing;
    const state = await this.#state({ id, userId, username: '', productType, passwordEnc: '', used: 0, limitGb: 0 });
    this.#byId.set(id, state);
    return state;
  }

  /** Revokes the user-level accounts of users that are gone or disabled. */
  async #applyUsers(userIds: ReadonlySet<number>): Promise<void> {
    const states = [...this.#byId.values()].filter((s) => s.accountId < 0 && userIds.has(s.userId));
    if (states.length === 0) return;
    const active = await this.deps.users.activeIds([...new Set(states.map((s) => s.userId))]);
    for (const state of states) if (!active.has(state.userId)) this.#revoke(state);
  }

  /** Re-reads the tunnel caps of changed users the directory knows. */
  async #applyShares(userIds: ReadonlySet<number>): Promise<void> {
    const known = [...userIds].filter((id) => this.#shares.has(id));
    if (known.length === 0) return;
    const overrides = await this.deps.limits.tunnelOverrides(known);
    for (const userId of known) this.#updateShare(this.#shares.get(userId)!, overrides.get(userId));
  }

  /** The user's tunnel caps: one object per user, shared by the user's states, so a change reaches them all. */
  async #shareOf(userId: number): Promise<TunnelShare> {
    const known = this.#shares.get(userId);
    if (known) return known;
    const overrides = (await this.deps.limits.tunnelOverrides([userId])).get(userId);
    let share = this.#shares.get(userId);
    if (!share) this.#shares.set(userId, (share = { perUser: 0, perAccount: 0 }));
    this.#updateShare(share, overrides);
    return share;
  }

  #updateShare(share: TunnelShare, overrides: TunnelOverrides | undefined): void {
    share.perUser = overrides?.tunnels_per_user ?? this.#tunnels.perUser;
    share.perAccount = overrides?.tunnels_per_account ?? this.#tunnels.perAccount;
  }

  #revoke(state: AccountState): void {
    state.revoked = true;
    this.#byId.delete(state.accountId);
    if (state.accountId > 0) this.#byKey.delete(key(state.productType, state.username));
    this.#retired.add(state);
    this.deps.closer.closeAccount(state.accountId);
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
    const row = await this.deps.subAccounts.forGateway(productType, name);
    const k = key(productType, name);
    if (!row) {
      if (this.#unknown.size > 100_000) this.#unknown.clear();
      this.#unknown.set(k, this.#now() + this.#negativeTtlMs);
      return undefined;
    }
    if (!usable(row)) {
      // Answered as disabled, never cached: the feed's next change to it loads it afresh.
      const state = new AccountState(
        row.id,
        row.user_id,
        row.username,
        row.product_type,
        row.password_enc,
        row.used_bytes,
        row.limit_gb,
        this.deps.closer,
        undefined,
        await this.#shareOf(row.user_id),
      );
      state.revoked = true;
      return state;
    }
    const state = await this.#state({
      id: row.id,
      userId: row.user_id,
      username: row.username,
      productType: row.product_type,
      passwordEnc: row.password_enc,
      used: row.used_bytes,
      limitGb: row.limit_gb,
    });
    state.udp = row.udp === 1;
    await this.#setDaily(state, row.daily_limit_gb);
    await this.#leaseLimit(state);
    this.#byKey.set(k, state);
    this.#byId.set(state.accountId, state);
    return state;
  }

  /**
   * With other gateways: the account's own limit leased across them (QuotaBook.accountLimit); its budget is the
   * limit less `used_bytes` as the database holds them.
   */
  async #leaseLimit(state: AccountState): Promise<void> {
    await this.deps.quotas.accountLimit(state, async () => {
      const row = (await this.deps.subAccounts.forGatewayByIds([state.accountId]))[0];
      const limit = row === undefined ? 0 : limitFromGb(row.limit_gb);
      return Number.isFinite(limit) ? Math.max(0, limit - row!.used_bytes) : 0;
    });
  }

  /** A live state, joined to its owner's quota when the product registry limits its type by packages. */
  async #state(a: {
    id: number;
    userId: number;
    username: string;
    productType: number;
    passwordEnc: string;
    used: number;
    limitGb: number;
  }): Promise<AccountState> {
    const quota = await this.deps.quotas.get(a.userId, a.productType);
    const share = await this.#shareOf(a.userId);
    const state = new AccountState(
      a.id,
      a.userId,
      a.username,
      a.productType,
      a.passwordEnc,
      a.used,
      a.limitGb,
      this.deps.closer,
      quota,
      share,
      this.deps.tunnels,
    );
    quota?.members.add(state);
    return state;
  }
}

function usable(row: GatewayAccountRow): boolean {
  return row.status === 1 && row.user_status === 1;
}

/** The id of a user-level account: negative, so it never meets a sub-account id (the meter skips ids ≤ 0). */
export function userAccountId(userId: number, productType: number): number {
  return -(userId * 1000 + productType);
}

function key(productType: number, name: string): string {
  return `${productType}:${name}`;
}
