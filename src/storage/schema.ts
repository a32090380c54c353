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

export interface ExitNodesTable {
  id: Generated<number>;
  /** The node URL (direct://, http://, socks5://), encrypted: it may carry upstream credentials. */
  url_enc: string;
  /** The URL with any password masked, for listings. */
  url_display: string;
  /** ISO 3166-1 alpha-2, upper case. */
  country: string;
  /** Lower case, no spaces; '' when unknown. */
  state: string;
  city: string;
  /** Product types served, comma-separated: "9,11". */
  product_types: string;
  weight: number;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface UsageHourlyTable {
  user_id: number;
  product_type: number;
  username: string;
  /** Epoch ms of the hour's start in the platform time zone. */
  hour_start: number;
  bytes: number;
}

export interface ChangeLogTable {
  id: Generated<number>;
  /** What changed: 'sub_account' | 'user' | 'exit_node'. */
  entity: string;
  entity_id: number;
  created_at: number;
}

export interface Database {
  users: UsersTable;
  sub_accounts: SubAccountsTable;
  exit_nodes: ExitNodesTable;
  usage_hourly: UsageHourlyTable;
  change_log: ChangeLogTable;
}

export type ExitNodeRow = Selectable<ExitNodesTable>;
export type NewExitNodeRow = Insertable<ExitNodesTable>;

export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type SubAccountRow = Selectable<SubAccountsTable>;
export type NewSubAccountRow = Insertable<SubAccountsTable>;
