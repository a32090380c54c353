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
