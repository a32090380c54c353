/** Payment routes: external methods' webhooks, and the operator's orders (list, mark paid, refund). */
import { Type } from '@sinclair/typebox';
import { ORDER_PAGE_SIZE_MAX } from '../../billing/payments/index.js';
import { Envelope, Id, IdParams, PageNo } from './common.js';

const IsoTime = Type.String({ format: 'date-time' });
const OptionalIsoTime = Type.Union([IsoTime, Type.Null()]);

export const PaymentWebhook = {
  summary: 'Payment notification from an external payment method',
  description:
    'Body JSON `{trade_no, amount, event_id?, status}` (`amount` a decimal string or number equal to the order’s pay_fee; `status` exactly "paid" to pay; another lower-case status word such as "failed" is acknowledged and ignored; anything else, " paid" or "PAID" included, is refused with 400 code 7013 and changes nothing). Header `X-Tollgate-Signature: sha256=<hex>`: the hex HMAC-SHA256 of the exact raw body under the method’s secret. Idempotent: a replayed event answers success and changes nothing. HTTP statuses are real: 404 unknown method or order, 401 bad signature, 400 malformed body, 409 amount mismatch or order not pending.',
  tags: ['payments'],
  params: Type.Object({ method: Type.String({ description: 'The payment method id (pm_id)' }) }),
  response: {
    200: Envelope(
      Type.Object({
        result: Type.Union(
          [Type.Literal('paid'), Type.Literal('replay'), Type.Literal('already_paid'), Type.Literal('ignored')],
          {
            description:
              'paid: the order is now paid and provisioned; replay: this event was applied before; already_paid: another event paid the order; ignored: not a paid status',
          },
        ),
        trade_no: Type.String(),
        order_status: Type.Union([Type.Integer(), Type.Null()], { description: '0 pending, 1 paid, 2 closed, 3 refunded' }),
      }),
    ),
  },
};

export const AdminOrder = Type.Object({
  id: Type.Integer(),
  trade_no: Type.String(),
  user_id: Type.Integer(),
  product_id: Type.Integer(),
  product_type: Type.Integer(),
  product_name: Type.String(),
  amount: Type.Integer({ description: 'Units bought' }),
  total_fee: Type.Number(),
  discount: Type.Number(),
  pay_fee: Type.Number(),
  coupon_id: Type.Union([Type.Integer(), Type.Null()]),
  pm_id: Type.Integer(),
  status: Type.Integer({ description: '0 pending, 1 paid, 2 closed, 3 refunded' }),
  details: Type.Record(Type.String(), Type.Unknown(), {
    description: 'What exactly was ordered (regions, renewed ids, SKUs, recharge)',
  }),
  created_at: IsoTime,
  expires_at: IsoTime,
  paid_at: OptionalIsoTime,
  closed_at: OptionalIsoTime,
  refunded_at: OptionalIsoTime,
});

export const AdminListOrders = {
  summary: 'List orders, newest first',
  tags: ['admin'],
  querystring: Type.Object({
    user_id: Type.Optional(Id()),
    status: Type.Optional(Type.Integer({ minimum: 0, maximum: 3, description: '0 pending, 1 paid, 2 closed, 3 refunded' })),
    trade_no: Type.Optional(Type.String({ maxLength: 64 })),
    page: PageNo(),
    size: Type.Integer({ minimum: 1, maximum: ORDER_PAGE_SIZE_MAX, default: 50 }),
  }),
  response: {
    200: Envelope(
      Type.Object({
        list: Type.Array(AdminOrder),
        page: Type.Integer(),
        page_size: Type.Integer(),
        total_count: Type.Integer(),
        total_page: Type.Integer(),
      }),
    ),
  },
};

export const AdminMarkOrderPaid = {
  summary: 'Mark an order of a manual payment method paid (and provision it)',
  tags: ['admin'],
  params: IdParams,
  response: { 200: Envelope(AdminOrder) },
};

export const AdminRefundOrder = {
  summary: 'Refund a paid order: reverse what it provisioned, credit a balance payment back',
  tags: ['admin'],
  params: IdParams,
  response: { 200: Envelope(AdminOrder) },
};
