/**
 * Payments: external methods' signed webhooks (idempotent, one transaction per delivery), the operator's
 * manual mark-paid, refunds, and the operator's view of orders. Settling and refunding go through
 * settleOrder/refundOrder, whose guarded status updates make provisioning happen exactly once.
 */
import type { Kysely, Transaction } from 'kysely';
import { AppError } from '../../errors/index.js';
import type { Database, DialectCapabilities, OrderRow } from '../../storage/index.js';
import { ORDER_STATUS, type ProvisionerRegistry } from '../billing.types.js';
import { moneyText, parseMoney } from '../money.js';
import { refundOrder, settleOrder } from '../settle.js';
import type { PaymentMethodSource } from './methods.js';
import { sha256Hex, verifyWebhookSignature } from './signature.js';

/** What a webhook delivery did. */
export type WebhookResult =
  /** The order was pending and is now paid and provisioned. */
  | 'paid'
  /** This event was applied before: nothing changed. */
  | 'replay'
  /** Another event already paid the order: nothing changed. */
  | 'already_paid'
  /** A status other than 'paid' (e.g. a failed attempt): nothing changed. */
  | 'ignored';

export interface WebhookOutcome {
  readonly result: WebhookResult;
  readonly tradeNo: string;
  readonly orderId: number | null;
  /** The order's status after the delivery, when known. */
  readonly orderStatus: number | null;
}

export interface OrderFilter {
  readonly userId?: number | undefined;
  readonly status?: number | undefined;
  readonly tradeNo?: string | undefined;
  readonly page?: number | undefined;
  readonly size?: number | undefined;
}

export interface OrderPage {
  readonly items: OrderRow[];
  readonly total: number;
  readonly page: number;
  readonly size: number;
}

export interface OrderProvision {
  readonly kind: string;
  readonly refId: number;
  readonly detail: unknown;
  readonly createdAt: number;
}

/** The part of a logger payments write to (pino fits). */
export interface PaymentsLogger {
  warn(obj: object, msg: string): void;
}

export interface PaymentsServiceOptions {
  readonly now?: () => number;
  readonly logger?: PaymentsLogger | undefined;
}

const TRADE_NO_MAX = 64;
/** A webhook status: "paid" pays; other words like it ("failed", "pending") are acknowledged and change nothing. */
const STATUS_WORD = /^[a-z][a-z0-9_]{0,31}$/;
const EVENT_KEY_MAX = 128;
export const ORDER_PAGE_SIZE_MAX = 200;

interface WebhookPayload {
  readonly tradeNo: string;
  readonly amountCents: number;
  readonly eventKey: string;
  readonly status: string;
}

/** Thrown inside a transaction to roll it back and answer `outcome` (nothing changed). */
class NothingChanged extends Error {
  constructor(readonly outcome: WebhookOutcome) {
    super('nothing changed');
  }
}

function payloadInvalid(reason: string): AppError {
  return new AppError('TG_ERR_WEBHOOK_PAYLOAD_INVALID', { params: { reason } });
}

