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
  /** The app_key's last 4 characters (shown masked in the portal); '' for keys issued before it was kept. */
  app_key_last4: Generated<string>;
  /** 1 active, 0 disabled. */
  status: number;
  /** 1 verified, 0 not. */
  is_real_name: number;
  /** Balance in cents; only billing changes it. */
  balance_cents: number;
  /** Bumped when a password changes or the user is disabled, invalidating issued tokens. */
  token_version: number;
  /** The user who invited this one (invitation discount on a first order). */
  invited_by: number | null;
  /** 'person' (signs in) or 'team' (a team's space: never signs in, holds no key). */
  kind: Generated<string>;
  /** The agent username: an optional sign-in name, lower case; null when none. */
  username: string | null;
  /** The stable public id (`openid`): 24 characters of [a-z0-9], never a credential. */
  openid: string;
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
  /** Traffic limit per local day (TOLLGATE_TZ) in GB, 0 = none. */
  daily_limit_gb: Generated<number>;
  /** 1: SOCKS5 UDP ASSOCIATE allowed; 0: refused. */
  udp: Generated<number>;
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
  /** PostgreSQL: the writing transaction's id (pg_current_xact_id), for reading in commit order; SQLite: 0. */
  txid: Generated<number>;
}

export interface UserPackagesTable {
  id: Generated<number>;
  user_id: number;
  product_type: number;
  total_bytes: number;
  /** Billed bytes drawn from this package (may pass total_bytes by the overshoot of the last flush). */
  used_bytes: number;
  /** Time packages: Mbit/s granted; 0 on traffic packages. */
  bandwidth_mbps: Generated<number>;
  /** Time packages: open connections granted; 0 on traffic packages. */
  concurrency: Generated<number>;
  /** Effective from (the API's `created_at`). */
  starts_at: number;
  expires_at: number;
  trade_no: string;
  /** The order's title. */
  title: string;
  order_created_at: number | null;
  order_pay_at: number | null;
  /** 1 active, 0 withdrawn (refunded or revoked by the operator). */
  status: number;
  created_at: number;
  updated_at: number;
}

export interface WhiteIpsTable {
  id: Generated<number>;
  user_id: number;
  /** Canonical text form: IPv4 dotted quad, IPv6 in RFC 5952 short form (ipaddr.js toString()). */
  ip: string;
  remark: string;
  /** The product type it is whitelisted for (proxy-ip/add); 9 for white-ip/add. */
  product_type: Generated<number>;
  /** Type 11: the time package it is bound to (proxy-ip/add `user_product_id`); null otherwise. */
  user_package_id: number | null;
  created_at: number;
}

/** The operator's per-user overrides of the fair-share caps; null: the platform default. */
export interface UserLimitsTable {
  user_id: number;
  sub_accounts: number | null;
  white_ips: number | null;
  extract_leases: number | null;
  tunnels_per_user: number | null;
  tunnels_per_account: number | null;
  updated_at: number;
}

export interface ExtractLeasesTable {
  /** The extraction port; one row per port, overwritten when an expired lease's port is leased again. */
  port: number;
  user_id: number;
  /** The entry region (`ep`) the lease was made for. */
  entry: string;
  country: string;
  state: string;
  city: string;
  /** The exit node the port is bound to for the lease. */
  node_id: number;
  created_at: number;
  expires_at: number;
}

export interface StaticIpsTable {
  id: Generated<number>;
  ip: string;
  port: number;
  country: string;
  state: string;
  city: string;
  /** 14 datacenter, 25 residential. */
  product_type: number;
  /** The exit: direct://IP (bound source address) or an upstream proxy URL; encrypted. */
  url_enc: string;
  url_display: string;
  /** 1 while the operator has it in maintenance (status 4 in listings). */
  maintenance: number;
  /** The autonomous system announcing it; 0 = not recorded. */
  asn: number;
  created_at: number;
  updated_at: number;
}

