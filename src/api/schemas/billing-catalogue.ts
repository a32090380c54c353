/**
 * Billing catalogue routes: the customer's `payment/groups` and `activity/balance-recharge-gift-ratio`, and
 * the operator's products, payment methods, coupons and gift tiers. Shapes here; rules in billing/catalogue.
 */
import { Type } from '@sinclair/typebox';
import { BANDWIDTH_MBPS_MAX, CONCURRENCY_MAX } from '../../packages/index.js';
import {
  BALANCE_TYPES,
  describeTypes,
  DOCUMENTED_TYPES,
  SOLD_TYPES,
  TIME_PACKAGE_TYPES,
  TRAFFIC_PACKAGE_TYPES,
} from '../../products/index.js';
import {
  COUPON_CODE_MAX,
  COUPON_KINDS,
  COUPON_NAME_MAX,
  PAYMENT_GROUP_MAX,
  PAYMENT_LOGO_MAX,
  PAYMENT_SECRET_MAX,
  PAYMENT_TITLE_MAX,
  PAYMENT_URL_MAX,
  PAYMENT_KINDS,
  PAYMENT_SORT_MAX,
  PRODUCT_DESCRIPTION_MAX,
  PRODUCT_TITLE_MAX,
  SKU_KINDS,
  UNIT_BYTES_MAX,
  UNIT_DAYS_MAX,
} from '../../billing/catalogue/index.js';
import { CustomerCommon, Envelope, Id, IdParams, INT_MAX, MONEY_MAX, NullData } from './common.js';

// Customer

export const PaymentItem = Type.Object({
  id: Type.Integer({ description: 'Payment method id (`pm_id` of order/create)' }),
  title: Type.String({ description: 'Method name' }),
  logo: Type.String({ description: "Logo URL; '' when none" }),
  group: Type.String({ description: 'Group identifier, e.g. balance, online, offline', examples: ['online'] }),
  disabled: Type.Boolean({ description: 'Disabled methods are listed, marked, and cannot pay' }),
  min: Type.Number({ description: 'Smallest order amount it takes (pay_fee)', examples: [10] }),
  max: Type.Number({ description: 'Largest order amount it takes; 0 means no limit', examples: [5000] }),
});

export const PaymentGroups = {
  summary: 'Payment methods, by group',
  description:
    'Groups in the order of their first method; methods by the operator’s sort, then id. With `trade_no` (one of the caller’s orders; code 7009 otherwise), only the methods that may pay it: not the balance for a balance top-up (product type 3) or a make-up payment (26), and only those whose min/max admit its pay_fee. `max` 0 means no upper limit.',
  tags: ['payment'],
  querystring: Type.Object({
    ...CustomerCommon,
    trade_no: Type.Optional(
      Type.String({ maxLength: 64, description: 'Order number: only the methods that may pay this order' }),
    ),
  }),
  response: {
    200: Envelope(
      Type.Object({
        list: Type.Array(
          Type.Object({
            name: Type.String({ description: 'Group name' }),
            logos: Type.Array(Type.String(), { description: 'The distinct logos of the group’s methods' }),
            items: Type.Array(PaymentItem),
          }),
        ),
      }),
    ),
  },
};

export const PaymentList = {
  summary: 'Payment methods, one list',
  description:
    'The methods of payment/groups as one list (the `pm_id`s of order/create), with the same `trade_no` filter. `currency` is accepted and ignored: the platform has one currency.',
  tags: ['payment'],
  querystring: Type.Object({
    ...CustomerCommon,
    trade_no: Type.Optional(Type.String({ maxLength: 64, description: 'Only the methods that may pay this order' })),
    currency: Type.Optional(Type.String({ maxLength: 16, description: 'Accepted; the platform has one currency' })),
  }),
  response: { 200: Envelope(Type.Object({ list: Type.Array(PaymentItem) })) },
};

const CustomerSku = Type.Object({
  id: Type.Integer({ description: 'product_sku_bandwidth_id, product_sku_concurrency_id or product_sku_duration_id' }),
  kind: Type.String({ description: 'bandwidth (Mbit/s), concurrency (connections) or duration (days)' }),
  title: Type.String(),
  value: Type.Integer(),
  price: Type.Number({ description: 'Added to the unit price, per unit' }),
});

