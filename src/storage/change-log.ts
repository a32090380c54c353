import { type Kysely, PostgresAdapter, sql } from 'kysely';
import type { DialectCapabilities } from './capabilities.js';
import type { Database } from './schema.js';

/**
 * PostgreSQL channel that wakes followers at once (LISTEN/NOTIFY): one per schema, so platforms sharing a
 * server in different schemas do not wake each other. A notification is delivered when its transaction
 * commits, and never for one rolled back, like the rows it announces.
 */
export function changeChannel(schema: string): string {
  return `tollgate_changes_${schema}`;
}

/** What a change-log row is about; followers reload that entity. */
export type ChangedEntity =
  | 'sub_account'
  | 'user'
  | 'exit_node'
  /** entity_id: the user whose packages changed. */
  | 'user_package'
  /** entity_id: the user whose whitelisted IPs changed. */
  | 'white_ip'
  /** entity_id: the extraction port whose lease changed. */
  | 'extract_lease'
  /** entity_id: the static IP (inventory row or its allocation) that changed. */
  | 'static_ip';

/**
 * Appends to the change feed that gateways follow (see usage/change-feed.ts).
 * Call it inside the transaction that makes the change, so the feed never
 * announces a change that was rolled back, nor misses one that committed.
 */
export async function recordChange(
  db: Kysely<Database>,
  entity: ChangedEntity,
  entityIds: readonly number[],
  now: number,
): Promise<void> {
  for (let i = 0; i < entityIds.length; i += 500) {
    const rows = entityIds.slice(i, i + 500).map((entityId) => ({ entity, entity_id: entityId, created_at: now }));
    await db.insertInto('change_log').values(rows).execute();
  }
  if (entityIds.length > 0) await notifyChange(db);
}

/** Wakes PostgreSQL followers when the surrounding transaction commits; a no-op elsewhere. */
export async function notifyChange(db: Kysely<Database>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  // current_schema(): the first schema of the search path, where the tables are.
  await sql`select pg_notify('tollgate_changes_' || current_schema(), '')`.execute(db);
}

export interface ChangeRow {
  readonly id: number;
  readonly entity: string;
  readonly entityId: number;
}

/** Rows read per statement; a poll pages through everything new. */
const PAGE = 2_000;

/**
 * Reads the change log in the order transactions commit, never skipping a row.
 *
 * SQLite has one writer at a time, so ids are commit order and an `id > last` cursor is exact.
 *
 * On PostgreSQL ids are handed out at insert, so a transaction that writes early and commits late holds a smaller
 * id than rows already read: an id cursor would skip it for good. There the reader keeps a horizon H, the
 * change-log transaction id below which every transaction had ended when it last read
 * (DialectCapabilities.changeHorizon, `pg_snapshot_xmin`), and reads every row with `txid >= H` each time,
 * dispatching those it has not seen. Rows of transactions that were still open appear once they commit; rows
 * below the horizon are final, so their ids are forgotten as the horizon moves on. A later change is never held
 * back by an earlier open transaction; the cost is re-reading the rows written since the oldest transaction still
 * open, which is a handful unless a writer keeps a transaction open for long (logged by the feed).
 */
export class ChangeReader {
  #lastId = 0;
  #horizon = 0;
  /** Ids read at or above the horizon (PostgreSQL), with their transaction ids. */
  readonly #seen = new Map<number, number>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly caps: DialectCapabilities,
  ) {}

  /** Rows re-read on each poll because a transaction older than them may still be open (PostgreSQL). */
  get pending(): number {
    return this.#seen.size;
  }

  /** Starts after what has committed: that is already in whatever the follower loads from now on. */
  async start(): Promise<void> {
    if (this.caps.changeHorizon) {
      const row = await sql<{ horizon: number }>`select ${this.caps.changeHorizon} as horizon`.execute(this.db);
      // Transactions below the horizon have ended; those at or above it may still write rows to read.
      this.#horizon = Number(row.rows[0]!.horizon);
      // Rows of those newer transactions that already committed are in what the follower loads; skip them.
      for (const r of await this.#pagesFrom(this.#horizon)) this.#seen.set(r.id, r.txid);
      return;
    }
    const row = await this.db
      .selectFrom('change_log')
      .select((eb) => eb.fn.max('id').as('max'))
      .executeTakeFirst();
    this.#lastId = Number(row?.max ?? 0);
  }

  /**
   * Rows committed since the last read. They count as read once `commit()` is called: a follower that fails to
   * apply them leaves them uncommitted and gets them again on its next read (so its handlers must be idempotent).
   */
  async read(): Promise<{ changes: ChangeRow[]; commit(): void }> {
    if (!this.caps.changeHorizon) {
      const out: ChangeRow[] = [];
      let lastId = this.#lastId;
      for (;;) {
        const rows = await this.db
          .selectFrom('change_log')
          .select(['id', 'entity', 'entity_id'])
          .where('id', '>', lastId)
          .orderBy('id')
          .limit(PAGE)
          .execute();
        for (const r of rows) out.push({ id: Number(r.id), entity: r.entity, entityId: Number(r.entity_id) });
        if (rows.length > 0) lastId = Number(rows[rows.length - 1]!.id);
        if (rows.length < PAGE) break;
      }
      return {
        changes: out,
        commit: () => {
          this.#lastId = Math.max(this.#lastId, lastId);
        },
      };
    }
    const rows = await this.#pagesFrom(this.#horizon);
    const fresh = rows.filter((r) => !this.#seen.has(r.id));
    return {
      changes: fresh.map((r) => ({ id: r.id, entity: r.entity, entityId: r.entityId })),
      commit: () => {
        for (const r of fresh) this.#seen.set(r.id, r.txid);
        if (rows.length === 0) return;
        // Every transaction below the first page's horizon had ended when that page was read, so all its rows
        // were visible to this read and are in `rows`: the horizon moves there, and rows below it need no memory.
        const horizon = rows[0]!.horizon;
        if (horizon > this.#horizon) {
          this.#horizon = horizon;
          for (const [id, txid] of this.#seen) if (txid < horizon) this.#seen.delete(id);
        }
      },
    };
  }

  /** Every row with txid >= `from`, in (txid, id) order, each with the horizon of the statement that read it. */
  async #pagesFrom(from: number): Promise<(ChangeRow & { txid: number; horizon: number })[]> {
    const horizon = this.caps.changeHorizon!;
    const out: (ChangeRow & { txid: number; horizon: number })[] = [];
    let after = { txid: from - 1, id: Number.MAX_SAFE_INTEGER };
    for (;;) {
      const rows = await this.db
        .selectFrom('change_log')
        .select(['id', 'entity', 'entity_id', 'txid', horizon.as('horizon')])
        .where((eb) => eb.or([eb('txid', '>', after.txid), eb.and([eb('txid', '=', after.txid), eb('id', '>', after.id)])]))
        .orderBy('txid')
        .orderBy('id')
        .limit(PAGE)
        .execute();
      for (const r of rows) {
        out.push({ id: r.id, entity: r.entity, entityId: r.entity_id, txid: Number(r.txid), horizon: Number(r.horizon) });
      }
      if (rows.length < PAGE) return out;
      const last = out[out.length - 1]!;
      after = { txid: last.txid, id: last.id };
    }
  }
}
