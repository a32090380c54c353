/**
 * Writes billed bytes to the database: on a timer (TOLLGATE_METER_FLUSH_MS) and
 * on stop. One transaction per flush adds each account's new bytes to both its
 * hourly usage row and its `used_bytes`, so the two never disagree. Bytes are
 * attributed to the local hour in which they are flushed (at most one flush
 * interval early or late at an hour's edge).
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../storage/index.js';
import type { TimeFormatter } from '../time/time-format.js';
import type { AccountState } from './account-state.js';

export interface MeterSource {
  unflushed(): Iterable<AccountState>;
}

export class Meter {
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<number> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly source: MeterSource,
    private readonly time: TimeFormatter,
    private readonly flushMs: number,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.#timer = setInterval(() => {
      this.flush().catch((err) => this.logger.error({ err }, 'usage flush failed; will retry'));
    }, this.flushMs);
    this.#timer.unref();
  }

  /** Flushes now; resolves to the number of bytes written. Concurrent calls share one flush. */
  flush(): Promise<number> {
    if (this.#flushing) return this.#flushing.then(() => this.flush());
    this.#flushing = this.#flush().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  /** Stops the timer and writes everything still in memory. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }

  async #flush(): Promise<number> {
    const batch: { state: AccountState; delta: number }[] = [];
    for (const state of this.source.unflushed()) batch.push({ state, delta: state.used - state.flushed });
    if (batch.length === 0) return 0;
    const hour = this.time.hourStart(this.now());
    // One usage row per (user, type, name, hour) per statement: merge accounts that share a name.
    const hourly = new Map<
      string,
      { user_id: number; product_type: number; username: string; hour_start: number; bytes: number }
    >();
    for (const { state, delta } of batch) {
      const k = `${state.userId}:${state.productType}:${state.username}`;
      const row = hourly.get(k);
      if (row) row.bytes += delta;
      else
        hourly.set(k, {
          user_id: state.userId,
          product_type: state.productType,
          username: state.username,
          hour_start: hour,
          bytes: delta,
        });
    }
    await this.db.transaction().execute(async (trx) => {
      const rows = [...hourly.values()];
      for (let i = 0; i < rows.length; i += 1000) {
        await trx
          .insertInto('usage_hourly')
          .values(rows.slice(i, i + 1000))
          .onConflict((oc) =>
            oc
              .columns(['user_id', 'product_type', 'username', 'hour_start'])
              .doUpdateSet((eb) => ({ bytes: eb(eb.ref('usage_hourly.bytes'), '+', eb.ref('excluded.bytes')) })),
          )
          .execute();
      }
      for (const { state, delta } of batch) {
        await trx
          .updateTable('sub_accounts')
          .set((eb) => ({ used_bytes: eb(eb.ref('used_bytes'), '+', delta) }))
          .where('id', '=', state.accountId)
          .execute();
      }
    });
    let total = 0;
    for (const { state, delta } of batch) {
      state.flushed += delta;
      total += delta;
    }
    return total;
  }
}