export const CustomerProducts = {
  summary: 'The catalogue: what can be ordered',
  description:
    'Enabled products of the types Tollgate sells, by id: the documents’ Product (`id`, `name`, `type`, `price`, `description`) with what one unit gives. Filters: `type`; `parent_product_type` (14 or 25) lists the static IP renewals (type 19), which renew IPs of either type; `time_days` the unit’s days. `show_type` is accepted and ignored.',
  tags: ['orders'],
  querystring: Type.Object({
    ...CustomerCommon,
    type: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'Product type' })),
    parent_product_type: Type.Optional(
      Type.Unsafe<number>({ type: 'integer', enum: [14, 25], description: 'Renewals of this static type' }),
    ),
    time_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'Only units of this many days' })),
    show_type: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, description: 'Accepted, ignored' })),
  }),
  response: {
    200: Envelope(
      Type.Object({
        list: Type.Array(
          Type.Object({
            id: Type.Integer({ description: '`pid` of order/create' }),
            name: Type.String(),
            type: Type.Integer({ description: 'Product type' }),
            price: Type.Number({ description: 'Price of one unit (0 for top-ups: their amount is recharge_amount)' }),
            description: Type.String(),
            unit_bytes: Type.Integer({ description: 'Traffic one unit gives, bytes (9, 12)' }),
            unit_days: Type.Integer({ description: 'Days one unit lasts' }),
            skus: Type.Array(CustomerSku, { description: 'Type 11: the options to choose' }),
          }),
        ),
      }),
    ),
  },
};

export const GiftRatio = {
  summary: 'Balance top-up gift tiers',
  description:
    'A balance top-up (product type 3) of amount A is credited A × the ratio of the highest tier whose amount ≤ A; below every tier, A. Sorted by amount.',
  tags: ['marketing'],
  querystring: Type.Object({ ...CustomerCommon }),
  response: {
    200: Envelope(
      Type.Object({
        list: Type.Array(
          Type.Object({
            amount: Type.Number({ description: 'Top-up amount from which the tier applies', examples: [100] }),
            ratio: Type.Number({ description: 'Credit ratio: 1.2 credits 120 % of the top-up', examples: [1.2] }),
          }),
        ),
      }),
    ),
  },
};

// Admin

const IsoTime = Type.String({ format: 'date-time' });
const SkuParams = Type.Object({ id: Id(), sku_id: Id() });

const Money = (description: string) =>
  Type.Union([Type.Number({ minimum: 0, maximum: MONEY_MAX }), Type.String({ maxLength: 20 })], {
    description: `${description}; a decimal with at most 2 decimals (12.5 or "12.50")`,
  });

const ProductTypeField = Type.Unsafe<number>({
  type: 'integer',
  enum: [...DOCUMENTED_TYPES],
  description: `Sold: ${describeTypes(SOLD_TYPES)}. The other documented types (${DOCUMENTED_TYPES.filter((t) => !SOLD_TYPES.includes(t)).join(', ')}) are served by nothing on this platform: code 7002`,
});

const SkuKindField = Type.Unsafe<(typeof SKU_KINDS)[number]>({ type: 'string', enum: [...SKU_KINDS] });

export const AdminSku = Type.Object({
  id: Type.Integer({ description: 'product_sku_bandwidth_id / product_sku_concurrency_id of order/create' }),
  kind: SkuKindField,
  title: Type.String(),
  value: Type.Integer({ description: 'Mbit/s (bandwidth) or connections (concurrency)' }),
  price: Type.Number({ description: 'Added to the unit price' }),
});

export const AdminProduct = Type.Object({
  id: Type.Integer({ description: '`pid` of order/create' }),
  title: Type.String(),
  description: Type.String(),
  product_type: Type.Integer(),
  price: Type.Number({ description: `Unit price (0 for ${BALANCE_TYPES.join(' and ')})` }),
  unit_bytes: Type.Integer({ description: `Traffic one unit provisions, bytes (${TRAFFIC_PACKAGE_TYPES.join(', ')})` }),
  unit_days: Type.Integer({ description: 'Days one unit provisions (packages, static IPs, renewals)' }),
  enabled: Type.Boolean(),
  orderable: Type.Boolean({
    description: 'False for a product of a type this platform no longer sells (made before): ordering answers code 7002',
  }),
  skus: Type.Array(AdminSku),
  created_at: IsoTime,
});

