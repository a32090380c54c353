/** The operator's view of catalogue entries (admin API and `--json`): API names, money as numbers, ISO times. */
import { isoTime } from '../../time/time-format.js';
import { moneyNumber } from '../money.js';
import type { Coupon, GiftTier, PaymentMethod, Product, ProductSku } from './catalogue.types.js';

export function skuView(sku: ProductSku) {
  return { id: sku.id, kind: sku.kind, title: sku.title, value: sku.value, price: moneyNumber(sku.priceCents) };
}

export function productView(p: Product) {
  return {
    id: p.id,
    title: p.title,
    description: p.description,
    product_type: p.productType,
    price: moneyNumber(p.unitPriceCents),
    unit_bytes: p.unitBytes,
    unit_days: p.unitDays,
    enabled: p.enabled,
    orderable: p.orderable,
    skus: p.skus.map(skuView),
    created_at: isoTime(p.createdAt),
  };
}

/** Never shows the signing secret (it is shown once, when created or rotated). */
export function paymentMethodView(m: PaymentMethod) {
  return {
    id: m.id,
    kind: m.kind,
    title: m.title,
    logo: m.logo,
    group: m.group,
    group_name: m.groupName,
    pay_url: m.payUrl,
    disabled: m.disabled,
    min: moneyNumber(m.minCents),
    max: moneyNumber(m.maxCents),
    sort: m.sort,
    has_secret: m.kind === 'external' ? m.secret !== undefined : false,
    created_at: isoTime(m.createdAt),
  };
}

/** The documents' Coupon (id, name, code, discount, expire_time) and the rules around it. */
export function couponView(c: Coupon) {
  return {
    id: c.id,
    name: c.name,
    code: c.code,
    kind: c.kind,
    discount: c.kind === 'percent' ? c.discountValue / 100 : moneyNumber(c.discountValue),
    expire_time: isoTime(c.expiresAt),
    min_fee: moneyNumber(c.minFeeCents),
    product_ids: [...c.productIds],
    max_uses: c.maxUses,
    used_count: c.usedCount,
    enabled: c.enabled,
    created_at: isoTime(c.createdAt),
  };
}

export function giftTierView(t: GiftTier) {
  return { id: t.id, amount: moneyNumber(t.amountCents), ratio: t.ratioBp / 10_000, created_at: isoTime(t.createdAt) };
}
