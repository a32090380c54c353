/** Route schemas of the operator console's additions to /admin: sessions, operators, audit, live view, user detail. */
import { Type } from '@sinclair/typebox';
import { OPERATOR_PASSWORD_MAX, OPERATOR_ROLES } from '../../operators/index.js';
import { ADJUST_MAX_CENTS, ADJUST_NOTE_MAX } from '../../billing/index.js';
import { AdminUser } from './admin.js';
import { Envelope, IdParams, NullData, PageNo } from './common.js';
import { AdminOrder } from './payments.js';
import { AdminPackage } from './packages.js';

export const OperatorItem = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  role: Type.Union(OPERATOR_ROLES.map((r) => Type.Literal(r))),
  status: Type.Integer({ description: '1 active, 0 disabled' }),
  last_sign_in_at: Type.Union([Type.String(), Type.Null()], { description: 'ISO 8601' }),
  created_at: Type.String({ description: 'ISO 8601' }),
});

const SessionData = Type.Object({
  operator: OperatorItem,
  csrf_token: Type.String({ description: 'Send it as X-CSRF-Token on every state-changing call made with the cookie' }),
  expires_at: Type.String({ description: 'ISO 8601' }),
});

export const OperatorSignIn = {
  summary: 'Operator sign-in: sets the httpOnly console session cookie',
  tags: ['admin session'],
  security: [],
  body: Type.Object({
    email: Type.String({ maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: OPERATOR_PASSWORD_MAX }),
  }),
  response: { 200: Envelope(SessionData) },
};

export const OperatorSessionShow = {
  summary: 'The signed-in operator and the session’s CSRF token',
  tags: ['admin session'],
  security: [],
  response: { 200: Envelope(SessionData) },
};

export const OperatorSignOut = {
  summary: 'Sign out: ends the session and clears the cookie',
  tags: ['admin session'],
  security: [],
  response: { 200: Envelope(NullData) },
};

export const AdminListOperators = {
  summary: 'List operators',
  tags: ['admin'],
  response: { 200: Envelope(Type.Object({ list: Type.Array(OperatorItem) })) },
};

export const AuditItem = Type.Object({
  id: Type.Integer(),
  created_at: Type.String({ description: 'ISO 8601' }),
  actor_kind: Type.String({
    description: 'operator, token (the admin token), cli, or customer (a customer’s own action in the portal)',
  }),
  operator_id: Type.Union([Type.Integer(), Type.Null()]),
  actor: Type.String({ description: 'The operator’s (or customer’s) email, admin-token or cli' }),
  action: Type.String({ description: 'METHOD and route, e.g. POST /admin/nodes/:id/disable' }),
  target_type: Type.String(),
  target_id: Type.String(),
  ip: Type.String(),
  status: Type.Integer({ description: 'HTTP status of the answer' }),
  error: Type.String({ description: 'The error key when refused, else empty' }),
  request: Type.Unknown({ description: 'Path parameters and body, secrets redacted' }),
  before: Type.Unknown({ description: 'The target as GET showed it before, when it has a show route' }),
  after: Type.Unknown({ description: 'The answer’s data, secrets redacted' }),
});

export const AdminListAudit = {
  summary: 'The audit log of operator actions, newest first',
  tags: ['admin'],
  querystring: Type.Object({
    operator: Type.Optional(Type.String({ maxLength: 254, description: 'Operator id or email, admin-token, or cli' })),
    action: Type.Optional(Type.String({ maxLength: 128, description: 'Exact action, or a prefix ending in *' })),
    target_type: Type.Optional(Type.String({ maxLength: 32, description: 'e.g. users, nodes, orders' })),
    target_id: Type.Optional(Type.String({ maxLength: 64 })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'ISO 8601, inclusive' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'ISO 8601, exclusive' })),
    page: PageNo(),
    size: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  }),
  response: {
    200: Envelope(
      Type.Object({
        list: Type.Array(AuditItem),
        page: Type.Integer(),
        page_size: Type.Integer(),
        total_count: Type.Integer(),
        total_page: Type.Integer(),
      }),
    ),
  },
};

const ExitLive = Type.Object({
  id: Type.Integer(),
  url: Type.String({ description: 'Credentials masked' }),
  country: Type.String(),
  weight: Type.Integer(),
  healthy: Type.Boolean(),
  latency_ms: Type.Union([Type.Integer(), Type.Null()], { description: 'Connect time at the last passing probe' }),
  probed_at: Type.Union([Type.String(), Type.Null()]),
});

