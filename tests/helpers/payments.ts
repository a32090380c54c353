/**
 * Billing fixtures for payment tests: payment methods (secrets sealed as the catalogue seals them), orders
 * inserted as order/create leaves them (pending, details as JSON), signed webhook deliveries through the full
 * Fastify stack, and counts of what provisioning wrote.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { SecretBox } from '../../src/accounts/index.js';
import type { OrderDetails } from '../../src/billing/index.js';
import { signWebhook } from '../../src/billing/payments/index.js';
import type { OrderRow } from '../../src/storage/index.js';
import type { TestPlatform } from './platform.js';

export interface Method {
  readonly id: number;
  readonly secret: string;
}

/** Adds a payment method row; external ones get a signing secret sealed with purpose 'payment-secret'. */
export async function addMethod(
  tp: TestPlatform,
  kind: 'external' | 'manual' | 'balance',
  title: string = kind,
): Promise<Method> {
  if (kind === 'balance') {
    // Built in: the platform ensures one exists.
    const existing = await tp.platform.storage.db
      .selectFrom('payment_methods')
      .select('id')
      .where('kind', '=', 'balance')
      .executeTakeFirst();
    if (existing) return { id: Number(existing.id), secret: '' };
  }
  const secret = kind === 'external' ? randomBytes(16).toString('hex') : '';
  const box = new SecretBox(tp.platform.config.secret, 'payment-secret');
  const now = Date.now();
  const row = await tp.platform.storage.db
    .insertInto('payment_methods')
    .values({
      kind,
      title,
      group_code: kind,
      group_name: title,
      secret_enc: secret === '' ? '' : box.encrypt(secret),
      pay_url: kind === 'external' ? 'https://pay.example.com/?t={trade_no}&a={amount}' : '',
      logo: '',
      disabled: 0,
      min_cents: 0,
      max_cents: 0,
      sort: 0,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: Number(row.id), secret };
}

export interface NewOrder {
  readonly userId: number;
  readonly pmId: number;
  readonly productType: number;
  readonly payFeeCents: number;
  readonly details: OrderDetails;
  readonly amount?: number;
  readonly status?: number;
  readonly now?: number;
  readonly ttlMs?: number;
}

/** A pending order as order/create leaves it for an external or manual method. */
export async function insertOrder(tp: TestPlatform, o: NewOrder): Promise<OrderRow> {
  const now = o.now ?? tp.platform.now();
  const tradeNo = `2024051312141${String(randomInt(0, 1e14)).padStart(15, '0')}`;
  return tp.platform.storage.db
    .insertInto('orders')
    .values({
      trade_no: tradeNo,
      user_id: o.userId,
      product_id: 1,
      product_name: `product ${o.productType}`,
      product_type: o.productType,
      amount: o.amount ?? 1,
      total_fee_cents: o.payFeeCents,
      discount_cents: 0,
      pay_fee_cents: o.payFeeCents,
      coupon_id: null,
      pm_id: o.pmId,
      status: o.status ?? 0,
      details: JSON.stringify(o.details),
      created_at: now,
      expires_at: now + (o.ttlMs ?? 1_800_000),
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** POSTs a raw body to the webhook of `pmId`; `signature` undefined sends none. */
export function deliver(
  tp: TestPlatform,
  pmId: number | string,
  body: string,
  signature: string | undefined,
  contentType = 'application/json',
): Promise<LightMyRequestResponse> {
  return tp.app.inject({
    method: 'POST',
    url: `/payments/webhook/${pmId}`,
    headers: { 'content-type': contentType, ...(signature === undefined ? {} : { 'x-tollgate-signature': signature }) },
    payload: body,
  });
}

/** A correctly signed delivery of {trade_no, amount, event_id?, status: 'paid'}. */
export function deliverPaid(
  tp: TestPlatform,
  method: Method,
  order: Pick<OrderRow, 'trade_no' | 'pay_fee_cents'>,
  extra: { eventId?: string; amount?: string | number } = {},
): Promise<LightMyRequestResponse> {
  const body = JSON.stringify({
    trade_no: order.trade_no,
    amount: extra.amount ?? (Number(order.pay_fee_cents) / 100).toFixed(2),
    ...(extra.eventId === undefined ? {} : { event_id: extra.eventId }),
    status: 'paid',
  });
  return deliver(tp, method.id, body, signWebhook(method.secret, body));
}

/** How many rows provisioning and payments left, for "nothing changed" checks. */
export async function counts(tp: TestPlatform, userId: number) {
  const db = tp.platform.storage.db;
  const n = async (q: { executeTakeFirstOrThrow(): Promise<{ n: number | string }> }) =>
    Number((await q.executeTakeFirstOrThrow()).n);
  const user = await db.selectFrom('users').select('balance_cents').where('id', '=', userId).executeTakeFirstOrThrow();
  return {
    packages: await n(
      db
        .selectFrom('user_packages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId),
    ),
    allocations: await n(
      db
        .selectFrom('static_ip_allocations')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId),
    ),
    ledger: await n(
      db
        .selectFrom('balance_ledger')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId),
    ),
    events: await n(db.selectFrom('payment_events').select((eb) => eb.fn.countAll<number>().as('n'))),
    provisions: await n(db.selectFrom('order_provisions').select((eb) => eb.fn.countAll<number>().as('n'))),
    balanceCents: Number(user.balance_cents),
  };
}

export async function orderStatus(tp: TestPlatform, orderId: number): Promise<number> {
  const row = await tp.platform.storage.db
    .selectFrom('orders')
    .select('status')
    .where('id', '=', orderId)
    .executeTakeFirstOrThrow();
  return Number(row.status);
}
