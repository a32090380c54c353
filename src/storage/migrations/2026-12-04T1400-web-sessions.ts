import type { Kysely } from 'kysely';

// Frozen: this file must keep producing the same schema forever. It imports no app code.

export async function up(db: Kysely<any>): Promise<void> {
  // Portal sign-ins: the browser holds the token in an httpOnly cookie; only its SHA-256 is stored.
  await db.schema
    .createTable('web_sessions')
    .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id'))
    // users.token_version when signed in: a password change (which bumps it) ends the session.
    .addColumn('token_version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('web_sessions_user_idx').on('web_sessions').column('user_id').execute();
  await db.schema.createIndex('web_sessions_expires_idx').on('web_sessions').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('web_sessions').execute();
}
