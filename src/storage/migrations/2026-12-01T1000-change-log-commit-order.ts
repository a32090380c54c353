import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Frozen: this file must keep producing the same schema forever. It imports no app code.

/**
 * The transaction that wrote each change-log row. On PostgreSQL ids are handed out at insert, so transactions
 * commit out of id order; followers read in transaction order instead (see storage/change-log.ts). SQLite has one
 * writer at a time, so its ids are commit order and the column stays 0.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .alterTable('change_log')
    .addColumn('txid', 'bigint', (c) => c.notNull().defaultTo(pg ? sql`(pg_current_xact_id()::text::bigint)` : 0))
    .execute();
  await db.schema.createIndex('change_log_txid_id_idx').on('change_log').columns(['txid', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('change_log_txid_id_idx').execute();
  await db.schema.alterTable('change_log').dropColumn('txid').execute();
}
