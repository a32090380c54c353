import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { GiftTiersService, PaymentMethodsService } from '../../../billing/catalogue/index.js';
import { moneyNumber } from '../../../billing/index.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/billing-catalogue.js';
import { customerOf } from './context.js';

export interface PaymentRoutesDeps {
  readonly paymentMethods: PaymentMethodsService;
  readonly giftTiers: GiftTiersService;
}

/** The documents' payment/groups and activity/balance-recharge-gift-ratio. */
export const paymentRoutes: FastifyPluginAsyncTypebox<PaymentRoutesDeps> = async (app, { paymentMethods, giftTiers }) => {
  app.get('/payment/groups', { schema: S.PaymentGroups, config: { team: 'view' } }, async (request) => {
    const lang = languageOf(request);
    const groups = await paymentMethods.groups(customerOf(request).id, request.query.trade_no, lang);
    return ok(
      {
        list: groups.map((g) => ({
          name: g.name,
          logos: [...g.logos],
          items: g.items.map((m) => ({
            id: m.id,
            title: m.title,
            logo: m.logo,
            group: m.group,
            disabled: m.disabled,
            min: moneyNumber(m.minCents),
            max: moneyNumber(m.maxCents),
          })),
        })),
      },
      lang,
    );
  });

  app.get('/activity/balance-recharge-gift-ratio', { schema: S.GiftRatio, config: { team: 'view' } }, async (request) => {
    const tiers = await giftTiers.list();
    return ok(
      { list: tiers.map((t) => ({ amount: moneyNumber(t.amountCents), ratio: t.ratioBp / 10_000 })) },
      languageOf(request),
    );
  });
};
