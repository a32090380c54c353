import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Frozen: this file must keep producing the same schema forever. It imports no app code.

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const id = pg ? 'bigserial' : 'integer';
  const idColumn = (c: any) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement());

  // A customer's invoice details (the newer release's "invoice profiles"): whom an invoice is made out to.
  await db.schema
    .createTable('invoice_profiles')
    .addColumn('id', sql.raw(id), idColumn)
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // 'personal' | 'company'
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('title', 'varchar(200)', (c) => c.notNull())
    .addColumn('tax_no', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .addColumn('email', 'varchar(254)', (c) => c.notNull().defaultTo(''))
    .addColumn('address', 'varchar(500)', (c) => c.notNull().defaultTo(''))
    .addColumn('remark', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('invoice_profiles_user_idx').on('invoice_profiles').column('user_id').execute();

  // An invoice request and, once the operator issues it, the invoice. The profile is copied in: an issued
  // invoice never changes when the profile does.
  await db.schema
    .createTable('invoices')
    .addColumn('id', sql.raw(id), idColumn)
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('title', 'varchar(200)', (c) => c.notNull())
    .addColumn('tax_no', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .addColumn('email', 'varchar(254)', (c) => c.notNull().defaultTo(''))
    .addColumn('address', 'varchar(500)', (c) => c.notNull().defaultTo(''))
    .addColumn('remark', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    // 0 requested, 1 issued, 2 rejected, 3 cancelled by the customer, 4 voided by the operator
    .addColumn('status', 'integer', (c) => c.notNull().defaultTo(0))
    // Set when issued; unique.
    .addColumn('number', 'varchar(64)')
    .addColumn('reason', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('issued_at', 'bigint')
    .addColumn('closed_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('invoices_user_idx').on('invoices').columns(['user_id', 'id']).execute();
  await db.schema.createIndex('invoices_number_uq').on('invoices').column('number').unique().execute();

  // The orders an invoice covers. order_id is the key: an order is on at most one invoice that still counts
  // (requested or issued); a rejected, cancelled or voided invoice gives its orders back by deleting its rows.
  await db.schema
    .createTable('invoice_orders')
    .addColumn('order_id', 'bigint', (c) => c.primaryKey().references('orders.id'))
    .addColumn('invoice_id', 'bigint', (c) => c.notNull().references('invoices.id').onDelete('cascade'))
    .addColumn('amount_cents', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('invoice_orders_invoice_idx').on('invoice_orders').column('invoice_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('invoice_orders').execute();
  await db.schema.dropTable('invoices').execute();
  await db.schema.dropTable('invoice_profiles').execute();
}
