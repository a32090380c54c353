/** What metering and quotas need from the rest of the platform, as interfaces (the gateway implements them). */

/**
 * Closes live proxy connections: the gateway's connection registry. Whatever enforces a limit receives it in its
 * constructor, so a limit that is reached always has something to close the connections with.
 */
export interface ConnectionCloser {
  /** Closes every open connection of the account now; returns how many. */
  closeAccount(accountId: number): number;
  /** Closes the newest connections of these accounts until at most `keep` remain open; returns how many closed. */
  trimAccounts(accountIds: readonly number[], keep: number): number;
}

/**
 * Daily usage of sub-accounts with a daily limit, counted across gateways (cluster/): a total per account and
 * local day, which each gateway adds what it counted to about every second; without it each gateway counts alone.
 */
export interface SharedDailyUsage {
  /**
   * Adds `bytes` to the account's total for the local day starting at `dayStart` and answers the new total; a day
   * with no total yet starts from `base()`, the day's billed usage as the database holds it.
   */
  add(accountId: number, dayStart: number, bytes: number, base: () => Promise<number>): Promise<number>;
}

/**
 * Tunnel caps counted across gateways (cluster/, on Redis): the open connections of a user's sub-accounts
 * together and of each sub-account, per live gateway run. Either call may reject while the shared store is
 * unreachable; each gateway's own counts then decide alone.
 */
export interface SharedTunnels {
  /**
   * Takes a tunnel of `accountId` (owned by `userId`): 'ok', or which cap is full across the gateways ('user':
   * the user's sub-accounts hold `perUser`; 'account': the sub-account holds `perAccount`), taking nothing.
   */
  acquire(userId: number, accountId: number, perUser: number, perAccount: number): Promise<'ok' | 'user' | 'account'>;
  /** Gives back a tunnel acquire took. */
  release(userId: number, accountId: number): Promise<void>;
}

/**
 * The "product type" of a sub-account's own budget (its `limit_flow`) in QuotaLeases: a budget of
 * (accountId, ACCOUNT_LIMIT) is leased exactly like a packages' budget of (userId, productType), under its own key
 * kind (cluster/ `l:{account}`). No product type is negative.
 */
export const ACCOUNT_LIMIT = -1;

/**
 * Budgets several gateways share (cluster/, on Redis), per (user, product type) and, with ACCOUNT_LIMIT as the
 * type, per sub-account (its own `limit_flow`): when given to the QuotaBook,
 * a traffic quota spends local slices leased from here instead of its own reading of the packages, and a time
 * quota's connection slots are counted here across gateways. Every method may reject when the shared store is
 * unreachable; the quota then falls back to its local allowance.
 */
export interface QuotaLeases {
  /**
   * Takes up to `want` bytes; resolves to what was granted (0: nothing left across the gateways) and what the
   * shared budget still held after it. `base` reads the bytes the valid packages hold as stored, for a budget the
   * shared store does not hold yet. `id` names this lease (unique in this run); `lost` are the ids of earlier
   * leases of this quota whose answer never came (timed out, connection lost): what they granted all the same is
   * held by this gateway already, and comes back as `recovered`.
   */
  lease(
    userId: number,
    productType: number,
    want: number,
    base: () => Promise<number>,
    id: number,
    lost: readonly number[],
  ): Promise<{ granted: number; left: number; recovered: number }>;
  /** Gives back bytes leased and not spent. */
  giveBack(userId: number, productType: number, bytes: number): Promise<void>;
  /** Sets the shared budget from a fresh reading of the packages (`read`, taken after the call starts). */
  rebase(userId: number, productType: number, read: () => Promise<number>): Promise<void>;
  /**
   * Bytes a flush wrote to the packages: taken off the shared budget and, when `own` (leased by this run, not
   * replayed from an earlier run's spool), released from this gateway's outstanding leases.
   */
  applied(userId: number, productType: number, bytes: number, own: boolean): Promise<void>;
  /**
   * Marks this gateway as writing a flush (`done` false) or finished with it: a reading of the packages taken
   * meanwhile could already hold the flush's bytes that `applied` is about to take off again, so no budget is
   * rebased from the packages while any gateway holding part of it is flushing.
   */
  flushing(done: boolean): Promise<void>;
  /**
   * Time packages: says whether this gateway relays for (user, type) now; resolves to how many live gateways do
   * (this one included when `active`), so each shapes the bandwidth to its share.
   */
  shareBandwidth(userId: number, productType: number, active: boolean): Promise<number>;
  /** Takes one of `limit` connection slots across the gateways; false when all are taken. */
  acquireSlot(userId: number, productType: number, limit: number): Promise<boolean>;
  /** Gives back a slot acquireSlot took. */
  releaseSlot(userId: number, productType: number): Promise<void>;
  /** Sets how many slots this gateway holds (`open`), replacing its count: after calls that failed. */
  setSlots(userId: number, productType: number, open: number): Promise<void>;
  /** Bytes a quota may relay on its own beyond its slices while the shared store is unreachable. */
  readonly localAllowance: number;
  /** Whether the shared store is connected (a failed call then timed out); false while it is unreachable. */
  readonly reachable: boolean;
}
