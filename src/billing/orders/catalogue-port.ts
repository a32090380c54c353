/** The order flow's view of the catalogue (OrderCatalogue), read through the catalogue's services. */
import { AppError } from '../../errors/index.js';
import type { CouponsService, GiftTiersService, PaymentMethodsService, ProductsService } from '../catalogue/index.js';
import type { OrderCatalogue } from './orders.types.js';

export interface CatalogueServices {
  readonly products: ProductsService;
  readonly paymentMethods: PaymentMethodsService;
  readonly coupons: CouponsService;
  readonly giftTiers: GiftTiersService;
}

/** Undefined for the catalogue's "not found" error; every other error passes. */
async function orUndefined<T>(lookup: Promise<T>, notFound: AppError['key']): Promise<T | undefined> {
  try {
    return await lookup;
  } catch (err) {
    if (err instanceof AppError && err.key === notFound) return undefined;
    throw err;
  }
}

export function orderCatalogue(s: CatalogueServices): OrderCatalogue {
  return {
    product: (id) => orUndefined(s.products.get(id), 'TG_ERR_PRODUCT_NOT_FOUND'),
    paymentMethod: (id) => orUndefined(s.paymentMethods.get(id), 'TG_ERR_PAYMENT_METHOD_NOT_FOUND'),
    giftRatioBp: (amountCents) => s.giftTiers.ratioFor(amountCents),
    async checkCoupon(trx, code, productId, totalFeeCents, now) {
      const { coupon, discountCents } = await s.coupons.check(trx, code, productId, totalFeeCents, now);
      return { couponId: coupon.id, discountCents };
    },
    async reserveCoupon(trx, couponId) {
      // Used up by a concurrent order between the check and now.
      if (!(await s.coupons.reserve(trx, couponId))) {
        throw new AppError('TG_ERR_COUPON_INVALID', { params: { reason: 'used up' }, data: { reason: 'used up' } });
      }
    },
    async releaseCoupon(trx, couponId) {
      await s.coupons.release(trx, couponId);
    },
    balanceMethod: () => s.paymentMethods.ensureBalanceMethod(),
  };
}
