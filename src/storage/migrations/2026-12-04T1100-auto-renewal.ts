import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Frozen: this file must keep producing the same schema forever. It imports no app code.

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const id = pg ? 'bigserial' : 'integer';
  const idColumn = (c: any) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement());

  // The newer release's proxy-ip/add names the product type an address is whitelisted for (and, for type 11,
  // the time package); addresses added through white-ip/add are for type 9, as they always were.
  await db.schema
    .alterTable('white_ips')
    .addColumn('product_type', 'integer', (c) => c.notNull().defaultTo(9))
    .execute();
  await db.schema.alterTable('white_ips').addColumn('user_package_id', 'bigint').execute();

  // One row per package marked for auto-renewal; a renewal moves the row to the package it bought.
  await db.schema
    .createTable('auto_renewals')
    .addColumn('id', sql.raw(id), idColumn)
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id'))
    .addColumn('user_package_id', 'bigint', (c) => c.notNull().references('user_packages.id'))
    // 1 on, 0 off (turned off by the customer, or after the package ended unrenewed).
    .addColumn('status', 'integer', (c) => c.notNull().defaultTo(1))
    // Renewals left; null: every period until turned off.
    .addColumn('remaining', 'integer')
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('last_attempt_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('auto_renewals_package_uq').on('auto_renewals').column('user_package_id').unique().execute();
  await db.schema.createIndex('auto_renewals_due_idx').on('auto_renewals').columns(['status', 'next_attempt_at']).execute();

  await db.schema
    .createTable('auto_renewal_logs')
    .addColumn('id', sql.raw(id), idColumn)
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('user_package_id', 'bigint', (c) => c.notNull())
    // The package the renewal bought; null when it failed.
    .addColumn('new_user_package_id', 'bigint')
    // 1 renewed, 0 failed.
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('trade_no', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .addColumn('pay_fee_cents', 'bigint', (c) => c.notNull().defaultTo(0))
    // The catalogued error code of a failure (0 when renewed), and its English message.
    .addColumn('error_code', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reason', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('auto_renewal_logs_user_idx').on('auto_renewal_logs').columns(['user_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('auto_renewal_logs').execute();
  await db.schema.dropTable('auto_renewals').execute();
  await db.schema.alterTable('white_ips').dropColumn('user_package_id').execute();
  await db.schema.alterTable('white_ips').dropColumn('product_type').execute();
}
