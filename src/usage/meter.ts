/**
 * Writes billed bytes to the database: on a timer (TOLLGATE_METER_FLUSH_MS) and
 * on stop. One transaction per flush adds each account's new bytes to its
 * hourly usage row, to its `used_bytes` and, for package-metered product
 * types, to its owner's packages (the valid one that expires first, first),
 * so usage and package consumption never disagree. Bytes are attributed to the
 * local hour in which they are flushed (at most one flush interval early or
 * late at an hour's edge).
 *
 * Bytes relayed past the end of the last package (the bounded overshoot before
 * the gateway cuts the tunnels) are added to the latest-expiring valid package,
 * or when none is valid any more to the one that expired last: every billed
 * byte lands on some package, so packages' `used` sums to what was relayed.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import type { Database, DialectCapabilities } from '../storage/index.js';
import type { TimeFormatter } from '../time/time-format.js';
import type { AccountState } from './account-state.js';
import { PACKAGE_METERED_TYPES } from './package-quota.js';

export interface MeterSource {
  unflushed(): Iterable<AccountState>;
}

export class Meter {
  #timer: NodeJS.Timeout | undefined;
  /** Tail of the chain every flush and exclusive task runs on, one at a time. */
  #tail: Promise<unknown> = Promise.resolve();
  /** A flush queued and not started yet: concurrent flush() calls share it. */
  #queued: Promise<number> | undefined;
  readonly #afterFlush: (() => Promise<void>)[] = [];

  constructor(
    private readonly db: Kysely<Database>,
    private readonly caps: DialectCapabilities,
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

  /** Work to do after each timed flush, under the same lock (package expiry checks). */
  afterFlush(task: () => Promise<void>): void {
    this.#afterFlush.push(task);
  }

  /** Flushes now; resolves to the number of bytes written. Concurrent calls share one flush. */
  flush(): Promise<number> {
    this.#queued ??= this.#chain(async () => {
      this.#queued = undefined;
      const bytes = await this.#flush();
      for (const task of this.#afterFlush) await task();
      return bytes;
    });
    return this.#queued;
  }

  /** Runs `task` with no flush in progress, and none starting until it ends. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.#chain(task);
  }

  /** Stops the timer and writes everything still in memory. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
  }

  #chain<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(task, task);
    this.#tail = run.catch(() => {});
    return run;
  }

  async #flush(): Promise<number> {
    const batch: { state: AccountState; delta: number }[] = [];
    for (const state of this.source.unflushed()) batch.push({ state, delta: state.used - state.flushed });
    if (batch.length === 0) return 0;
    const now = this.now();
    const hour = this.time.hourStart(now);
    // One usage row per (user, type, name, hour) per statement: merge accounts that share a name.
    const hourly = new Map<
      string,
      { user_id: number; product_type: number; username: string; hour_start: number; bytes: number }
    >();
    const packaged = new Map<string, { userId: number; productType: number; bytes: number }>();
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
      if (PACKAGE_METERED_TYPES.has(state.productType)) {
        const pk = `${state.userId}:${state.productType}`;
        const p = packaged.get(pk);
        if (p) p.bytes += delta;
        else packaged.set(pk, { userId: state.userId, productType: state.productType, bytes: delta });
      }
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
        // Accounts with no sub-account row (extraction by whitelisted IP) have ids ≤ 0.
        if (state.accountId <= 0) continue;
        await trx
          .updateTable('sub_accounts')
          .set((eb) => ({ used_bytes: eb(eb.ref('used_bytes'), '+', delta) }))
          .where('id', '=', state.accountId)
          .execute();
      }
      for (const p of packaged.values()) await this.#drawPackages(trx, p.userId, p.productType, p.bytes, now);
    });
    let total = 0;
    for (const { state, delta } of batch) {
      state.flushed += delta;
      total += delta;
    }
    return total;
  }

  /** Adds `bytes` to the user's valid packages of the type, the one expiring first first. */
  async #drawPackages(trx: Transaction<Database>, userId: number, productType: number, bytes: number, now: number) {
    const valid = await trx
      .selectFrom('user_packages')
      .select(['id', 'total_bytes', 'used_bytes'])
      .where('user_id', '=', userId)
      .where('product_type', '=', productType)
      .where('status', '=', 1)
      .where('starts_at', '<=', now)
      .where('expires_at', '>', now)
      .orderBy('expires_at')
      .orderBy('id')
      .$if(this.caps.rowLocks, (q) => q.forUpdate())
      .execute();
    let left = bytes;
    const draws = new Map<number, number>();
    for (const row of valid) {
      if (left === 0) break;
      const take = Math.min(left, Math.max(0, row.total_bytes - row.used_bytes));
      if (take > 0) draws.set(row.id, take);
      left -= take;
    }
    if (left > 0) {
      // The overshoot: bytes relayed after the packages ran out, before the tunnels were cut.
      let target = valid.at(-1)?.id;
      if (target === undefined) {
        const last = await trx
          .selectFrom('user_packages')
          .select('id')
          .where('user_id', '=', userId)
          .where('product_type', '=', productType)
          .where('status', '=', 1)
          .where('starts_at', '<=', now)
          .orderBy('expires_at', 'desc')
          .orderBy('id', 'desc')
          .limit(1)
          .executeTakeFirst();
        target = last?.id;
      }
      if (target === undefined) {
        this.logger.warn({ user: userId, productType, bytes: left }, 'billed bytes with no package to draw from');
      } else draws.set(target, (draws.get(target) ?? 0) + left);
    }
    for (const [id, take] of draws) {
      await trx
        .updateTable('user_packages')
        .set((eb) => ({ used_bytes: eb(eb.ref('used_bytes'), '+', take), updated_at: now }))
        .where('id', '=', id)
        .execute();
    }
  }
}
