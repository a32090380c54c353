import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Frozen: this file must keep producing the same schema forever. It imports no app code.

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const id = pg ? 'bigserial' : 'integer';
  const idColumn = (c: any) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement());

  // Exit nodes the gateway routes through. The URL may carry upstream credentials: stored encrypted.
  await db.schema
    .createTable('exit_nodes')
    .addColumn('id', sql.raw(id), idColumn)
    .addColumn('url_enc', 'varchar(1024)', (c) => c.notNull())
    .addColumn('url_display', 'varchar(512)', (c) => c.notNull())
    .addColumn('country', 'varchar(2)', (c) => c.notNull())
    .addColumn('state', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .addColumn('city', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .addColumn('product_types', 'varchar(128)', (c) => c.notNull())
    .addColumn('weight', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  // Billed bytes per user, account name, product type and hour (hour_start: epoch ms of the
  // hour's start in the platform time zone). Keyed by name: the usage API is queried by name.
  await db.schema
    .createTable('usage_hourly')
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('product_type', 'integer', (c) => c.notNull())
    .addColumn('username', 'varchar(32)', (c) => c.notNull())
    .addColumn('hour_start', 'bigint', (c) => c.notNull())
    .addColumn('bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('usage_hourly_pk', ['user_id', 'product_type', 'username', 'hour_start'])
    .execute();
  await db.schema.createIndex('usage_hourly_user_hour_idx').on('usage_hourly').columns(['user_id', 'hour_start']).execute();

  // The change feed the gateway follows: one row per change to something it caches.
  await db.schema
    .createTable('change_log')
    .addColumn('id', sql.raw(id), idColumn)
    .addColumn('entity', 'varchar(16)', (c) => c.notNull())
    .addColumn('entity_id', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('change_log').execute();
  await db.schema.dropTable('usage_hourly').execute();
  await db.schema.dropTable('exit_nodes').execute();
}