const SkuBody = Type.Object({
  kind: SkuKindField,
  title: Type.Optional(Type.String({ maxLength: PRODUCT_TITLE_MAX })),
  value: Type.Integer({
    minimum: 1,
    maximum: Math.max(BANDWIDTH_MBPS_MAX, CONCURRENCY_MAX),
    description: 'Mbit/s or connections',
  }),
  price: Money('Price of this option'),
});

const ProductFields = {
  description: Type.Optional(Type.String({ maxLength: PRODUCT_DESCRIPTION_MAX })),
  price: Type.Optional(
    Money(`Unit price; required except for types ${BALANCE_TYPES.join(' and ')} (their amount is the order’s recharge_amount)`),
  ),
  unit_gb: Type.Optional(
    Type.Number({
      minimum: 0,
      maximum: UNIT_BYTES_MAX / 1024 ** 3,
      description: 'Traffic one unit provisions, GB (1 GB = 1024³ bytes); or unit_bytes',
    }),
  ),
  unit_bytes: Type.Optional(
    Type.Integer({ minimum: 0, maximum: UNIT_BYTES_MAX, description: 'Traffic one unit provisions, bytes; or unit_gb' }),
  ),
  unit_days: Type.Optional(Type.Integer({ minimum: 0, maximum: UNIT_DAYS_MAX, description: 'Days one unit provisions' })),
  enabled: Type.Optional(Type.Boolean({ description: 'Default true' })),
};

export const AdminAddProduct = {
  summary: 'Add a product',
  description: `Only a type this platform sells (${SOLD_TYPES.join(', ')}); another documented type answers code 7002. Traffic packages (${TRAFFIC_PACKAGE_TYPES.join(', ')}) need unit traffic (unit_gb or unit_bytes), unit_days and a price; time packages (${TIME_PACKAGE_TYPES.join(', ')}) need unit_days and take SKUs; static IPs and renewals need unit_days and a price; ${BALANCE_TYPES.join(' and ')} have no price nor units.`,
  tags: ['admin'],
  body: Type.Object({
    title: Type.String({ minLength: 1, maxLength: PRODUCT_TITLE_MAX }),
    product_type: ProductTypeField,
    ...ProductFields,
    skus: Type.Optional(Type.Array(SkuBody, { maxItems: 100 })),
  }),
  response: { 200: Envelope(AdminProduct) },
};

export const AdminListProducts = {
  summary: 'List products',
  tags: ['admin'],
  response: { 200: Envelope(Type.Object({ list: Type.Array(AdminProduct) })) },
};

export const AdminShowProduct = {
  summary: 'Show a product with its SKUs',
  tags: ['admin'],
  params: IdParams,
  response: { 200: Envelope(AdminProduct) },
};

export const AdminUpdateProduct = {
  summary: 'Change a product (given fields only; the result must follow every rule)',
  tags: ['admin'],
  params: IdParams,
  body: Type.Object({
    title: Type.Optional(Type.String({ minLength: 1, maxLength: PRODUCT_TITLE_MAX })),
    product_type: Type.Optional(ProductTypeField),
    ...ProductFields,
  }),
  response: { 200: Envelope(AdminProduct) },
};

export const AdminDisableProduct = {
  summary: 'Disable a product (kept; it can no longer be ordered)',
  tags: ['admin'],
  params: IdParams,
  response: { 200: Envelope(AdminProduct) },
};

export const AdminAddSku = {
  summary: 'Add a bandwidth or concurrency option to a time-package (type 11) product',
  tags: ['admin'],
  params: IdParams,
  body: SkuBody,
  response: { 200: Envelope(AdminProduct) },
};

export const AdminUpdateSku = {
  summary: 'Change a product option',
  tags: ['admin'],
  params: SkuParams,
  body: Type.Partial(SkuBody),
  response: { 200: Envelope(AdminProduct) },
};

export const AdminRemoveSku = {
  summary: 'Remove a product option (orders keep what they bought)',
  tags: ['admin'],
  params: SkuParams,
  response: { 200: Envelope(AdminProduct) },
};

