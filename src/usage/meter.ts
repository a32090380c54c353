/**
 * Writes billed bytes to the database: on a timer (TOLLGATE_METER_FLUSH_MS) and
 * on stop. One transaction per flush adds each account's new bytes to its
 * hourly usage row, to its `used_bytes` and, for product types the registry
 * meters by traffic packages, to its owner's packages (the valid one that
 * expires first, first), so usage and package consumption never disagree.
 * Bytes are attributed to the local hour in which they are flushed (at most one
 * flush interval early or late at an hour's edge). Time-package traffic (11) is
 * metered into usage like any other and drawn from no package.
 *
 * Bytes relayed past the end of the last package (the bounded overshoot before
 * the gateway cuts the tunnels) are added to the latest-expiring valid package,
 * or when none is valid any more to the one that expired last: every billed
 * byte lands on some package, so packages' `used` sums to what was relayed.
 *
 * Usage rows are this module's own table; sub-accounts and packages are written
 * through their domains' repositories, bound to the flush's transaction.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { SubAccountsRepository } from '../accounts/index.js';
import { drawTraffic, PackagesRepository } from '../packages/index.js';
import { drawsTrafficPackages } from '../products/index.js';
import type { Database, DialectCapabilities } from '../storage/index.js';
import type { TimeFormatter } from '../time/time-format.js';
import type { AccountState } from './account-state.js';
import type { QuotaBook } from './package-quota.js';

export interface MeterSource {
  unflushed(): Iterable<AccountState>;
}

export class Meter {
  #timer: NodeJS.Timeout | undefined;
  /** Tail of the chain every flush runs on, one at a time. */
  #tail: Promise<unknown> = Promise.resolve();
  /** A flush queued and not started yet: concurrent flush() calls share it. */
  #queued: Promise<number> | undefined;

  /**
   * @param quotas the gateway's package quotas: a flush runs under their lock (what it writes to the packages
   *   and marks flushed must not interleave with a reading), then re-reads the quotas whose packages changed.
   */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly caps: DialectCapabilities,
    private readonly source: MeterSource,
    private readonly quotas: QuotaBook,
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

  /**
   * Flushes now; resolves to the number of bytes written. Concurrent calls share one flush. Afterwards the
   * quotas whose packages expired or started are re-read.
   */
  flush(): Promise<number> {
    this.#queued ??= this.#chain(async () => {
      this.#queued = undefined;
      const bytes = await this.quotas.locked(() => this.#flush());
      await this.quotas.reloadDue();
      return bytes;
    });
    return this.#queued;
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
      if (drawsTrafficPackages(state.productType)) {
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
      const accounts = new SubAccountsRepository(trx, this.caps);
      for (const { state, delta } of batch) {
        // Accounts with no sub-account row (extraction by whitelisted IP) have ids ≤ 0.
        if (state.accountId > 0) await accounts.addUsedBytes(state.accountId, delta);
      }
      const packages = new PackagesRepository(trx);
      for (const p of packaged.values()) {
        const lost = await drawTraffic(packages, p.userId, p.productType, p.bytes, now, this.caps.rowLocks);
        if (lost > 0) {
          this.logger.warn(
            { user: p.userId, productType: p.productType, bytes: lost },
            'billed bytes with no package to draw from',
          );
        }
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