/** Reads the JSON body a provider sends: {trade_no, amount, event_id?, status}. */
export function parseWebhookPayload(raw: Buffer): WebhookPayload {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw payloadInvalid('the body is not JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw payloadInvalid('the body is not a JSON object');
  const b = body as Record<string, unknown>;
  const tradeNo = typeof b.trade_no === 'string' ? b.trade_no.trim() : typeof b.trade_no === 'number' ? String(b.trade_no) : '';
  if (tradeNo === '' || tradeNo.length > TRADE_NO_MAX) throw payloadInvalid('trade_no is missing or too long');
  const amountCents =
    typeof b.amount === 'string' || typeof b.amount === 'number' ? parseMoney(b.amount as string | number) : undefined;
  if (amountCents === undefined) throw payloadInvalid('amount must be a decimal amount with at most 2 decimals');
  let eventKey = tradeNo;
  if (b.event_id !== undefined && b.event_id !== null && b.event_id !== '') {
    if (typeof b.event_id !== 'string' && typeof b.event_id !== 'number') throw payloadInvalid('event_id must be text');
    eventKey = String(b.event_id).trim();
    if (eventKey === '' || eventKey.length > EVENT_KEY_MAX)
      throw payloadInvalid(`event_id must be 1-${EVENT_KEY_MAX} characters`);
  }
  // Compared exactly, never trimmed or case-folded: " paid" or "PAID" is not "paid", and a provider sending it
  // must hear so (a 400 it retries and its operator sees) rather than have a payment silently ignored.
  if (typeof b.status !== 'string' || !STATUS_WORD.test(b.status)) {
    throw payloadInvalid('status must be "paid", or another status word in lower case, exactly');
  }
  return { tradeNo, amountCents, eventKey, status: b.status };
}

export class PaymentsService {
  readonly #now: () => number;
  readonly #logger: PaymentsLogger | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly caps: DialectCapabilities,
    private readonly registry: ProvisionerRegistry,
    private readonly methods: PaymentMethodSource,
    options: PaymentsServiceOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger;
  }

  /**
   * One webhook delivery for payment method `pmIdText` (the path parameter). Checks, in order: the method
   * exists and is external (TG_ERR_PAYMENT_METHOD_NOT_FOUND), the signature over the raw body
   * (TG_ERR_WEBHOOK_SIGNATURE_INVALID), the payload (TG_ERR_WEBHOOK_PAYLOAD_INVALID); then, in one
   * transaction: the order of that trade_no and method (TG_ERR_ORDER_NOT_FOUND), the event recorded in
   * payment_events (already there: a replay, nothing changes), the amount (TG_ERR_WEBHOOK_AMOUNT_MISMATCH),
   * and settlement (a closed order: TG_ERR_ORDER_NOT_PENDING). Any failure changes nothing.
   */
  async handleWebhook(pmIdText: string, rawBody: Buffer, signature: string | undefined): Promise<WebhookOutcome> {
    const pmId = /^[1-9]\d{0,14}$/.test(pmIdText) ? Number(pmIdText) : undefined;
    const notFound = () => new AppError('TG_ERR_PAYMENT_METHOD_NOT_FOUND', { params: { pm_id: pmIdText.slice(0, 32) } });
    if (pmId === undefined) throw notFound();
    let method;
    try {
      method = await this.methods.get(pmId);
    } catch (err) {
      if (err instanceof AppError && err.key === 'TG_ERR_PAYMENT_METHOD_NOT_FOUND') throw notFound();
      throw err;
    }
    if (method.kind !== 'external') throw notFound();
    if (!verifyWebhookSignature(method.secret ?? '', rawBody, signature)) throw new AppError('TG_ERR_WEBHOOK_SIGNATURE_INVALID');
    const payload = parseWebhookPayload(rawBody);
    if (payload.status !== 'paid') {
      return { result: 'ignored', tradeNo: payload.tradeNo, orderId: null, orderStatus: null };
    }
    const now = this.#now();
    const digest = sha256Hex(rawBody);
    try {
      return await this.db.transaction().execute((trx) => this.#applyPayment(trx, pmId, payload, digest, now));
    } catch (err) {
      if (err instanceof NothingChanged) {
        const { outcome } = err;
        if (outcome.orderStatus !== null || outcome.orderId === null) return outcome;
        return { ...outcome, orderStatus: await this.#status(this.db, outcome.orderId) };
      }
      // A verified payment that could not be applied needs the operator (a closed order, a wrong amount,
      // stock that ran out before provisioning): say so with the trade_no.
      this.#logger?.warn(
        {
          pm_id: pmId,
          trade_no: payload.tradeNo,
          event_key: payload.eventKey,
          amount: moneyText(payload.amountCents),
          error: err instanceof AppError ? err.key : String(err),
        },
        'payment received but not applied; needs the operator',
      );
      throw err;
    }
  }

  async #applyPayment(
    trx: Transaction<Database>,
    pmId: number,
    payload: WebhookPayload,
    digest: string,
    now: number,
  ): Promise<WebhookOutcome> {
    const order = await trx
      .selectFrom('orders')
      .selectAll()
      .where('trade_no', '=', payload.tradeNo)
      .where('pm_id', '=', pmId)
      .executeTakeFirst();
    if (!order) throw new AppError('TG_ERR_ORDER_NOT_FOUND');
    const orderId = Number(order.id);
    try {
      // Concurrent deliveries of one event: the unique index makes all but one wait, then fail here.
      await trx
        .insertInto('payment_events')
        .values({ pm_id: pmId, event_key: payload.eventKey, order_id: orderId, payload_sha256: digest, created_at: now })
        .execute();
    } catch (err) {
      if (!this.caps.isUniqueViolation(err)) throw err;
      // PostgreSQL refuses further statements in this transaction: the status is read after it.
      throw new NothingChanged({ result: 'replay', tradeNo: order.trade_no, orderId, orderStatus: null });
    }
    if (payload.amountCents !== Number(order.pay_fee_cents)) {
      throw new AppError('TG_ERR_WEBHOOK_AMOUNT_MISMATCH', {
        data: {
          trade_no: order.trade_no,
          expected: moneyText(Number(order.pay_fee_cents)),
          paid: moneyText(payload.amountCents),
        },
      });
    }
    if (await settleOrder(trx, order, this.registry, now)) {
      return { result: 'paid', tradeNo: order.trade_no, orderId, orderStatus: ORDER_STATUS.PAID };
    }
    const status = await this.#status(trx, orderId);
    if (status === ORDER_STATUS.PAID || status === ORDER_STATUS.REFUNDED) {
      // Paid before by another event (or refunded since): keep nothing of this delivery.
      throw new NothingChanged({ result: 'already_paid', tradeNo: order.trade_no, orderId, orderStatus: status });
    }
    throw new AppError('TG_ERR_ORDER_NOT_PENDING', { data: { trade_no: order.trade_no, status } });
  }

  async #status(trx: Transaction<Database> | Kysely<Database>, orderId: number): Promise<number | null> {
    const row = await trx.selectFrom('orders').select('status').where('id', '=', orderId).executeTakeFirst();
    return row ? Number(row.status) : null;
  }

  /** Orders, newest first, filtered by user, status and trade_no. */
  async listOrders(filter: OrderFilter = {}): Promise<OrderPage> {
    const page = Math.max(1, Math.floor(filter.page ?? 1));
    const size = Math.min(ORDER_PAGE_SIZE_MAX, Math.max(1, Math.floor(filter.size ?? 20)));
    let q = this.db.selectFrom('orders');
    if (filter.userId !== undefined) q = q.where('user_id', '=', filter.userId);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    if (filter.tradeNo !== undefined && filter.tradeNo.trim() !== '') q = q.where('trade_no', '=', filter.tradeNo.trim());
    const counted = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const items = await q
      .selectAll()
      .orderBy('id', 'desc')
      .limit(size)
      .offset((page - 1) * size)
      .execute();
    return { items, total: Number(counted.n), page, size };
  }

  async getOrder(id: number): Promise<OrderRow> {
    const row = await this.db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('TG_ERR_ORDER_NOT_FOUND');
    return row;
  }

  /** What a paid order provisioned (order_provisions), oldest first. */
  async provisionsOf(orderId: number): Promise<OrderProvision[]> {
    const rows = await this.db.selectFrom('order_provisions').selectAll().where('order_id', '=', orderId).orderBy('id').execute();
    return rows.map((r) => {
      let detail: unknown = {};
      try {
        detail = JSON.parse(r.detail);
      } catch {
        // Stored by this code as JSON; leave {} if not.
      }
      return { kind: r.kind, refId: Number(r.ref_id), detail, createdAt: Number(r.created_at) };
    });
  }

  /**
   * The operator confirms a manual payment (e.g. a bank transfer): only for orders of a 'manual' method
   * (TG_ERR_PAYMENT_METHOD_NOT_ALLOWED otherwise); a non-pending order: TG_ERR_ORDER_NOT_PENDING.
   */
  async markPaid(orderId: number): Promise<OrderRow> {
    const now = this.#now();
    await this.db.transaction().execute(async (trx) => {
      const order = await this.#orderIn(trx, orderId);
      if ((await this.#methodKind(trx, Number(order.pm_id))) !== 'manual')
        throw new AppError('TG_ERR_PAYMENT_METHOD_NOT_ALLOWED');
      if (!(await settleOrder(trx, order, this.registry, now))) {
        throw new AppError('TG_ERR_ORDER_NOT_PENDING', {
          data: { trade_no: order.trade_no, status: await this.#status(trx, orderId) },
        });
      }
    });
    return this.getOrder(orderId);
  }

  /**
   * Refunds a paid order (status 3): what it provisioned is reversed and, when it was paid from the balance,
   * pay_fee is credited back (both ledger rows kept). Not paid: TG_ERR_ORDER_NOT_PAID. All or nothing.
   */
  async refund(orderId: number): Promise<OrderRow> {
    const now = this.#now();
    await this.db.transaction().execute(async (trx) => {
      const order = await this.#orderIn(trx, orderId);
      const kind = await this.#methodKind(trx, Number(order.pm_id));
      await refundOrder(trx, order, this.registry, kind === 'balance', now);
    });
    return this.getOrder(orderId);
  }

  async #orderIn(trx: Transaction<Database>, orderId: number): Promise<OrderRow> {
    const order = await trx.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirst();
    if (!order) throw new AppError('TG_ERR_ORDER_NOT_FOUND');
    return order;
  }

  async #methodKind(trx: Transaction<Database>, pmId: number): Promise<string | undefined> {
    const row = await trx.selectFrom('payment_methods').select('kind').where('id', '=', pmId).executeTakeFirst();
    return row?.kind;
  }
}
