/**
 * The newer release's account endpoints (issue 17): quotas of proxy accounts and whitelisted IPs per product type,
 * whitelisted IPs by product type (`proxy-ip/*`, the same whitelist as `white-ip/*`), and the traffic left in the
 * valid packages (`user-usage-flow/flow-total`).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type {
  Quota,
  QuotasService,
  SecondFactorsService,
  TypeQuota,
  VerifyType,
  WhiteIp,
  WhiteIpsService,
} from '../../../accounts/index.js';
import { VERIFY_TYPES } from '../../../accounts/index.js';
import { AppError } from '../../../errors/index.js';
import type { PackagesService } from '../../../packages/index.js';
import type { AttemptGuard } from '../../../throttle/index.js';
import { isRefused } from '../../../throttle/index.js';
import type { TimeFormatter } from '../../../time/time-format.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import { callerOf } from '../../plugins/team-scope.js';
import * as S from '../../schemas/newer-accounts.js';
import { throttled } from '../sign-in.js';
import { customerOf } from './context.js';

export interface NewerAccountRoutesDeps {
  readonly quotas: QuotasService;
  readonly whiteIps: WhiteIpsService;
  readonly packages: PackagesService;
  readonly secondFactors: SecondFactorsService;
  /** Wrong second-factor codes, budgeted per user as at sign-in (TOLLGATE_LOGIN_FAIL_PER_EMAIL). */
  readonly codeGuard: AttemptGuard;
  readonly time: TimeFormatter;
}

const UNIT_BYTES: Record<S.FlowUnit, number> = { KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30, TB: 2 ** 40, PB: 2 ** 50 };

/** Bytes in `unit`, rounded down to 2 decimals. */
function inUnit(bytes: number, unit: S.FlowUnit): number {
  return Math.floor((bytes * 100) / UNIT_BYTES[unit]) / 100;
}

const typeQuota = (q: TypeQuota) => ({ product_type: q.productType, used: q.used, allowed: q.allowed, remaining: q.remaining });
const quotas = (q: Quota) => ({ allowed: q.allowed, used: q.used, remaining: q.remaining, list: q.byType.map(typeQuota) });

export const newerAccountRoutes: FastifyPluginAsyncTypebox<NewerAccountRoutesDeps> = async (app, deps) => {
  const { whiteIps, time } = deps;

  app.get('/whitelist-account/quota', { schema: S.AccountQuota, config: { team: 'view' } }, async (request) =>
    ok(
      typeQuota(await deps.quotas.ofType(customerOf(request).id, 'sub_accounts', request.query.product_type)),
      languageOf(request),
    ),
  );
  app.get('/whitelist-account/quotas', { schema: S.AccountQuotas, config: { team: 'view' } }, async (request) =>
    ok(quotas(await deps.quotas.of(customerOf(request).id, 'sub_accounts')), languageOf(request)),
  );
  app.get('/white-ip/quota', { schema: S.WhiteIpQuota, config: { team: 'view' } }, async (request) =>
    ok(typeQuota(await deps.quotas.ofType(customerOf(request).id, 'white_ips', request.query.product_type)), languageOf(request)),
  );
  app.get('/white-ip/quotas', { schema: S.WhiteIpQuotas, config: { team: 'view' } }, async (request) =>
    ok(quotas(await deps.quotas.of(customerOf(request).id, 'white_ips')), languageOf(request)),
  );

  const item = (w: WhiteIp) => ({
    id: w.id,
    ip: w.ip,
    product_type: w.productType,
    user_product_id: w.userPackageId ?? 0,
    remark: w.remark,
    created_at: time.format(w.createdAt),
  });

  app.get('/proxy-ip/list', { schema: S.ProxyIpList, config: { team: 'view' } }, async (request) => {
    const list = await whiteIps.list(customerOf(request).id, request.query.product_type);
    return ok({ list: list.map(item) }, languageOf(request));
  });

  app.post('/proxy-ip/add', { schema: S.ProxyIpAdd, config: { write: true, team: 'manage_accounts' } }, async (request) => {
    const b = request.body;
    const added = await whiteIps.add(customerOf(request).id, b.ips, b.remark, {
      productType: b.product_type,
      userPackageId: b.user_product_id,
    });
    return ok({ list: added.map(item) }, languageOf(request));
  });

  app.post('/proxy-ip/delete', { schema: S.ProxyIpDelete, config: { write: true, team: 'manage_accounts' } }, async (request) => {
    const b = request.body;
    // The person calling proves it is them (a team's space has no factors of its own).
    await confirmSecondFactor(deps, callerOf(request).id, b.verify_type, b.verify_code);
    await whiteIps.delete(customerOf(request).id, { ips: b.ips });
    return ok(null, languageOf(request));
  });

  app.get('/user-usage-flow/flow-total', { schema: S.FlowTotal, config: { team: 'view' } }, async (request) => {
    const unit = request.query.unit ?? 'KB';
    const t = await deps.packages.trafficTotals(customerOf(request).id);
    return ok(
      {
        unit,
        total: inUnit(t.totalBytes, unit),
        used: inUnit(t.usedBytes, unit),
        remaining: inUnit(t.remainingBytes, unit),
        list: t.byType.map((b) => ({
          product_type: b.productType,
          package_count: b.count,
          total: inUnit(b.totalBytes, unit),
          used: inUnit(b.usedBytes, unit),
          remaining: inUnit(b.totalBytes - b.usedBytes, unit),
        })),
      },
      languageOf(request),
    );
  });
};

/**
 * Confirms an operation with the user's second factor when they have one: nothing to do without; otherwise
 * `verify_type`/`verify_code` must be one of their factors and a right code ('confirm' purpose for email codes),
 * wrong codes budgeted per user like sign-in codes.
 */
export async function confirmSecondFactor(
  deps: Pick<NewerAccountRoutesDeps, 'secondFactors' | 'codeGuard'>,
  userId: number,
  verifyType: string | undefined,
  verifyCode: string | undefined,
): Promise<void> {
  const { required, types } = await deps.secondFactors.required(userId);
  if (!required) return;
  if (verifyType === undefined || verifyCode === undefined) {
    throw new AppError('TG_ERR_VERIFY_REQUIRED', { data: { verify_type: types } });
  }
  const type = verifyType as VerifyType;
  if (!(VERIFY_TYPES as readonly string[]).includes(type) || !types.includes(type)) {
    throw new AppError('TG_ERR_AUTH_VERIFY_TYPE_UNAVAILABLE', { params: { type: verifyType }, data: { verify_type: types } });
  }
  const check = deps.codeGuard.begin(`u${userId}`);
  if (isRefused(check)) throw throttled(check.retryAfterSeconds);
  let right = false;
  try {
    right = await deps.secondFactors.verify(userId, type, verifyCode, 'confirm');
  } finally {
    check.settle(!right);
  }
  if (!right) throw new AppError('TG_ERR_AUTH_VERIFY_CODE_INVALID');
}
