/**
 * What the operator console needs beyond the original /admin routes: operators, the audit log, the live view,
 * a user's whole picture, balance adjustments, and the two writes support operators may make (user status,
 * password reset).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { SubAccountsService, UsersService, WhiteIpsService } from '../../../accounts/index.js';
import type { AuditEntry, AuditService } from '../../../audit/index.js';
import { type BalanceAdjustments, type LedgerEntry } from '../../../billing/index.js';
import { adminOrderView, type PaymentsService } from '../../../billing/payments/index.js';
import type { LiveSnapshot } from '../../../gateway/index.js';
import type { OperatorsService } from '../../../operators/index.js';
import { type PackagesService, packageView } from '../../../packages/index.js';
import type { PoolMember } from '../../../pool/index.js';
import type { StaticIpsService } from '../../../static-ips/index.js';
import type { UsageService } from '../../../usage/index.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/console.js';
import { operatorView } from './session.js';
import { adminUserView } from './users.js';

/** The gateway running in this process, as the live view reads it. */
export interface LiveSource {
  snapshot(): LiveSnapshot;
  exits(): readonly PoolMember[];
}

export interface ConsoleRoutesDeps {
  readonly operators: OperatorsService;
  readonly audit: AuditService;
  readonly users: UsersService;
  readonly balances: BalanceAdjustments;
  readonly packages: PackagesService;
  readonly subAccounts: SubAccountsService;
  readonly whiteIps: WhiteIpsService;
  readonly staticIps: StaticIpsService;
  readonly payments: PaymentsService;
  readonly usage: UsageService;
  readonly live?: LiveSource | undefined;
  readonly now: () => number;
}

const iso = (ms: number) => new Date(ms).toISOString();

function ledgerView(e: LedgerEntry) {
  return {
    id: e.id,
    delta_cents: e.deltaCents,
    reason: e.reason,
    note: e.note,
    order_id: e.orderId,
    balance_after_cents: e.balanceAfterCents,
    created_at: iso(e.createdAt),
  };
}

function auditView(e: AuditEntry) {
  return {
    id: e.id,
    created_at: iso(e.createdAt),
    actor_kind: e.actorKind,
    operator_id: e.operatorId,
    actor: e.actor,
    action: e.action,
    target_type: e.targetType,
    target_id: e.targetId,
    ip: e.ip,
    status: e.status,
    error: e.error,
    request: e.request,
    before: e.before,
    after: e.after,
  };
}

export const adminConsoleRoutes: FastifyPluginAsyncTypebox<ConsoleRoutesDeps> = async (app, deps) => {
  const { users } = deps;

  app.get('/operators', { schema: S.AdminListOperators }, async (request) =>
    ok({ list: (await deps.operators.list()).map(operatorView) }, languageOf(request)),
  );

  app.get('/audit', { schema: S.AdminListAudit }, async (request) => {
    const q = request.query;
    const { items, total } = await deps.audit.list({
      actor: q.operator,
      action: q.action,
      targetType: q.target_type,
      targetId: q.target_id,
      from: q.from === undefined ? undefined : Date.parse(q.from),
      to: q.to === undefined ? undefined : Date.parse(q.to),
      page: q.page,
      size: q.size,
    });
    return ok(
      { list: items.map(auditView), page: q.page, page_size: q.size, total_count: total, total_page: Math.ceil(total / q.size) },
      languageOf(request),
    );
  });

  app.get('/live', { schema: S.AdminLive }, async (request) => {
    const now = deps.now();
    const top = await deps.usage.topUsers(now - 3_600_000, 10);
    const live = deps.live;
    const snap = live?.snapshot();
    return ok(
      {
        at: iso(now),
        gateway: live !== undefined,
        open_connections: snap ? snap.openConnections : null,
        throughput: snap
          ? { up_bps: snap.throughput.up, down_bps: snap.throughput.down, window_seconds: snap.throughput.windowSeconds }
          : null,
        auth_failures: snap
          ? { total: snap.authFailures.total, last_minute: snap.authFailures.lastMinute, last_hour: snap.authFailures.lastHour }
          : null,
        series: (snap?.series ?? []).map((p) => ({ at: iso(p.at), up_bps: p.up, down_bps: p.down, connections: p.connections })),
        top_accounts: top.map((t) => ({ user_id: t.userId, email: t.email, bytes: t.bytes })),
        exits: (live?.exits() ?? []).map((m) => ({
          id: m.node.id,
          url: m.node.urlDisplay,
          country: m.node.country,
          weight: m.node.weight,
          healthy: m.healthy,
          latency_ms: m.latencyMs ?? null,
          probed_at: m.probedAt > 0 ? iso(m.probedAt) : null,
        })),
      },
      languageOf(request),
    );
  });

  app.get('/users/:id/detail', { schema: S.AdminUserDetail }, async (request) => {
    const user = await users.get(request.params.id);
    const [ledger, packages, subAccounts, orders, whiteIps, staticIps] = await Promise.all([
      deps.balances.ledger(user.id, 1, 50),
      deps.packages.list(user.id, { page: 1, size: 50, includeWithdrawn: true }),
      deps.subAccounts.list(user.id),
      deps.payments.listOrders({ userId: user.id, page: 1, size: 20 }),
      deps.whiteIps.list(user.id),
      deps.staticIps.listForUser(user.id, { page: 1, size: 50 }),
    ]);
    return ok(
      {
        user: adminUserView(user),
        balance_cents: user.balanceCents,
        ledger: ledger.items.map(ledgerView),
        ledger_total: ledger.total,
        packages: packages.items.map(packageView),
        packages_total: packages.total,
        sub_accounts: subAccounts.slice(0, 100).map((a) => ({
          id: a.id,
          username: a.username,
          product_type: a.productType,
          status: a.status,
          remark: a.remark,
          used_bytes: a.usedBytes,
          limit_gb: a.limitGb,
          created_at: iso(a.createdAt),
        })),
        sub_accounts_total: subAccounts.length,
        orders: orders.items.map(adminOrderView),
        orders_total: orders.total,
        white_ips: whiteIps.map((w) => ({ id: w.id, ip: w.ip, remark: w.remark, created_at: iso(w.createdAt) })),
        static_ips: staticIps.list.map((a) => ({
          id: a.id,
          ip: a.ip,
          port: a.port,
          country: a.country,
          product_type: a.productType,
          trade_no: a.tradeNo,
          status: a.status,
          created_at: iso(a.createdAt),
          expired_at: iso(a.expiresAt),
        })),
      },
      languageOf(request),
    );
  });

  app.get('/users/:id/ledger', { schema: S.AdminUserLedger }, async (request) => {
    const { page, size } = request.query;
    const { items, total } = await deps.balances.ledger(request.params.id, page, size);
    return ok({ list: items.map(ledgerView), page, page_size: size, total_count: total }, languageOf(request));
  });

  app.post('/users/:id/balance', { schema: S.AdminAdjustBalance }, async (request) => {
    const entry = await deps.balances.adjust(request.params.id, request.body.amount_cents, request.body.reason);
    return ok({ entry: ledgerView(entry), user: adminUserView(await users.get(request.params.id)) }, languageOf(request));
  });

  app.post('/users/:id/status', { schema: S.AdminSetUserStatus, config: { access: 'support' } }, async (request) =>
    ok(adminUserView(await users.update(request.params.id, { status: request.body.status })), languageOf(request)),
  );

  app.post('/users/:id/password', { schema: S.AdminResetUserPassword, config: { access: 'support' } }, async (request) =>
    ok(adminUserView(await users.update(request.params.id, { password: request.body.password })), languageOf(request)),
  );
};