export const AdminPaymentMethod = Type.Object({
  id: Type.Integer({ description: '`pm_id` of order/create' }),
  kind: Type.Unsafe<(typeof PAYMENT_KINDS)[number]>({
    type: 'string',
    enum: [...PAYMENT_KINDS],
    description: 'balance (built in), external (pay URL and signed webhook) or manual (the operator marks orders paid)',
  }),
  title: Type.String(),
  logo: Type.String(),
  group: Type.String(),
  group_name: Type.String({ description: "'' shows the default name of the group" }),
  pay_url: Type.String({ description: 'Template with {trade_no} and {amount}' }),
  disabled: Type.Boolean(),
  min: Type.Number(),
  max: Type.Number({ description: '0: no upper limit' }),
  sort: Type.Integer(),
  has_secret: Type.Boolean({ description: 'External methods: whether a usable signing secret is stored' }),
  created_at: IsoTime,
});

const WithSecret = Type.Object({
  payment_method: AdminPaymentMethod,
  secret: Type.Union([Type.String(), Type.Null()], {
    description: 'The webhook signing secret of an external method, shown only here; null for others',
  }),
});

const PaymentFields = {
  logo: Type.Optional(Type.String({ maxLength: PAYMENT_LOGO_MAX, description: "http(s) URL or ''" })),
  group: Type.Optional(
    Type.String({
      maxLength: PAYMENT_GROUP_MAX,
      description: 'Group identifier: letters, digits, _ and - (default online for external, offline for manual)',
    }),
  ),
  group_name: Type.Optional(Type.String({ maxLength: PAYMENT_TITLE_MAX })),
  pay_url: Type.Optional(
    Type.String({
      maxLength: PAYMENT_URL_MAX,
      description:
        'External (required): http(s) URL with {trade_no} (and optionally {amount}); manual: optional instructions URL',
      examples: ['https://pay.example.com/checkout?order={trade_no}&amount={amount}'],
    }),
  ),
  disabled: Type.Optional(Type.Boolean()),
  min: Type.Optional(Money('Smallest pay_fee (default 0)')),
  max: Type.Optional(Money('Largest pay_fee; 0 (default) for no limit')),
  sort: Type.Optional(
    Type.Integer({ minimum: -PAYMENT_SORT_MAX, maximum: PAYMENT_SORT_MAX, description: 'Lower first (default 0)' }),
  ),
};

export const AdminAddPaymentMethod = {
  summary: 'Add an external or manual payment method',
  description: 'An external method gets a webhook signing secret (generated unless given), shown only in this answer.',
  tags: ['admin'],
  body: Type.Object({
    kind: Type.Unsafe<'external' | 'manual'>({ type: 'string', enum: ['external', 'manual'] }),
    title: Type.String({ minLength: 1, maxLength: PAYMENT_TITLE_MAX }),
    ...PaymentFields,
    secret: Type.Optional(Type.String({ maxLength: PAYMENT_SECRET_MAX, description: 'External: 16-128 printable characters' })),
  }),
  response: { 200: Envelope(WithSecret) },
};

export const AdminListPaymentMethods = {
  summary: 'List payment methods (the balance method included)',
  tags: ['admin'],
  response: { 200: Envelope(Type.Object({ list: Type.Array(AdminPaymentMethod) })) },
};

export const AdminShowPaymentMethod = {
  summary: 'Show a payment method',
  tags: ['admin'],
  params: IdParams,
  response: { 200: Envelope(AdminPaymentMethod) },
};

export const AdminUpdatePaymentMethod = {
  summary: 'Change a payment method (given fields only)',
  description: 'The balance method takes title (empty: the default), logo, group_name, disabled, min, max and sort.',
  tags: ['admin'],
  params: IdParams,
  body: Type.Object({ title: Type.Optional(Type.String({ maxLength: PAYMENT_TITLE_MAX })), ...PaymentFields }),
  response: { 200: Envelope(AdminPaymentMethod) },
};

export const AdminRotatePaymentSecret = {
  summary: 'New webhook signing secret for an external method (the old one stops at once)',
  tags: ['admin'],
  params: IdParams,
  body: Type.Object({
    secret: Type.Optional(Type.String({ maxLength: PAYMENT_SECRET_MAX, description: 'Default: generated' })),
  }),
  response: { 200: Envelope(WithSecret) },
};

