/**
 * Closes pending orders whose payment window has passed: every `intervalMs` (and once at start), orders with
 * status 0 and `expires_at` ≤ now become status 2 with `closed_at`, and their coupons are given back, in one
 * transaction per batch. The deadline is stored with the order, so a restart loses nothing: the first run
 * after it closes whatever expired meanwhile. The update is guarded (status 0 and past due), so two processes
 * running it at once, or an order paid or closed in the same moment, close nothing twice.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { PeriodicRun } from '../../time/periodic-run.js';
import type { Database, DialectCapabilities } from '../../storage/index.js';
import { OrdersRepository } from './orders.repository.js';
import type { OrderCatalogue } from './orders.types.js';

export const ORDER_EXPIRY_INTERVAL_MS = 30_000;
const BATCH = 500;

export interface OrderExpiryOptions {
  readonly db: Kysely<Database>;
  readonly caps: DialectCapabilities;
  readonly catalogue: Pick<OrderCatalogue, 'releaseCoupon'>;
  readonly logger?: Logger | undefined;
  readonly now?: (() => number) | undefined;
  readonly intervalMs?: number | undefined;
}

export class OrderExpiry {
  readonly #now: () => number;
  readonly #job: PeriodicRun<number>;

  constructor(private readonly options: OrderExpiryOptions) {
    this.#now = options.now ?? Date.now;
    this.#job = new PeriodicRun(() => this.#run(), options.intervalMs ?? ORDER_EXPIRY_INTERVAL_MS, {
      logger: options.logger,
      message: 'closing expired orders failed',
    });
  }

  /** Runs once now, then every interval, until stop(). */
  start(): void {
    this.#job.start();
  }

  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void> {
    return this.#job.stop();
  }

  /** Closes every pending order past its deadline at `now`; returns how many it closed. Runs do not overlap. */
  runOnce(): Promise<number> {
    return this.#job.runOnce();
  }

  async #run(): Promise<number> {
    const { db, caps, catalogue } = this.options;
    const now = this.#now();
    let closed = 0;
    for (;;) {
      const ids = await new OrdersRepository(db, caps).dueForExpiry(now, BATCH);
      if (ids.length === 0) break;
      const done = await db.transaction().execute(async (trx) => {
        const rows = await new OrdersRepository(trx, caps).expire(ids, now);
        for (const row of rows) if (row.couponId !== null) await catalogue.releaseCoupon(trx, row.couponId);
        return rows.length;
      });
      closed += done;
      if (ids.length < BATCH) break;
    }
    if (closed > 0) this.options.logger?.info({ closed }, 'expired orders closed');
    return closed;
  }
}
