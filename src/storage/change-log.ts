import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

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
}
