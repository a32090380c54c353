import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type AutoRenewal, type AutoRenewalService, durationOf } from '../../../billing/auto-renewal/index.js';
import { moneyNumber } from '../../../billing/money.js';
import type { TimeFormatter } from '../../../time/time-format.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/auto-renewal.js';
import { customerOf } from './context.js';

export interface AutoRenewalRoutesDeps {
  readonly autoRenewals: AutoRenewalService;
  readonly time: TimeFormatter;
}

/**
 * Auto-renewal of packages (the newer release's `user-product/get-auto-renewal` and `auto-renewal-logs`, and
 * `set-auto-renewal` to mark a package). Reading the setting needs membership in a team; the log shows money
 * (view_billing); turning renewal on spends the team's wallet (pay).
 */
export const autoRenewalRoutes: FastifyPluginAsyncTypebox<AutoRenewalRoutesDeps> = async (app, { autoRenewals, time }) => {
  const at = (ms: number | null) => (ms === null ? '' : time.format(ms));
  const view = (r: AutoRenewal) => ({
    user_product_id: r.packageId,
    status: r.enabled ? 1 : 0,
    renew_duration: r.enabled ? durationOf(r.remaining) : '',
    product_id: r.productId ?? 0,
    product_name: r.productName,
    amount: r.amount,
    expired_at: time.format(r.packageExpiresAt),
    next_renewal_at: at(r.nextAttemptAt),
    last_attempt_at: at(r.lastAttemptAt),
    failures: r.failures,
  });

  app.post('/user-product/get-auto-renewal', { schema: S.GetAutoRenewal, config: { team: 'view' } }, async (request) =>
    ok(view(await autoRenewals.get(customerOf(request).id, request.body.user_product_id)), languageOf(request)),
  );

  app.post(
    '/user-product/set-auto-renewal',
    { schema: S.SetAutoRenewal, config: { write: true, team: 'pay' } },
    async (request) => {
      const b = request.body;
      const setting = await autoRenewals.set(customerOf(request).id, b.user_product_id, b.status === 1, b.renew_duration);
      return ok(view(setting), languageOf(request));
    },
  );

  app.post(
    '/user-product/auto-renewal-logs',
    { schema: S.AutoRenewalLogs, config: { team: 'view_billing' } },
    async (request) => {
      const b = request.body;
      const { items, total, page, size } = await autoRenewals.logs(customerOf(request).id, {
        packageId: b.user_product_id,
        page: b.page,
        size: b.size,
      });
      const list = items.map((l) => ({
        id: l.id,
        user_product_id: l.packageId,
        new_user_product_id: l.newPackageId ?? 0,
        status: l.renewed ? 1 : 0,
        trade_no: l.tradeNo,
        pay_fee: moneyNumber(l.payFeeCents),
        code: l.renewed ? 200 : l.errorCode,
        reason: l.reason,
        created_at: time.format(l.createdAt),
      }));
      return ok({ list, page, page_size: size, total }, languageOf(request));
    },
  );
};
