import { type Kysely, PostgresAdapter, sql } from 'kysely';
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
