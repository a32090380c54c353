import type { Kysely } from 'kysely';

// Frozen: this file must keep producing the same schema forever. It imports no app code.

export async function up(db: Kysely<any>): Promise<void> {
  // The operator's per-user overrides of the fair-share caps; NULL: the platform default (TOLLGATE_*).
  await db.schema
    .createTable('user_limits')
    .addColumn('user_id', 'bigint', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('sub_accounts', 'integer')
    .addColumn('white_ips', 'integer')
    .addColumn('extract_leases', 'integer')
    .addColumn('tunnels_per_user', 'integer')
    .addColumn('tunnels_per_account', 'integer')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('user_limits').execute();
}
