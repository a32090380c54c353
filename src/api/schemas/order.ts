/** Order routes: `order/create`, `order/close`, `order/list` (the documents' 訂單管理). */
import { Type } from '@sinclair/typebox';
import { DOCUMENTED_TYPES } from '../../products/index.js';
import { ORDER_AMOUNT_MAX, ORDER_PAGE_SIZE_DEFAULT, ORDER_PAGE_SIZE_MAX } from '../../billing/orders/index.js';
import { CustomerCommon, Envelope, Id, INT_MAX, NullData, PageNo } from './common.js';

const Times = { description: 'Y-m-d H:i:s in the platform time zone', examples: ['2026-11-23 20:00:00'] };

const OrderFields = {
  id: Type.Integer(),
  trade_no: Type.String({ description: 'Order number: 28 digits', examples: ['2026112320000039861461465434'] }),
  product_id: Type.Integer({ description: 'The product (`pid`)' }),
  product_name: Type.String(),
  total_fee: Type.Number({ description: 'Price before discounts (at most 2 decimals)', examples: [100] }),
  pay_fee: Type.Number({ description: 'What is paid: total_fee less the coupon and invitation discounts', examples: [90] }),
  status: Type.Integer({ description: '0 pending, 1 paid, 2 closed (cancelled or unpaid in time), 3 refunded' }),
  created_at: Type.String(Times),
};

/** The documents' Order. */
export const OrderItem = Type.Object(OrderFields);

/** What order/create answers: the Order, and `pay_url` for an external method. */
export const CreatedOrder = Type.Object({
  ...OrderFields,
  pay_url: Type.Optional(Type.String({ description: 'External methods: where to pay (the order number and amount filled in)' })),
});

/** `true`, `false`, `1`, `0` — as JSON booleans or numbers, or as text (forms and query strings). */
const Flag = Type.Unsafe<boolean | string | number>({
  anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['1', '0', 'true', 'false'] }, { type: 'integer', enum: [0, 1] }],
  description: 'true/false (also 1/0)',
});

/** A flag's value, as parsed by the schema above. */
export function flagValue(value: boolean | string | number | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  return value === true || value === 1 || value === '1' || value === 'true';
}

/** The body order/create and order/check share. */
const OrderCreateBody = Type.Object({
  ...CustomerCommon,
  pid: Id('Product id'),
  pm_id: Id('Payment method id (payment/groups)'),
  amount: Type.Optional(Type.Integer({ minimum: 1, maximum: ORDER_AMOUNT_MAX, description: 'Units to buy (default 1)' })),
  coupon_sn: Type.Optional(Type.String({ maxLength: 64, description: 'Coupon code' })),
  use_invitation_registration_discount: Type.Optional(Flag),
  region_list: Type.Optional(
    Type.String({ maxLength: 2048, description: 'Static IPs (14, 25): country:count list', examples: ['US:2,DE:1'] }),
  ),
  upids: Type.Optional(
    Type.Unsafe<string | number[]>({
      anyOf: [
        { type: 'string', maxLength: 20_000 },
        { type: 'array', items: { type: 'integer', minimum: 1, maximum: INT_MAX }, maxItems: 1000 },
      ],
      description: 'Renewals (19): allocation ids from ip/get-static-ip',
      examples: ['1,2,3'],
    }),
  ),
  renew_duration: Type.Optional(
    Type.Union([Type.Integer({ minimum: 1, maximum: 3650 }), Type.Literal('1m'), Type.Literal('2m'), Type.Literal('em')], {
      description:
        'Renewals (19): product units to add (default 1; `1m`, `2m`: 1, 2). Packages (9, 11, 12): `1m`, `2m` or `em` marks the package bought for auto-renewal from the balance (once, twice, every period); a number is ignored there',
    }),
  ),
  product_sku_bandwidth_id: Type.Optional(Id('Type 11: the bandwidth SKU')),
  product_sku_concurrency_id: Type.Optional(Id('Type 11: the concurrency SKU')),
  product_sku_duration_id: Type.Optional(
    Id('Type 11: the duration SKU (days one unit lasts); required when the product has duration SKUs'),
  ),
  etd: Type.Optional(
    Type.Integer({ minimum: 1, maximum: ORDER_AMOUNT_MAX, description: 'Type 11: how many durations (the same as `amount`)' }),
  ),
  recharge_amount: Type.Optional(
    Type.String({
      pattern: '^[0-9]{1,13}(\\.[0-9]{1,2})?$',
      description: 'Types 3 and 26: the amount, a decimal with at most 2 decimals',
      examples: ['100', '12.50'],
    }),
  ),
});

