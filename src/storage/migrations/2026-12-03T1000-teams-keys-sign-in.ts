import { randomBytes } from 'node:crypto';
import { type Kysely, PostgresAdapter, sql } from 'kysely';

// Frozen: this file must keep producing the same schema forever. It imports no app code.

const OPENID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** 24 characters of [a-z0-9], unbiased. */
function newOpenId(): string {
  let out = '';
  while (out.length < 24) {
    for (const byte of randomBytes(32)) {
      // 252 = 7 × 36: bytes at or above it would bias the first characters.
      if (byte < 252 && out.length < 24) out += OPENID_ALPHABET[byte % 36];
    }
  }
  return out;
}

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const id = pg ? 'bigserial' : 'integer';
  const idColumn = (c: any) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement());

  // 'person' signs in; 'team' is the space a team owns its resources in and can never sign in or hold a key.
  await db.schema
    .alterTable('users')
    .addColumn('kind', 'varchar(8)', (c) => c.notNull().defaultTo('person'))
    .execute();
  // The agent username: an optional sign-in name (type=2 of /web_v1/user/login), lower case.
  await db.schema.alterTable('users').addColumn('username', 'varchar(32)').execute();
  await db.schema.createIndex('users_username_uq').on('users').column('username').unique().execute();
  // A stable public id (user/info `openid`), never a credential.
  await db.schema
    .alterTable('users')
    .addColumn('openid', 'varchar(32)', (c) => c.notNull().defaultTo(''))
    .execute();
  const existing = await db.selectFrom('users').select('id').execute();
  for (const row of existing) {
    await db.updateTable('users').set({ openid: newOpenId() }).where('id', '=', row.id).execute();
  }
  await db.schema.createIndex('users_openid_uq').on('users').column('openid').unique().execute();

  await db.schema
    .createTable('teams')
    .addColumn('id', sql.raw(id), idColumn)
    .addColumn('public_id', 'varchar(12)', (c) => c.notNull())
    .addColumn('name', 'varchar(64)', (c) => c.notNull())
    .addColumn('owner_user_id', 'bigint', (c) => c.notNull().references('users.id'))
    // The users row (kind 'team') that owns the team's sub-accounts, packages, white IPs, orders and wallet.
    .addColumn('backing_user_id', 'bigint', (c) => c.notNull().references('users.id'))
    .addColumn('status', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('teams_public_id_uq').on('teams').column('public_id').unique().execute();
  await db.schema.createIndex('teams_backing_user_uq').on('teams').column('backing_user_id').unique().execute();

  await db.schema
    .createTable('team_members')
    .addColumn('team_id', 'bigint', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // 'owner' | 'member'
    .addColumn('role', 'varchar(16)', (c) => c.notNull())
    // Comma-separated: manage_accounts, view_billing, pay.
    .addColumn('permissions', 'varchar(128)', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('team_members_pk', ['team_id', 'user_id'])
    .execute();
  await db.schema.createIndex('team_members_user_idx').on('team_members').column('user_id').execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', sql.raw(id), idColumn)
    // Who created it: the key authenticates as this user.
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // A team-bound key acts for this team (with its creator's permissions there) and nowhere else.
    .addColumn('team_id', 'bigint', (c) => c.references('teams.id').onDelete('cascade'))
    .addColumn('name', 'varchar(64)', (c) => c.notNull().defaultTo(''))
    // SHA-256 of the key, hex, as users.app_key_hash.
    .addColumn('key_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('last4', 'varchar(4)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();
  await db.schema.createIndex('api_keys_hash_uq').on('api_keys').column('key_hash').unique().execute();
  await db.schema.createIndex('api_keys_user_idx').on('api_keys').columns(['user_id', 'id']).execute();
  await db.schema.createIndex('api_keys_team_idx').on('api_keys').columns(['team_id', 'id']).execute();

  await db.schema
    .createTable('user_second_factors')
    .addColumn('user_id', 'bigint', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    // The TOTP secret (base32), encrypted; set once enrolment is confirmed.
    .addColumn('totp_secret_enc', 'varchar(255)')
    // A secret being enrolled, encrypted, until a code confirms it.
    .addColumn('totp_pending_enc', 'varchar(255)')
    .addColumn('totp_enabled_at', 'bigint')
    // The last TOTP time step accepted: a code is good once.
    .addColumn('totp_last_step', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('email_enabled_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  // One-time codes mailed to users: one live code per user and purpose.
  await db.schema
    .createTable('verify_codes')
    .addColumn('id', sql.raw(id), idColumn)
    .addColumn('user_id', 'bigint', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // 'login' | 'enrol' | 'confirm'
    .addColumn('purpose', 'varchar(16)', (c) => c.notNull())
    // HMAC-SHA256 of the code under a key derived from TOLLGATE_SECRET, hex.
    .addColumn('code_hash', 'varchar(64)', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('verify_codes_user_uq').on('verify_codes').columns(['user_id', 'purpose']).unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('verify_codes').execute();
  await db.schema.dropTable('user_second_factors').execute();
  await db.schema.dropTable('api_keys').execute();
  await db.schema.dropTable('team_members').execute();
  await db.schema.dropTable('teams').execute();
  await db.schema.dropIndex('users_openid_uq').execute();
  await db.schema.alterTable('users').dropColumn('openid').execute();
  await db.schema.dropIndex('users_username_uq').execute();
  await db.schema.alterTable('users').dropColumn('username').execute();
  await db.schema.alterTable('users').dropColumn('kind').execute();
}