export const AdminCoupon = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  code: Type.String({ description: '`coupon_sn` of order/create (case-sensitive)' }),
  kind: Type.Unsafe<(typeof COUPON_KINDS)[number]>({ type: 'string', enum: [...COUPON_KINDS] }),
  discount: Type.Number({ description: 'percent: percent off (10 = 10 % off); amount: money off' }),
  expire_time: IsoTime,
  min_fee: Type.Number({ description: 'Smallest order total it applies to' }),
  product_ids: Type.Array(Type.Integer(), { description: 'Products it applies to; empty: all' }),
  max_uses: Type.Integer({ description: '0: unlimited' }),
  used_count: Type.Integer({ description: 'Orders holding it (pending or paid)' }),
  enabled: Type.Boolean(),
  created_at: IsoTime,
});

const ExpireTime = Type.String({
  maxLength: 40,
  description: 'ISO 8601 with a zone, or Y-m-d H:i:s in the platform time zone',
  examples: ['2026-12-31 23:59:59'],
});

const CouponFields = {
  name: Type.Optional(Type.String({ maxLength: COUPON_NAME_MAX })),
  min_fee: Type.Optional(Money('Smallest order total it applies to (default 0)')),
  product_ids: Type.Optional(Type.Array(Id(), { maxItems: 100, description: 'Default: all' })),
  max_uses: Type.Optional(Type.Integer({ minimum: 0, maximum: INT_MAX, description: '0 (default): unlimited' })),
  enabled: Type.Optional(Type.Boolean()),
};

export const AdminAddCoupon = {
  summary: 'Add a coupon',
  tags: ['admin'],
  body: Type.Object({
    code: Type.String({ minLength: 1, maxLength: COUPON_CODE_MAX, description: 'Letters, digits, _ and -' }),
    kind: Type.Unsafe<(typeof COUPON_KINDS)[number]>({ type: 'string', enum: [...COUPON_KINDS] }),
    discount: Money('percent: percent off (0 < d ≤ 100); amount: money off (> 0)'),
    expire_time: ExpireTime,
    ...CouponFields,
  }),
  response: { 200: Envelope(AdminCoupon) },
};

export const AdminListCoupons = {
  summary: 'List coupons',
  tags: ['admin'],
  response: { 200: Envelope(Type.Object({ list: Type.Array(AdminCoupon) })) },
};

export const AdminShowCoupon = {
  summary: 'Show a coupon',
  tags: ['admin'],
  params: IdParams,
  response: { 200: Envelope(AdminCoupon) },
};

export const AdminUpdateCoupon = {
  summary: 'Change a coupon (given fields only; code and kind stay)',
  tags: ['admin'],
  params: IdParams,
  body: Type.Object({
    discount: Type.Optional(Money('percent: percent off; amount: money off')),
    expire_time: Type.Optional(ExpireTime),
    ...CouponFields,
  }),
  response: { 200: Envelope(AdminCoupon) },
};

export const AdminGiftTier = Type.Object({
  id: Type.Integer(),
  amount: Type.Number(),
  ratio: Type.Number({ description: '1.2 credits 120 % of the top-up' }),
  created_at: IsoTime,
});

const Ratio = Type.Union([Type.Number({ minimum: 1, maximum: 100 }), Type.String({ maxLength: 10 })], {
  description: 'Credit ratio from 1 to 100, at most 4 decimals (1.2)',
});

export const AdminAddGiftTier = {
  summary: 'Add a recharge gift tier (one per amount)',
  tags: ['admin'],
  body: Type.Object({ amount: Money('Top-up amount from which it applies (> 0)'), ratio: Ratio }),
  response: { 200: Envelope(AdminGiftTier) },
};

export const AdminListGiftTiers = {
  summary: 'List recharge gift tiers by amount',
  tags: ['admin'],
  response: { 200: Envelope(Type.Object({ list: Type.Array(AdminGiftTier) })) },
};

export const AdminUpdateGiftTier = {
  summary: 'Change a gift tier’s ratio',
  tags: ['admin'],
  params: IdParams,
  body: Type.Object({ ratio: Ratio }),
  response: { 200: Envelope(AdminGiftTier) },
};

export const AdminRemoveGiftTier = {
  summary: 'Remove a gift tier',
  tags: ['admin'],
  params: IdParams,
  response: { 200: Envelope(NullData) },
};