export const OrderCreate = {
  summary: 'Create an order (and pay it, when paying from the balance)',
  description:
    'Prices the order in exact cents: the unit price × `amount` (type 11: plus the chosen bandwidth and concurrency SKUs, × `amount`; static IPs: × the IPs in `region_list`; renewals: × `upids` × `renew_duration`; types 3 and 26: `recharge_amount`), less the coupon (`coupon_sn`) and the invitation discount (an invited user’s first order, when asked). Paying from the balance debits it and provisions at once, all or nothing (status 1). An external method leaves the order pending (status 0) and answers `pay_url`; a manual method leaves it pending for the operator. Unpaid orders close after TOLLGATE_ORDER_TTL.',
  tags: ['orders'],
  body: OrderCreateBody,
  response: {
    200: Envelope(CreatedOrder),
  },
};

export const OrderClose = {
  summary: 'Cancel a pending order',
  tags: ['orders'],
  body: Type.Object({ ...CustomerCommon, trade_no: Type.String({ minLength: 1, maxLength: 64 }) }),
  response: { 200: Envelope(NullData) },
};

export const OrderList = {
  summary: 'The caller’s orders, newest first',
  tags: ['orders'],
  querystring: Type.Object({
    ...CustomerCommon,
    page_no: PageNo(),
    page_size: Type.Integer({
      minimum: 1,
      maximum: ORDER_PAGE_SIZE_MAX,
      default: ORDER_PAGE_SIZE_DEFAULT,
      description: `Items per page, at most ${ORDER_PAGE_SIZE_MAX} (default ${ORDER_PAGE_SIZE_DEFAULT})`,
    }),
    trade_no: Type.Optional(Type.String({ maxLength: 64, description: 'Order number (exact)' })),
    status: Type.Optional(
      Type.Unsafe<number>({ type: 'integer', enum: [0, 1, 2, 3], description: '0 pending, 1 paid, 2 closed, 3 refunded' }),
    ),
    product_type: Type.Optional(
      Type.Unsafe<number>({ type: 'integer', enum: [...DOCUMENTED_TYPES], description: 'Product type' }),
    ),
    start_time: Type.Optional(
      Type.String({ maxLength: 32, description: 'Created at or after: Y-m-d H:i:s (or Y-m-d) in the platform time zone' }),
    ),
    end_time: Type.Optional(
      Type.String({ maxLength: 32, description: 'Created at or before: Y-m-d H:i:s, or Y-m-d for the whole day' }),
    ),
    invoice: Type.Optional(
      Type.Unsafe<number>({
        type: 'integer',
        enum: [-1, 0, 1],
        description: '1: on an invoice (requested or issued); 0: on none; -1: either (default)',
      }),
    ),
    pay_fee_status: Type.Optional(
      Type.Unsafe<number>({ type: 'integer', enum: [1, 2], description: '1: pay_fee above 0; 2: pay_fee 0 (fully discounted)' }),
    ),
  }),
  response: {
    200: Envelope(
      Type.Object({
        list: Type.Array(OrderItem),
        pagination: Type.Object({
          total: Type.Integer(),
          page_no: Type.Integer(),
          page_size: Type.Integer(),
          total_pages: Type.Integer(),
        }),
      }),
    ),
  },
};

