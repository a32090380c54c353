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
 * Exactly once: every flush is a record with an id (gateway id, boot time, sequence), inserted into
 * `usage_flushes` in the flush's own transaction. A flush whose outcome is unknown (the database went away
 * mid-commit) is retried with the same id and the same bytes, so it lands once; while the database is
 * unreachable its records wait in memory and, when a spool directory is given, on disk, and a gateway that
 * restarts replays what the last run left there. The hour a record's bytes are billed to is fixed when the
 * record is made.
 *
 * Usage rows are this module's own table; sub-accounts and packages are written
 * through their domains' repositories, bound to the flush's transaction.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely, Transaction } from 'kysely';
import type { Logger } from 'pino';
import { SubAccountsRepository } from '../accounts/index.js';
import { drawTraffic, PackagesRepository } from '../packages/index.js';
import { drawsTrafficPackages } from '../products/index.js';
import type { Database, DialectCapabilities } from '../storage/index.js';
import type { TimeFormatter } from '../time/time-format.js';
import type { AccountState } from './account-state.js';
import type { QuotaBook } from './package-quota.js';
import { ACCOUNT_LIMIT } from './usage.types.js';

export interface MeterSource {
  unflushed(): Iterable<AccountState>;
}

/** One account's bytes in a flush record. */
export interface FlushEntry {
  readonly accountId: number;
  readonly userId: number;
  readonly productType: number;
  readonly username: string;
  readonly bytes: number;
}

/** A flush as it is applied (and spooled): applied exactly once by its id. */
export interface FlushRecord {
  readonly id: string;
  /** Epoch ms the record was made: its bytes are billed to this hour. */
  readonly at: number;
  readonly entries: readonly FlushEntry[];
}

/**
 * Bytes a flush drew from one (user, traffic type)'s packages; or, with productType ACCOUNT_LIMIT, bytes it added to
 * one sub-account's `used_bytes` (userId is then the account id).
 */
export interface PackageDraw {
  readonly userId: number;
  readonly productType: number;
  readonly bytes: number;
}

export interface MeterOptions {
  /** Names this gateway's flushes (TOLLGATE_GATEWAY_ID); default "local". */
  readonly gatewayId?: string;
  /** Where records wait while the database is unreachable, and are replayed from at start. */
  readonly spoolDir?: string;
  /**
   * Told after each applied record what it drew from packages (the shared quota leases release those bytes),
   * and whether the record was this run's (false: replayed from the spool of an earlier run).
   */
  readonly onApplied?: (draws: readonly PackageDraw[], own: boolean) => Promise<void> | void;
  /** Told before a record is written (false) and once its draws are reported (true). */
  readonly onApplying?: (done: boolean) => Promise<void> | void;
}

/** usage_flushes rows are kept this long: far longer than any retry or spool waits. */
const KEEP_FLUSHES_MS = 7 * 86_400_000;

interface Pending {
  readonly record: FlushRecord;
  /** The states whose bytes the record carries (none for records replayed from an earlier run). */
  readonly states: readonly { state: AccountState; delta: number }[];
  readonly own: boolean;
  /** The spool file it was replayed from. */
  readonly file?: string;
}