export const AdminLive = {
  summary: 'Live view: connections, throughput, top accounts, auth failures, exit health',
  tags: ['admin'],
  response: {
    200: Envelope(
      Type.Object({
        at: Type.String(),
        gateway: Type.Boolean({ description: 'Whether this process runs the gateway (the in-memory figures are its own)' }),
        open_connections: Type.Union([Type.Integer(), Type.Null()]),
        throughput: Type.Union([
          Type.Object({ up_bps: Type.Integer(), down_bps: Type.Integer(), window_seconds: Type.Integer() }),
          Type.Null(),
        ]),
        auth_failures: Type.Union([
          Type.Object({ total: Type.Integer(), last_minute: Type.Integer(), last_hour: Type.Integer() }),
          Type.Null(),
        ]),
        series: Type.Array(
          Type.Object({ at: Type.String(), up_bps: Type.Integer(), down_bps: Type.Integer(), connections: Type.Integer() }),
        ),
        top_accounts: Type.Array(Type.Object({ user_id: Type.Integer(), email: Type.String(), bytes: Type.Integer() }), {
          description: 'By bytes metered in the current and previous hour buckets (from the database: every gateway)',
        }),
        exits: Type.Array(ExitLive),
      }),
    ),
  },
};

const LedgerItem = Type.Object({
  id: Type.Integer(),
  delta_cents: Type.Integer(),
  reason: Type.String({ description: 'recharge, gift, order, refund, adjust' }),
  note: Type.String({ description: 'The operator’s reason, for adjust' }),
  order_id: Type.Union([Type.Integer(), Type.Null()]),
  balance_after_cents: Type.Integer(),
  created_at: Type.String(),
});

const OperatorSubAccount = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  product_type: Type.Integer(),
  status: Type.Integer(),
  remark: Type.String(),
  used_bytes: Type.Integer(),
  limit_gb: Type.Integer(),
  created_at: Type.String(),
});

const OperatorWhiteIp = Type.Object({ id: Type.Integer(), ip: Type.String(), remark: Type.String(), created_at: Type.String() });

export const AdminUserDetail = {
  summary: 'A user with balance and ledger, packages, sub-accounts, orders, white IPs and static IPs',
  tags: ['admin'],
  params: IdParams,
  response: {
    200: Envelope(
      Type.Object({
        user: AdminUser,
        balance_cents: Type.Integer(),
        ledger: Type.Array(LedgerItem, { description: 'The newest 50 rows' }),
        ledger_total: Type.Integer(),
        packages: Type.Array(AdminPackage, { description: 'The newest 50, withdrawn included' }),
        packages_total: Type.Integer(),
        sub_accounts: Type.Array(OperatorSubAccount, { description: 'The first 100 (no passwords)' }),
        sub_accounts_total: Type.Integer(),
        orders: Type.Array(AdminOrder, { description: 'The newest 20' }),
        orders_total: Type.Integer(),
        white_ips: Type.Array(OperatorWhiteIp),
        static_ips: Type.Array(
          Type.Object({
            id: Type.Integer(),
            ip: Type.String(),
            port: Type.Integer(),
            country: Type.String(),
            product_type: Type.Integer(),
            trade_no: Type.String(),
            status: Type.Integer(),
            created_at: Type.String(),
            expired_at: Type.String(),
          }),
          { description: 'The first 50 allocations, past ones included' },
        ),
      }),
    ),
  },
};

export const AdminUserLedger = {
  summary: 'A user’s balance ledger, newest first',
  tags: ['admin'],
  params: IdParams,
  querystring: Type.Object({ page: PageNo(), size: Type.Integer({ minimum: 1, maximum: 500, default: 50 }) }),
  response: {
    200: Envelope(
      Type.Object({ list: Type.Array(LedgerItem), page: Type.Integer(), page_size: Type.Integer(), total_count: Type.Integer() }),
    ),
  },
};

export const AdminAdjustBalance = {
  summary: 'Adjust a user’s balance with a reason (a ledger row of reason adjust)',
  tags: ['admin'],
  params: IdParams,
  body: Type.Object({
    amount_cents: Type.Integer({
      minimum: -ADJUST_MAX_CENTS,
      maximum: ADJUST_MAX_CENTS,
      description: 'Cents to add; negative takes away (never below a zero balance); not 0',
    }),
    reason: Type.String({ minLength: 1, maxLength: ADJUST_NOTE_MAX }),
  }),
  response: { 200: Envelope(Type.Object({ entry: LedgerItem, user: AdminUser })) },
};

export const AdminSetUserStatus = {
  summary: 'Enable or disable a user (support operators may)',
  tags: ['admin'],
  params: IdParams,
  body: Type.Object({ status: Type.Union([Type.Literal(0), Type.Literal(1)], { description: '1 active, 0 disabled' }) }),
  response: { 200: Envelope(AdminUser) },
};

export const AdminResetUserPassword = {
  summary: 'Set a user’s password (support operators may); ends the user’s sign-in tokens',
  tags: ['admin'],
  params: IdParams,
  body: Type.Object({ password: Type.String({ minLength: 8, maxLength: 256, description: 'At least 8 characters' }) }),
  response: { 200: Envelope(AdminUser) },
};
