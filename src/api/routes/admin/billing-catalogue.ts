import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  type CouponsService,
  couponView,
  type GiftTiersService,
  giftTierView,
  type PaymentMethod,
  type PaymentMethodsService,
  paymentMethodView,
  type ProductsService,
  productView,
} from '../../../billing/catalogue/index.js';
import { invalidParams } from '../../../errors/index.js';
import type { TimeFormatter } from '../../../time/time-format.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/billing-catalogue.js';

export interface AdminCatalogueRoutesDeps {
  readonly products: ProductsService;
  readonly paymentMethods: PaymentMethodsService;
  readonly coupons: CouponsService;
  readonly giftTiers: GiftTiersService;
  readonly time: TimeFormatter;
}

const GB = 1024 ** 3;

/** unit_gb or unit_bytes (not both) as bytes. */
function unitBytesOf(b: { unit_gb?: number | undefined; unit_bytes?: number | undefined }): number | undefined {
  if (b.unit_gb !== undefined && b.unit_bytes !== undefined)
    throw invalidParams({ unit_gb: 'give unit_gb or unit_bytes, not both' });
  return b.unit_gb !== undefined ? Math.round(b.unit_gb * GB) : b.unit_bytes;
}

/** `expire_time`: ISO 8601 with a zone, or Y-m-d H:i:s in the platform time zone. */
function expireTimeOf(text: string | undefined, time: TimeFormatter): number | undefined {
  if (text === undefined) return undefined;
  let ms: number | undefined;
  if (/[Tt].*([Zz]|[+-]\d{2}:?\d{2})$/.test(text.trim())) {
    const parsed = Date.parse(text);
    ms = Number.isNaN(parsed) ? undefined : parsed;
  } else ms = time.parse(text);
  if (ms === undefined) throw invalidParams({ expire_time: 'ISO 8601 with a zone, or Y-m-d H:i:s' });
  return ms;
}

function withSecret(method: PaymentMethod, secret: string | undefined) {
  return { payment_method: paymentMethodView(method), secret: secret ?? null };
}

