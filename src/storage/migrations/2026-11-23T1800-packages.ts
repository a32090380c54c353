import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Frozen: this file must keep producing the same schema forever. It imports no app code.

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const id = pg ? 'bigserial' : 'integer';
  const idColumn = (c: any) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement());

  // Traffic packages a user owns (granted by the operator or provisioned by a paid order).
  // Sizes in bytes; the API shows KB.
  await db.schema
    .createTable('user_packages')
    .addColumn('id', sql.raw(id), idColumn)
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('product_type', 'integer', (c) => c.notNull())
    .addColumn('total_bytes', 'bigint', (c) => c.notNull())
    .addColumn('used_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('starts_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('trade_no', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .addColumn('title', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('order_created_at', 'bigint')
    .addColumn('order_pay_at', 'bigint')
    .addColumn('status', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('user_packages_user_type_exp_idx')
    .on('user_packages')
    .columns(['user_id', 'product_type', 'expires_at'])
    .execute();
  await db.schema.createIndex('user_packages_trade_no_idx').on('user_packages').column('trade_no').execute();

  // Client addresses allowed on the extraction ports without credentials; one owner per address.
  await db.schema
    .createTable('white_ips')
    .addColumn('id', sql.raw(id), idColumn)
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('ip', 'varchar(45)', (c) => c.notNull())
    .addColumn('remark', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('white_ips_ip_uq').on('white_ips').column('ip').unique().execute();
  await db.schema.createIndex('white_ips_user_idx').on('white_ips').columns(['user_id', 'id']).execute();

  // One row per extraction port: the lease it carries now (expired rows are free ports).
  await db.schema
    .createTable('extract_leases')
    .addColumn('port', 'integer', (c) => c.primaryKey())
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('entry', 'varchar(32)', (c) => c.notNull())
    .addColumn('country', 'varchar(2)', (c) => c.notNull().defaultTo(''))
    .addColumn('state', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .addColumn('city', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .addColumn('node_id', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('extract_leases_user_idx').on('extract_leases').columns(['user_id', 'expires_at']).execute();
  await db.schema.createIndex('extract_leases_exp_idx').on('extract_leases').column('expires_at').execute();

  // The static IP inventory: dedicated exits the operator loads.
  await db.schema
    .createTable('static_ips')
    .addColumn('id', sql.raw(id), idColumn)
    .addColumn('ip', 'varchar(45)', (c) => c.notNull())
    .addColumn('port', 'integer', (c) => c.notNull())
    .addColumn('country', 'varchar(2)', (c) => c.notNull())
    .addColumn('state', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .addColumn('city', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .addColumn('product_type', 'integer', (c) => c.notNull())
    .addColumn('url_enc', 'varchar(1024)', (c) => c.notNull())
    .addColumn('url_display', 'varchar(512)', (c) => c.notNull())
    .addColumn('maintenance', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('static_ips_ip_port_uq').on('static_ips').columns(['ip', 'port']).unique().execute();
  await db.schema.createIndex('static_ips_type_country_idx').on('static_ips').columns(['product_type', 'country']).execute();

  // Who owns a static IP and until when. Its id is what renewals name (`upids`).
  await db.schema
    .createTable('static_ip_allocations')
    .addColumn('id', sql.raw(id), idColumn)
    .addColumn('static_ip_id', 'bigint', (c) => c.notNull().references('static_ips.id').onDelete('cascade'))
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('trade_no', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('released_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('static_ip_allocations_ip_idx')
    .on('static_ip_allocations')
    .columns(['static_ip_id', 'expires_at'])
    .execute();
  await db.schema.createIndex('static_ip_allocations_user_idx').on('static_ip_allocations').columns(['user_id', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('static_ip_allocations').execute();
  await db.schema.dropTable('static_ips').execute();
  await db.schema.dropTable('extract_leases').execute();
  await db.schema.dropTable('white_ips').execute();
  await db.schema.dropTable('user_packages').execute();
}
