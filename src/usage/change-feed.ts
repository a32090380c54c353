/**
 * Follows `change_log`, the feed every writer appends to in the same
 * transaction as its change, so a gateway in another process learns of
 * disabled, deleted or re-passworded accounts within one poll interval.
 * Each poll is an indexed query that reads every committed change exactly once,
 * whatever order transactions commit in (storage/change-log.ts, ChangeReader);
 * on PostgreSQL a LISTEN/NOTIFY wake-up makes the poll immediate, and the timer
 * remains the fallback.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { ChangeReader, type ChangeRow, type Database, type DialectCapabilities } from '../storage/index.js';

export type Change = ChangeRow;

/** Rows older than this serve no follower (they start after the newest change) and are pruned. */
const KEEP_MS = 86_400_000;
/** Pruning runs at most this often, by the feed's clock. */
const PRUNE_EVERY_MS = 3_600_000;

export class ChangeFeed {
  readonly #reader: ChangeReader;
  #warned = false;
  #prunedAt = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #unsubscribe: (() => Promise<void>) | undefined;
  readonly #handlers: ((changes: readonly Change[]) => Promise<void> | void)[] = [];

  constructor(
    private readonly db: Kysely<Database>,
    caps: DialectCapabilities,
    private readonly pollMs: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.#reader = new ChangeReader(db, caps);
  }

  onChanges(handler: (changes: readonly Change[]) => Promise<void> | void): void {
    this.#handlers.push(handler);
  }

  /**
   * Polls at once whenever `subscribe` reports a committed change (PostgreSQL LISTEN/NOTIFY), on top of the
   * timer, which stays as the fallback. Call before start().
   */
  async wakeOn(subscribe: (onChange: () => void) => Promise<() => Promise<void>>): Promise<void> {
    this.#unsubscribe = await subscribe(() => {
      if (this.#timer === undefined) return;
      // A poll under way may have read before this commit: poll again once it ends.
      const running = this.#running;
      if (running) void running.finally(() => this.#wake());
      else this.#wake();
    });
  }

  #wake(): void {
    this.poll().catch((err) => this.logger.error({ err }, 'change feed poll failed'));
  }

  /** Starts after what has committed: that is already in what the caches load. */
  async start(): Promise<void> {
    await this.#reader.start();
    this.#schedule();
  }

  /** Reads and dispatches pending changes now (also what the timer does). */
  poll(): Promise<void> {
    this.#running ??= this.#poll().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /**
   * Resolves once a poll that started after this call has run: every change committed before the call is then
   * applied. The API awaits it before answering a write when it runs beside the gateway (read your own writes).
   */
  async sync(): Promise<void> {
    await this.#running?.catch(() => {});
    await this.poll();
  }

  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    await this.#running;
  }

  /** Says so once when an old open transaction makes every poll re-read many rows after it. */
  #watchPending(): void {
    if (this.#reader.pending < 1_000) {
      this.#warned = false;
      return;
    }
    if (this.#warned) return;
    this.#warned = true;
    this.logger.warn(
      { rows: this.#reader.pending },
      'a long-open database transaction makes the change feed re-read the changes written since it began',
    );
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      this.poll()
        .catch((err) => this.logger.error({ err }, 'change feed poll failed'))
        .finally(() => {
          if (this.#timer !== undefined) this.#schedule();
        });
    }, this.pollMs);
    this.#timer.unref();
  }

  async #poll(): Promise<void> {
    const { changes, commit } = await this.#reader.read();
    this.#watchPending();
    if (changes.length > 0) {
      // Every handler is idempotent: should one fail, the same changes are read again on the next poll rather
      // than skipped (a skipped revocation would leave an account usable).
      for (const handler of this.#handlers) await handler(changes);
    }
    commit();
    const now = this.now();
    if (now - this.#prunedAt >= PRUNE_EVERY_MS) {
      this.#prunedAt = now;
      await this.db
        .deleteFrom('change_log')
        .where('created_at', '<', now - KEEP_MS)
        .execute();
    }
  }
}
