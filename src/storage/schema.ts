/**
 * Table types as Kysely sees them. Times are epoch milliseconds (bigint in
 * PostgreSQL, integer in SQLite) so both dialects store and compare them the
 * same way; presentation formats them in the configured time zone.
 */
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface UsersTable {
  id: Generated<number>;
  email: string;
  phone: string;
  /** scrypt hash; null when the user signs in with the app_key only. */
  password_hash: string | null;
  /** SHA-256 of the app_key, hex. */
  app_key_hash: string;
  /** 1 active, 0 disabled. */
  status: number;
  /** 1 verified, 0 not. */
  is_real_name: number;
  /** Balance in cents; only billing changes it. */
  balance_cents: number;
  /** Bumped when a password changes or the user is disabled, invalidating issued tokens. */
  token_version: number;
  created_at: number;
  updated_at: number;
}

export interface SubAccountsTable {
  id: Generated<number>;
  user_id: number;
  product_type: number;
  username: string;
  /** AES-256-GCM ciphertext of the password (see accounts/secret-box.ts). */
  password_enc: string;
  remark: string;
  /** Traffic limit in GB, 0 = unlimited. */
  limit_gb: number;
  /** Billed bytes so far; usage_flow is this in KB. */
  used_bytes: number;
  /** 1 enabled, 0 disabled. */
  status: number;
  created_at: number;
  updated_at: number;
}

export interface Database {
  users: UsersTable;
  sub_accounts: SubAccountsTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type SubAccountRow = Selectable<SubAccountsTable>;
export type NewSubAccountRow = Insertable<SubAccountsTable>;