export interface StaticIpAllocationsTable {
  /** The id renewals use (`upids`). */
  id: Generated<number>;
  static_ip_id: number;
  user_id: number;
  trade_no: string;
  created_at: number;
  expires_at: number;
  /** Set when released before expiry (refund, operator). */
  released_at: number | null;
}

export interface ProductsTable {
  id: Generated<number>;
  title: string;
  description: string;
  product_type: number;
  /** Price of one unit, in cents. */
  unit_price_cents: number;
  /** Traffic one unit provisions (types 9, 12), bytes; 0 otherwise. */
  unit_bytes: number;
  /** Validity one unit provisions (days of a package, of a static IP, of a renewal). */
  unit_days: number;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface ProductSkusTable {
  id: Generated<number>;
  product_id: number;
  /** 'bandwidth' | 'concurrency' | 'duration' (type 11). */
  kind: string;
  title: string;
  /** Mbps for bandwidth, connections for concurrency. */
  value: number;
  price_cents: number;
  created_at: number;
}

export interface PaymentMethodsTable {
  id: Generated<number>;
  /** 'balance' (built in) | 'external' (signed webhook) | 'manual' (the operator marks orders paid). */
  kind: string;
  title: string;
  logo: string;
  /** Group identifier (`group` in payment/groups) and its display name. */
  group_code: string;
  group_name: string;
  /** External methods: the webhook signing secret, encrypted. */
  secret_enc: string;
  /** External methods: where the customer pays; `{trade_no}` and `{amount}` are filled in. */
  pay_url: string;
  disabled: number;
  /** Order amount bounds in cents; max 0 = none. */
  min_cents: number;
  max_cents: number;
  sort: number;
  created_at: number;
  updated_at: number;
}

export interface CouponsTable {
  id: Generated<number>;
  code: string;
  name: string;
  /** 'percent' (discount_value in basis points: 1000 = 10 % off) | 'amount' (cents off). */
  discount_kind: string;
  discount_value: number;
  min_fee_cents: number;
  /** Product ids it applies to, comma-separated; '' = every product. */
  product_ids: string;
  /** 0 = unlimited. */
  max_uses: number;
  used_count: number;
  expires_at: number;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface GiftTiersTable {
  id: Generated<number>;
  amount_cents: number;
  /** 12000 = ×1.2. */
  ratio_bp: number;
  created_at: number;
}

export interface OrdersTable {
  id: Generated<number>;
  trade_no: string;
  user_id: number;
  product_id: number;
  product_type: number;
  product_name: string;
  /** Units bought (IPs for static products, renew count × IPs for renewals). */
  amount: number;
  total_fee_cents: number;
  discount_cents: number;
  pay_fee_cents: number;
  coupon_id: number | null;
  pm_id: number;
  /** 0 pending, 1 paid, 2 closed (cancelled or expired unpaid), 3 refunded. */
  status: number;
  /** JSON OrderDetails: what exactly was ordered (regions, renewed ids, SKUs, recharge amount). */
  details: string;
  created_at: number;
  /** A pending order past this closes (TOLLGATE_ORDER_TTL). */
  expires_at: number;
  paid_at: number | null;
  closed_at: number | null;
  refunded_at: number | null;
  updated_at: number;
}

export interface BalanceLedgerTable {
  id: Generated<number>;
  user_id: number;
  delta_cents: number;
  /** 'recharge' | 'gift' | 'order' | 'refund' | 'adjust' */
  reason: string;
  order_id: number | null;
  balance_after_cents: number;
  created_at: number;
  /** The operator's reason for an 'adjust' row; '' otherwise. */
  note: Generated<string>;
}

export interface OrderProvisionsTable {
  id: Generated<number>;
  order_id: number;
  /** 'package' (ref: user_packages.id) | 'static' (ref: static_ip_allocations.id) | 'renewal' (ref: allocation id) | 'balance' (ref: balance_ledger.id) */
  kind: string;
  ref_id: number;
  /** JSON: what reversing needs (e.g. a renewal's previous expiry). */
  detail: string;
  created_at: number;
}

export interface PaymentEventsTable {
  id: Generated<number>;
  pm_id: number;
  /** The provider's event id, or the trade_no when it sends none. */
  event_key: string;
  order_id: number;
  payload_sha256: string;
  created_at: number;
}

export interface TeamsTable {
  id: Generated<number>;
  /** 6-12 characters, a letter first, upper case: what `team_id` names. */
  public_id: string;
  name: string;
  owner_user_id: number;
  /** The users row (kind 'team') owning the team's resources and wallet. */
  backing_user_id: number;
  /** 1 active, 0 disabled by the operator. */
  status: number;
  created_at: number;
  updated_at: number;
}

export interface TeamMembersTable {
  team_id: number;
  user_id: number;
  /** 'owner' | 'member' */
  role: string;
  /** Comma-separated permissions: manage_accounts, view_billing, pay. */
  permissions: string;
  created_at: number;
  updated_at: number;
}

export interface ApiKeysTable {
  id: Generated<number>;
  /** The creator: the key authenticates as this user. */
  user_id: number;
  /** A team-bound key acts for this team only; null: a personal key. */
  team_id: number | null;
  name: string;
  /** SHA-256 of the key, hex. */
  key_hash: string;
  last4: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface UserSecondFactorsTable {
  user_id: number;
  totp_secret_enc: string | null;
  totp_pending_enc: string | null;
  totp_enabled_at: number | null;
  /** The last TOTP time step accepted (a code is good once). */
  totp_last_step: number;
  email_enabled_at: number | null;
  updated_at: number;
}

export interface VerifyCodesTable {
  id: Generated<number>;
  user_id: number;
  /** 'login' | 'enrol' | 'confirm' */
  purpose: string;
  /** HMAC-SHA256 of the code, hex. */
  code_hash: string;
  attempts: number;
  created_at: number;
  expires_at: number;
}

/** A package marked for auto-renewal; a renewal moves the row to the package it bought. */
export interface AutoRenewalsTable {
  id: Generated<number>;
  user_id: number;
  user_package_id: number;
  /** 1 on, 0 off. */
  status: number;
  /** Renewals left; null: every period until turned off. */
  remaining: number | null;
  /** Failed attempts since the last renewal. */
  failures: number;
  next_attempt_at: number;
  last_attempt_at: number | null;
  created_at: number;
  updated_at: number;
}

/** What each auto-renewal attempt did. */
export interface AutoRenewalLogsTable {
  id: Generated<number>;
  user_id: number;
  user_package_id: number;
  /** The package the renewal bought; null when it failed. */
  new_user_package_id: number | null;
  /** 1 renewed, 0 failed. */
  status: number;
  trade_no: string;
  pay_fee_cents: number;
  /** The catalogued code of a failure; 0 when renewed. */
  error_code: number;
  reason: string;
  created_at: number;
}

/** A portal sign-in (web consoles): the cookie's token, stored as its SHA-256. */
export interface WebSessionsTable {
  /** SHA-256 of the session token, hex. */
  token_hash: string;
  user_id: number;
  /** users.token_version at sign-in: a later password change ends the session. */
  token_version: number;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
}

/** A customer's invoice details: whom an invoice is made out to. */
export interface InvoiceProfilesTable {
  id: Generated<number>;
  user_id: number;
  /** 'personal' | 'company' */
  kind: string;
  title: string;
  tax_no: string;
  email: string;
  address: string;
  remark: string;
  created_at: number;
  updated_at: number;
}

/** An invoice request and, once issued, the invoice; the profile's fields are copied in. */
export interface InvoicesTable {
  id: Generated<number>;
  user_id: number;
  kind: string;
  title: string;
  tax_no: string;
  email: string;
  address: string;
  remark: string;
  amount_cents: number;
  /** 0 requested, 1 issued, 2 rejected, 3 cancelled, 4 voided. */
  status: number;
  number: string | null;
  /** Why it was rejected or voided. */
  reason: string;
  created_at: number;
  issued_at: number | null;
  closed_at: number | null;
  updated_at: number;
}

/** The orders an invoice that still counts (requested or issued) covers; an order is on one at most. */
export interface InvoiceOrdersTable {
  order_id: number;
  invoice_id: number;
  amount_cents: number;
}

/** Usage flushes applied (gateway id and sequence), so a retried or replayed flush is applied once. */
export interface UsageFlushesTable {
  flush_id: string;
  gateway_id: string;
  bytes: number;
  created_at: number;
}

export interface Database {
  users: UsersTable;
  sub_accounts: SubAccountsTable;
  exit_nodes: ExitNodesTable;
  usage_hourly: UsageHourlyTable;
  change_log: ChangeLogTable;
  user_packages: UserPackagesTable;
  white_ips: WhiteIpsTable;
  extract_leases: ExtractLeasesTable;
  static_ips: StaticIpsTable;
  static_ip_allocations: StaticIpAllocationsTable;
  products: ProductsTable;
  product_skus: ProductSkusTable;
  payment_methods: PaymentMethodsTable;
  coupons: CouponsTable;
  gift_tiers: GiftTiersTable;
  orders: OrdersTable;
  balance_ledger: BalanceLedgerTable;
  order_provisions: OrderProvisionsTable;
  payment_events: PaymentEventsTable;
  user_limits: UserLimitsTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  api_keys: ApiKeysTable;
  user_second_factors: UserSecondFactorsTable;
  verify_codes: VerifyCodesTable;
  auto_renewals: AutoRenewalsTable;
  auto_renewal_logs: AutoRenewalLogsTable;
  operators: OperatorsTable;
  operator_sessions: OperatorSessionsTable;
  audit_log: AuditLogTable;
  web_sessions: WebSessionsTable;
  invoice_profiles: InvoiceProfilesTable;
  invoices: InvoicesTable;
  invoice_orders: InvoiceOrdersTable;
  usage_flushes: UsageFlushesTable;
}

/** An operator of the platform (the console), apart from customers. */
export interface OperatorsTable {
  id: Generated<number>;
  /** Lower case. */
  email: string;
  /** scrypt, as customers' passwords. */
  password_hash: string;
  /** 'admin' | 'support' */
  role: string;
  /** 1 active, 0 disabled. */
  status: number;
  last_sign_in_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface OperatorSessionsTable {
  /** SHA-256 of the session cookie's token, hex. */
  token_hash: string;
  operator_id: number;
  created_at: number;
  expires_at: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  created_at: number;
  /** 'operator' | 'token' | 'cli' */
  actor_kind: string;
  operator_id: number | null;
  /** The operator's email, or 'admin-token' / 'cli'. */
  actor: string;
  action: string;
  target_type: string;
  target_id: string;
  ip: string;
  /** HTTP status of the answer. */
  status: number;
  /** The error key when refused; '' on success. */
  error: string;
  /** JSON, secrets redacted; '' when none. */
  request_json: string;
  before_json: string;
  after_json: string;
}

export type OrderRow = Selectable<OrdersTable>;

export type ExitNodeRow = Selectable<ExitNodesTable>;
export type NewExitNodeRow = Insertable<ExitNodesTable>;

export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type SubAccountRow = Selectable<SubAccountsTable>;
export type NewSubAccountRow = Insertable<SubAccountsTable>;

export type UserLimitsRow = Selectable<UserLimitsTable>;

export type TeamRow = Selectable<TeamsTable>;
export type TeamMemberRow = Selectable<TeamMembersTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type AutoRenewalRow = Selectable<AutoRenewalsTable>;
export type AutoRenewalLogRow = Selectable<AutoRenewalLogsTable>;
