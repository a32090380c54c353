import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type {
  GiftTiersService,
  PaymentMethod,
  PaymentMethodsService,
  ProductsService,
} from '../../../billing/catalogue/index.js';
import { typesWhere } from '../../../products/index.js';
import { moneyNumber } from '../../../billing/index.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/billing-catalogue.js';
import { customerOf } from './context.js';

export interface PaymentRoutesDeps {
  readonly paymentMethods: PaymentMethodsService;
  readonly giftTiers: GiftTiersService;
  readonly products: ProductsService;
}

const RENEWAL_TYPES = typesWhere((k) => k.provisions === 'static-renewal');

const methodView = (m: PaymentMethod) => ({
  id: m.id,
  title: m.title,
  logo: m.logo,
  group: m.group,
  disabled: m.disabled,
  min: moneyNumber(m.minCents),
  max: moneyNumber(m.maxCents),
});

/**
 * The documents' payment/groups, payment/list (named by order/create's example) and
 * activity/balance-recharge-gift-ratio, and the newer release's `product` (the catalogue as customers see it).
 */
export const paymentRoutes: FastifyPluginAsyncTypebox<PaymentRoutesDeps> = async (
  app,
  { paymentMethods, giftTiers, products },
) => {
  app.get('/payment/list', { schema: S.PaymentList, config: { team: 'view' } }, async (request) => {
    const lang = languageOf(request);
    const groups = await paymentMethods.groups(customerOf(request).id, request.query.trade_no, lang);
    return ok({ list: groups.flatMap((g) => g.items.map(methodView)) }, lang);
  });

  app.get('/product', { schema: S.CustomerProducts, config: { team: 'view' } }, async (request) => {
    const q = request.query;
    // Renewals renew static IPs of either type: parent_product_type names the renewal products.
    const types = q.parent_product_type !== undefined ? RENEWAL_TYPES : q.type !== undefined ? [q.type] : undefined;
    const list = (await products.list())
      .filter((p) => p.enabled && p.orderable)
      .filter((p) => types === undefined || types.includes(p.productType))
      .filter((p) => q.time_days === undefined || p.unitDays === q.time_days)
      .map((p) => ({
        id: p.id,
        name: p.title,
        type: p.productType,
        price: moneyNumber(p.unitPriceCents),
        description: p.description,
        unit_bytes: p.unitBytes,
        unit_days: p.unitDays,
        skus: p.skus.map((k) => ({ id: k.id, kind: k.kind, title: k.title, value: k.value, price: moneyNumber(k.priceCents) })),
      }));
    return ok({ list }, languageOf(request));
  });

  app.get('/payment/groups', { schema: S.PaymentGroups, config: { team: 'view' } }, async (request) => {
    const lang = languageOf(request);
    const groups = await paymentMethods.groups(customerOf(request).id, request.query.trade_no, lang);
    return ok(
      {
        list: groups.map((g) => ({
          name: g.name,
          logos: [...g.logos],
          items: g.items.map(methodView),
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