export const OrderCheck = {
  summary: 'Price an order without creating it',
  description:
    'Takes exactly the body of order/create and answers what order/create would charge now: the same pricing code, the coupon and invitation discount checked (not reserved) and the method’s bounds. Every error order/create would give for the body, it gives too. Nothing is written.',
  tags: ['orders'],
  body: OrderCreateBody,
  response: {
    200: Envelope(
      Type.Object({
        pid: Type.Integer(),
        product_name: Type.String(),
        product_type: Type.Integer(),
        pm_id: Type.Integer(),
        amount: Type.Integer({ description: 'Units priced (IPs for static orders, IPs × durations for renewals)' }),
        total_fee: Type.Number({ description: 'Price before discounts' }),
        coupon_discount: Type.Number({ description: 'Off by `coupon_sn`' }),
        invitation_discount: Type.Number({ description: 'Off by the invitation discount' }),
        discount: Type.Number({ description: 'Both discounts, at most total_fee' }),
        pay_fee: Type.Number({ description: 'What order/create would charge' }),
      }),
    ),
  },
};

const Time = (description: string) => Type.String({ description: `${description}; Y-m-d H:i:s in the platform time zone` });

/** One order in full (order/info, pay): the dashboard's order/info shape. */
export const OrderDetail = Type.Object({
  id: Type.Integer(),
  trade_no: Type.String(),
  title: Type.String({ description: 'The product’s title when ordered' }),
  product_id: Type.Integer(),
  product_type: Type.Integer(),
  amount: Type.Integer({ description: 'Units' }),
  total_fee: Type.Number(),
  discount: Type.Number(),
  pay_fee: Type.Number({ description: 'What is (or was) paid' }),
  pm_id: Type.Integer({ description: 'Payment method (the balance method once paid with pay_method 7)' }),
  status: Type.Integer({ description: '0 pending, 1 paid, 2 closed, 3 refunded' }),
  created_at: Time('Created at'),
  expired_at: Time('A pending order closes at this time'),
  pay_at: Time('Paid at; empty when unpaid'),
});

export const TradeNo = Type.String({ minLength: 1, maxLength: 64, description: 'The order number' });

export const OrderInfo = {
  summary: 'One order',
  tags: ['orders'],
  querystring: Type.Object({ ...CustomerCommon, trade_no: TradeNo }),
  response: { 200: Envelope(OrderDetail) },
};

const PayFields = {
  ...CustomerCommon,
  trade_no: TradeNo,
  pm_id: Type.Optional(Id('Payment method (payment/list); default the order’s own')),
  pay_method: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 100, description: '7: the balance (the dashboard’s name for it), whatever pm_id is' }),
  ),
};

export const PayCheck = {
  summary: 'Check paying a pending order with a method',
  description:
    'What `pay` would do with the same parameters, without doing it: the order (pending, within its payment window: code 7010 otherwise), the method (7003 unknown, 7004 disabled, 7006 not for this product, 7005 outside its bounds). For the balance, `balance` now and `payable` (whether it covers pay_fee).',
  tags: ['orders'],
  body: Type.Object(PayFields),
  response: {
    200: Envelope(
      Type.Object({
        trade_no: Type.String(),
        title: Type.String(),
        pay_fee: Type.Number(),
        pm_id: Type.Integer(),
        method: Type.String({ description: 'The method’s title' }),
        kind: Type.String({ description: 'balance, external or manual' }),
        balance: Type.Optional(Type.Number({ description: 'The balance method: the balance now' })),
        payable: Type.Boolean({ description: 'Whether pay would succeed now' }),
      }),
    ),
  },
};

export const Pay = {
  summary: 'Pay a pending order with a method',
  description:
    'The balance (`pm_id` of the balance method, or `pay_method: 7`) pays at once: debited and provisioned in one transaction (7007 when short; the order stays pending). An external method becomes the order’s method and answers `pay_url`; a manual one waits for the operator. The order is answered as order/info shows it.',
  tags: ['orders'],
  body: Type.Object(PayFields),
  response: {
    200: Envelope(
      Type.Object({
        ...OrderDetail.properties,
        pay_url: Type.Optional(Type.String({ description: 'External methods: where to pay' })),
      }),
    ),
  },
};
