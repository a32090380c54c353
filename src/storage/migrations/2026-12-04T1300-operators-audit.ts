import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Frozen: this file must keep producing the same schema forever. It imports no app code.

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const id = pg ? 'bigserial' : 'integer';
  const idColumn = (c: any) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement());

  // The people who run the platform (the operator console), apart from its customers.
  await db.schema
    .createTable('operators')
    .addColumn('id', sql.raw(id), idColumn)
    .addColumn('email', 'varchar(254)', (c) => c.notNull())
    // scrypt, as customers' passwords.
    .addColumn('password_hash', 'varchar(255)', (c) => c.notNull())
    // 'admin' | 'support'
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    // 1 active, 0 disabled.
    .addColumn('status', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('last_sign_in_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('operators_email_uq').on('operators').column('email').unique().execute();

  // Console sessions: only the SHA-256 of the cookie's token is stored.
  await db.schema
    .createTable('operator_sessions')
    .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('operator_id', 'bigint', (c) => c.notNull().references('operators.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('operator_sessions_operator_idx').on('operator_sessions').column('operator_id').execute();

  // Every operator action through /admin: who (operator or the admin token), what, when, before/after.
  await db.schema
    .createTable('audit_log')
    .addColumn('id', sql.raw(id), idColumn)
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    // 'operator' | 'token' | 'cli'
    .addColumn('actor_kind', 'varchar(16)', (c) => c.notNull())
    .addColumn('operator_id', 'bigint')
    .addColumn('actor', 'varchar(254)', (c) => c.notNull())
    .addColumn('action', 'varchar(128)', (c) => c.notNull())
    .addColumn('target_type', 'varchar(32)', (c) => c.notNull().defaultTo(''))
    .addColumn('target_id', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    .addColumn('ip', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    // The HTTP status and error code of the answer (200 and '' when it succeeded).
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('error', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    // JSON texts, secrets redacted; '' when there is nothing to show.
    .addColumn('request_json', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('before_json', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('after_json', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  await db.schema.createIndex('audit_log_created_idx').on('audit_log').column('created_at').execute();
  await db.schema.createIndex('audit_log_operator_idx').on('audit_log').columns(['operator_id', 'created_at']).execute();
  await db.schema.createIndex('audit_log_target_idx').on('audit_log').columns(['target_type', 'target_id']).execute();

  // The operator's reason for a manual balance adjustment (ledger reason 'adjust').
  await db.schema
    .alterTable('balance_ledger')
    .addColumn('note', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('balance_ledger').dropColumn('note').execute();
  await db.schema.dropTable('audit_log').execute();
  await db.schema.dropTable('operator_sessions').execute();
  await db.schema.dropTable('operators').execute();
}
