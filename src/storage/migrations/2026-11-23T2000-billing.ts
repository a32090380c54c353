import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Frozen: this file must keep producing the same schema forever. It imports no app code.

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const id = pg ? 'bigserial' : 'integer';
  const idColumn = (c: any) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement());

  // Who invited the user (a first order may get the invitation discount).
  await db.schema.alterTable('users').addColumn('invited_by', 'bigint').execute();

  // What customers can buy. Money in integer minor units (cents).
  await db.schema
    .createTable('products')
    .addColumn('id', sql.raw(id), idColumn)
    .addColumn('title', 'varchar(255)', (c) => c.notNull())
    .addColumn('description', 'varchar(1024)', (c) => c.notNull().defaultTo(''))
    .addColumn('product_type', 'integer', (c) => c.notNull())
    .addColumn('unit_price_cents', 'bigint', (c) => c.notNull())
    .addColumn('unit_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('unit_days', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  // Type-11 options: bandwidth and concurrency tiers, each with its own price.
  await db.schema
    .createTable('product_skus')
    .addColumn('id', sql.raw(id), idColumn)
    .addColumn('product_id', 'bigint', (c) => c.notNull().references('products.id').onDelete('cascade'))
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('title', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('value', 'integer', (c) => c.notNull())
    .addColumn('price_cents', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('product_skus_product_idx').on('product_skus').column('product_id').execute();

  await db.schema
    .createTable('payment_methods')
    .addColumn('id', sql.raw(id), idColumn)
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('title', 'varchar(128)', (c) => c.notNull())
    .addColumn('logo', 'varchar(512)', (c) => c.notNull().defaultTo(''))
    .addColumn('group_code', 'varchar(32)', (c) => c.notNull())
    .addColumn('group_name', 'varchar(128)', (c) => c.notNull())
    .addColumn('secret_enc', 'varchar(512)', (c) => c.notNull().defaultTo(''))
    .addColumn('pay_url', 'varchar(1024)', (c) => c.notNull().defaultTo(''))
    .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('min_cents', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('max_cents', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('sort', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('coupons')
    .addColumn('id', sql.raw(id), idColumn)
    .addColumn('code', 'varchar(64)', (c) => c.notNull())
    .addColumn('name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('discount_kind', 'varchar(8)', (c) => c.notNull())
    .addColumn('discount_value', 'bigint', (c) => c.notNull())
    .addColumn('min_fee_cents', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('product_ids', 'varchar(1024)', (c) => c.notNull().defaultTo(''))
    .addColumn('max_uses', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('used_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('coupons_code_uq').on('coupons').column('code').unique().execute();

  await db.schema
    .createTable('gift_tiers')
    .addColumn('id', sql.raw(id), idColumn)
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .addColumn('ratio_bp', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('gift_tiers_amount_uq').on('gift_tiers').column('amount_cents').unique().execute();

  await db.schema
    .createTable('orders')
    .addColumn('id', sql.raw(id), idColumn)
    .addColumn('trade_no', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('product_id', 'bigint', (c) => c.notNull())
    .addColumn('product_type', 'integer', (c) => c.notNull())
    .addColumn('product_name', 'varchar(255)', (c) => c.notNull())
    .addColumn('amount', 'integer', (c) => c.notNull())
    .addColumn('total_fee_cents', 'bigint', (c) => c.notNull())
    .addColumn('discount_cents', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('pay_fee_cents', 'bigint', (c) => c.notNull())
    .addColumn('coupon_id', 'bigint')
    .addColumn('pm_id', 'bigint', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('paid_at', 'bigint')
    .addColumn('closed_at', 'bigint')
    .addColumn('refunded_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('orders_trade_no_uq').on('orders').column('trade_no').unique().execute();
  await db.schema.createIndex('orders_user_idx').on('orders').columns(['user_id', 'id']).execute();
  await db.schema.createIndex('orders_status_exp_idx').on('orders').columns(['status', 'expires_at']).execute();

  // Every balance change, with the balance after it: users.balance_cents always equals the sum of deltas.
  await db.schema
    .createTable('balance_ledger')
    .addColumn('id', sql.raw(id), idColumn)
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('delta_cents', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'varchar(16)', (c) => c.notNull())
    .addColumn('order_id', 'bigint')
    .addColumn('balance_after_cents', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('balance_ledger_user_idx').on('balance_ledger').columns(['user_id', 'id']).execute();

  // What each paid order provisioned, so a refund knows what to take back.
  await db.schema
    .createTable('order_provisions')
    .addColumn('id', sql.raw(id), idColumn)
    .addColumn('order_id', 'bigint', (c) => c.notNull().references('orders.id').onDelete('cascade'))
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('ref_id', 'bigint', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('order_provisions_order_idx').on('order_provisions').column('order_id').execute();

  // Webhook deliveries already applied: a replay finds its row and changes nothing.
  await db.schema
    .createTable('payment_events')
    .addColumn('id', sql.raw(id), idColumn)
    .addColumn('pm_id', 'bigint', (c) => c.notNull())
    .addColumn('event_key', 'varchar(128)', (c) => c.notNull())
    .addColumn('order_id', 'bigint', (c) => c.notNull())
    .addColumn('payload_sha256', 'varchar(64)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('payment_events_key_uq').on('payment_events').columns(['pm_id', 'event_key']).unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'payment_events',
    'order_provisions',
    'balance_ledger',
    'orders',
    'gift_tiers',
    'coupons',
    'payment_methods',
    'product_skus',
    'products',
  ]) {
    await db.schema.dropTable(t).execute();
  }
  await db.schema.alterTable('users').dropColumn('invited_by').execute();
}
