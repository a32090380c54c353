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

export const OrderCreate = {
  summary: 'Create an order (and pay it, when paying from the balance)',
  description:
    'Prices the order in exact cents: the unit price × `amount` (type 11: plus the chosen bandwidth and concurrency SKUs, × `amount`; static IPs: × the IPs in `region_list`; renewals: × `upids` × `renew_duration`; types 3 and 26: `recharge_amount`), less the coupon (`coupon_sn`) and the invitation discount (an invited user’s first order, when asked). Paying from the balance debits it and provisions at once, all or nothing (status 1). An external method leaves the order pending (status 0) and answers `pay_url`; a manual method leaves it pending for the operator. Unpaid orders close after TOLLGATE_ORDER_TTL.',
  tags: ['orders'],
  body: Type.Object({
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
    recharge_amount: Type.Optional(
      Type.String({
        pattern: '^[0-9]{1,13}(\\.[0-9]{1,2})?$',
        description: 'Types 3 and 26: the amount, a decimal with at most 2 decimals',
        examples: ['100', '12.50'],
      }),
    ),
  }),
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