export class Meter {
  #timer: NodeJS.Timeout | undefined;
  /** Tail of the chain every flush runs on, one at a time. */
  #tail: Promise<unknown> = Promise.resolve();
  /** A flush queued and not started yet: concurrent flush() calls share it. */
  #queued: Promise<number> | undefined;
  /** Records made and not yet known to be applied, oldest first. */
  readonly #pending: Pending[] = [];
  /** Bytes of each state inside pending records (taken out of `used - flushed` for the next record). */
  readonly #queuedBytes = new Map<AccountState, number>();
  readonly #gatewayId: string;
  readonly #instance: string;
  #seq = 0;
  #prunedAt = 0;

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
    private readonly options: MeterOptions = {},
  ) {
    this.#gatewayId = options.gatewayId ?? 'local';
    this.#instance = `${this.#gatewayId}:${Date.now().toString(36)}`;
    if (options.spoolDir !== undefined) {
      mkdirSync(options.spoolDir, { recursive: true });
      this.#loadSpool(options.spoolDir);
    }
  }

  /** Records waiting to be applied (the database was unreachable), this run's and replayed ones. */
  get backlog(): number {
    return this.#pending.length;
  }

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
    this.#take();
    let total = 0;
    // Oldest first; a failure leaves it and everything after it for the next flush (same ids, same bytes).
    while (this.#pending.length > 0) {
      const pending = this.#pending[0]!;
      await this.#tell(false);
      let outcome: { applied: boolean; draws: PackageDraw[] };
      try {
        outcome = await this.#apply(pending.record);
      } catch (err) {
        this.#spool(this.#pending);
        await this.#tell(true);
        throw err;
      }
      this.#pending.shift();
      for (const { state, delta } of pending.states) {
        state.flushed += delta;
        const left = (this.#queuedBytes.get(state) ?? 0) - delta;
        if (left > 0) this.#queuedBytes.set(state, left);
        else this.#queuedBytes.delete(state);
      }
      this.#unspool(pending);
      const { applied, draws } = outcome;
      if (applied) for (const e of pending.record.entries) total += e.bytes;
      // This run's record reports its draws even when an earlier attempt had applied it (its outcome was lost).
      if ((applied || pending.own) && draws.length > 0 && this.options.onApplied) {
        try {
          await this.options.onApplied(draws, pending.own);
        } catch (err) {
          this.logger.warn({ err }, 'applied usage not reported to the shared quotas');
        }
      }
      await this.#tell(true);
    }
    await this.#prune();
    return total;
  }

  async #tell(done: boolean): Promise<void> {
    try {
      await this.options.onApplying?.(done);
    } catch (err) {
      this.logger.warn({ err }, 'shared quotas not told of a flush');
    }
  }

  /** Turns what the states counted since the last record into a new record. */
  #take(): void {
    const states: { state: AccountState; delta: number }[] = [];
    for (const state of this.source.unflushed()) {
      const delta = state.used - state.flushed - (this.#queuedBytes.get(state) ?? 0);
      if (delta > 0) states.push({ state, delta });
    }
    if (states.length === 0) return;
    for (const { state, delta } of states) this.#queuedBytes.set(state, (this.#queuedBytes.get(state) ?? 0) + delta);
    const record: FlushRecord = {
      id: `${this.#instance}:${++this.#seq}`,
      at: this.now(),
      entries: states.map(({ state, delta }) => ({
        accountId: state.accountId,
        userId: state.userId,
        productType: state.productType,
        username: state.username,
        bytes: delta,
      })),
    };
    this.#pending.push({ record, states, own: true });
  }

  /** Applies a record in one transaction, unless its id says it was applied; answers its package draws. */
  async #apply(record: FlushRecord): Promise<{ applied: boolean; draws: PackageDraw[] }> {
    const hour = this.time.hourStart(record.at);
    // One usage row per (user, type, name, hour) per statement: merge accounts that share a name.
    const hourly = new Map<
      string,
      { user_id: number; product_type: number; username: string; hour_start: number; bytes: number }
    >();
    const packaged = new Map<string, { userId: number; productType: number; bytes: number }>();
    const accounts = new Map<number, number>();
    let bytes = 0;
    for (const e of record.entries) {
      bytes += e.bytes;
      const k = `${e.userId}:${e.productType}:${e.username}`;
      const row = hourly.get(k);
      if (row) row.bytes += e.bytes;
      else
        hourly.set(k, {
          user_id: e.userId,
          product_type: e.productType,
          username: e.username,
          hour_start: hour,
          bytes: e.bytes,
        });
      // Accounts with no sub-account row (extraction by whitelisted IP) have ids ≤ 0.
      if (e.accountId > 0) accounts.set(e.accountId, (accounts.get(e.accountId) ?? 0) + e.bytes);
      if (drawsTrafficPackages(e.productType)) {
        const pk = `${e.userId}:${e.productType}`;
        const p = packaged.get(pk);
        if (p) p.bytes += e.bytes;
        else packaged.set(pk, { userId: e.userId, productType: e.productType, bytes: e.bytes });
      }
    }
    const applied = await this.db.transaction().execute(async (trx) => {
      if (!(await this.#claim(trx, record, bytes))) return false;
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
      const subAccounts = new SubAccountsRepository(trx, this.caps);
      for (const [id, delta] of accounts) await subAccounts.addUsedBytes(id, delta);
      const packages = new PackagesRepository(trx);
      for (const p of packaged.values()) {
        const lost = await drawTraffic(packages, p.userId, p.productType, p.bytes, record.at, this.caps.rowLocks);
        if (lost > 0) {
          this.logger.warn(
            { user: p.userId, productType: p.productType, bytes: lost },
            'billed bytes with no package to draw from',
          );
        }
      }
      return true;
    });
    if (!applied) this.logger.info({ flush: record.id }, 'usage flush already applied: not applied again');
    // And each sub-account's bytes, for the lease of its own limit across gateways (ACCOUNT_LIMIT, by account id).
    const own = [...accounts].map(([accountId, b]) => ({ userId: accountId, productType: ACCOUNT_LIMIT, bytes: b }));
    return { applied, draws: [...packaged.values(), ...own] };
  }

  /** Records the flush's id in its transaction; false when it is there already (applied before). */
  async #claim(trx: Transaction<Database>, record: FlushRecord, bytes: number): Promise<boolean> {
    const result = await trx
      .insertInto('usage_flushes')
      .values({ flush_id: record.id, gateway_id: this.#gatewayId, bytes, created_at: this.now() })
      .onConflict((oc) => oc.column('flush_id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async #prune(): Promise<void> {
    const now = this.now();
    if (now - this.#prunedAt < 3_600_000) return;
    this.#prunedAt = now;
    await this.db
      .deleteFrom('usage_flushes')
      .where('created_at', '<', now - KEEP_FLUSHES_MS)
      .execute();
  }

  /** Writes the records not yet applied to the spool (one file each, written whole, then renamed). */
  #spool(pending: readonly Pending[]): void {
    const dir = this.options.spoolDir;
    if (dir === undefined) return;
    for (const { record } of pending) {
      const file = join(dir, `${encodeURIComponent(record.id)}.json`);
      try {
        writeFileSync(`${file}.tmp`, JSON.stringify(record));
        renameSync(`${file}.tmp`, file);
      } catch (err) {
        this.logger.error({ err, flush: record.id }, 'usage record could not be spooled to disk');
      }
    }
  }

  #unspool(pending: Pending): void {
    const dir = this.options.spoolDir;
    if (dir === undefined) return;
    rmSync(join(dir, `${encodeURIComponent(pending.record.id)}.json`), { force: true });
    if (pending.file !== undefined) rmSync(join(dir, pending.file), { force: true });
  }

  /** Records an earlier run left unapplied: applied first, once (their ids are in usage_flushes if they were). */
  #loadSpool(dir: string): void {
    for (const name of readdirSync(dir).sort()) {
      if (!name.endsWith('.json')) continue;
      try {
        const record = JSON.parse(readFileSync(join(dir, name), 'utf8')) as FlushRecord;
        this.#pending.push({ record, states: [], own: false, file: name });
      } catch (err) {
        this.logger.error({ err, file: name }, 'unreadable usage spool file left in place');
      }
    }
    if (this.#pending.length > 0) this.logger.info({ records: this.#pending.length }, 'replaying spooled usage');
  }
}
