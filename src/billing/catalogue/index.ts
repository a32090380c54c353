/** The billing catalogue: products and SKUs, payment methods, coupons, recharge gift tiers. */
export { couponView, giftTierView, paymentMethodView, productView, skuView } from './catalogue-view.js';
export * from './catalogue.types.js';
export { type CouponCheck, CouponsService, discountOf } from './coupons.service.js';
export { GiftTiersService } from './gift-tiers.service.js';
export { amountInRange, fillPayUrl, mayPayFor, PaymentMethodsService } from './payment-methods.service.js';
export { type CatalogueServiceOptions, ProductsService } from './products.service.js';
export { notSold } from './rules.js';