/** The catalogue: products and SKUs, payment methods, coupons, recharge gift tiers. */
export const adminCatalogueRoutes: FastifyPluginAsyncTypebox<AdminCatalogueRoutesDeps> = async (
  app,
  { products, paymentMethods, coupons, giftTiers, time },
) => {
  app.post('/products', { schema: S.AdminAddProduct }, async (request) => {
    const b = request.body;
    const product = await products.add({
      title: b.title,
      description: b.description,
      productType: b.product_type,
      price: b.price,
      unitBytes: unitBytesOf(b),
      unitDays: b.unit_days,
      enabled: b.enabled,
      skus: b.skus,
    });
    return ok(productView(product), languageOf(request));
  });

  app.get('/products', { schema: S.AdminListProducts }, async (request) =>
    ok({ list: (await products.list()).map(productView) }, languageOf(request)),
  );

  app.get('/products/:id', { schema: S.AdminShowProduct }, async (request) =>
    ok(productView(await products.get(request.params.id)), languageOf(request)),
  );

  app.patch('/products/:id', { schema: S.AdminUpdateProduct }, async (request) => {
    const b = request.body;
    const product = await products.update(request.params.id, {
      title: b.title,
      description: b.description,
      productType: b.product_type,
      price: b.price,
      unitBytes: unitBytesOf(b),
      unitDays: b.unit_days,
      enabled: b.enabled,
    });
    return ok(productView(product), languageOf(request));
  });

  app.post('/products/:id/disable', { schema: S.AdminDisableProduct }, async (request) =>
    ok(productView(await products.setEnabled(request.params.id, false)), languageOf(request)),
  );

  app.post('/products/:id/skus', { schema: S.AdminAddSku }, async (request) =>
    ok(productView(await products.addSku(request.params.id, request.body)), languageOf(request)),
  );

  app.patch('/products/:id/skus/:sku_id', { schema: S.AdminUpdateSku }, async (request) =>
    ok(productView(await products.updateSku(request.params.id, request.params.sku_id, request.body)), languageOf(request)),
  );

  app.delete('/products/:id/skus/:sku_id', { schema: S.AdminRemoveSku }, async (request) =>
    ok(productView(await products.removeSku(request.params.id, request.params.sku_id)), languageOf(request)),
  );

  app.post('/payment-methods', { schema: S.AdminAddPaymentMethod }, async (request) => {
    const b = request.body;
    const { method, secret } = await paymentMethods.add({
      kind: b.kind,
      title: b.title,
      logo: b.logo,
      group: b.group,
      groupName: b.group_name,
      payUrl: b.pay_url,
      secret: b.secret,
      disabled: b.disabled,
      min: b.min,
      max: b.max,
      sort: b.sort,
    });
    return ok(withSecret(method, secret), languageOf(request));
  });

  app.get('/payment-methods', { schema: S.AdminListPaymentMethods }, async (request) =>
    ok({ list: (await paymentMethods.list()).map(paymentMethodView) }, languageOf(request)),
  );

  app.get('/payment-methods/:id', { schema: S.AdminShowPaymentMethod }, async (request) =>
    ok(paymentMethodView(await paymentMethods.get(request.params.id)), languageOf(request)),
  );

  app.patch('/payment-methods/:id', { schema: S.AdminUpdatePaymentMethod }, async (request) => {
    const b = request.body;
    const method = await paymentMethods.update(request.params.id, {
      title: b.title,
      logo: b.logo,
      group: b.group,
      groupName: b.group_name,
      payUrl: b.pay_url,
      disabled: b.disabled,
      min: b.min,
      max: b.max,
      sort: b.sort,
    });
    return ok(paymentMethodView(method), languageOf(request));
  });

  app.post(
    '/payment-methods/:id/rotate-secret',
    {
      schema: S.AdminRotatePaymentSecret,
      // The body is optional: a POST without one rotates to a generated secret.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      const { method, secret } = await paymentMethods.rotateSecret(request.params.id, request.body.secret);
      return ok(withSecret(method, secret), languageOf(request));
    },
  );

  app.post('/coupons', { schema: S.AdminAddCoupon }, async (request) => {
    const b = request.body;
    const coupon = await coupons.add({
      code: b.code,
      name: b.name,
      kind: b.kind,
      discount: b.discount,
      expiresAt: expireTimeOf(b.expire_time, time) ?? 0,
      minFee: b.min_fee,
      productIds: b.product_ids,
      maxUses: b.max_uses,
      enabled: b.enabled,
    });
    return ok(couponView(coupon), languageOf(request));
  });

  app.get('/coupons', { schema: S.AdminListCoupons }, async (request) =>
    ok({ list: (await coupons.list()).map(couponView) }, languageOf(request)),
  );

  app.get('/coupons/:id', { schema: S.AdminShowCoupon }, async (request) =>
    ok(couponView(await coupons.get(request.params.id)), languageOf(request)),
  );

  app.patch('/coupons/:id', { schema: S.AdminUpdateCoupon }, async (request) => {
    const b = request.body;
    const coupon = await coupons.update(request.params.id, {
      name: b.name,
      discount: b.discount,
      expiresAt: expireTimeOf(b.expire_time, time),
      minFee: b.min_fee,
      productIds: b.product_ids,
      maxUses: b.max_uses,
      enabled: b.enabled,
    });
    return ok(couponView(coupon), languageOf(request));
  });

  app.post('/gift-tiers', { schema: S.AdminAddGiftTier }, async (request) =>
    ok(giftTierView(await giftTiers.add(request.body)), languageOf(request)),
  );

  app.get('/gift-tiers', { schema: S.AdminListGiftTiers }, async (request) =>
    ok({ list: (await giftTiers.list()).map(giftTierView) }, languageOf(request)),
  );

  app.patch('/gift-tiers/:id', { schema: S.AdminUpdateGiftTier }, async (request) =>
    ok(giftTierView(await giftTiers.update(request.params.id, request.body)), languageOf(request)),
  );

  app.delete('/gift-tiers/:id', { schema: S.AdminRemoveGiftTier }, async (request) => {
    await giftTiers.remove(request.params.id);
    return ok(null, languageOf(request));
  });
};
