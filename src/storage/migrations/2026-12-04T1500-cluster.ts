import type { Kysely } from 'kysely';

// Frozen: this file must keep producing the same schema forever. It imports no app code.

export async function up(db: Kysely<any>): Promise<void> {
  // One row per usage flush a gateway applied, written in the flush's own transaction: a flush retried after
  // an unknown outcome, or replayed from a gateway's disk spool, finds its id here and is applied once.
  await db.schema
    .createTable('usage_flushes')
    .addColumn('flush_id', 'varchar(160)', (c) => c.primaryKey())
    .addColumn('gateway_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('usage_flushes_created').on('usage_flushes').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('usage_flushes').execute();
}
