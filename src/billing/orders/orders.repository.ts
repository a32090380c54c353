import { type ExpressionBuilder, type Insertable, type Kysely, sql } from 'kysely';
import type { Database, DialectCapabilities, OrderRow, OrdersTable } from '../../storage/index.js';
import { ORDER_STATUS } from '../billing.types.js';

export type NewOrderRow = Insertable<OrdersTable>;

export interface OrderQuery {
  readonly tradeNo?: string | undefined;
  readonly status?: number | undefined;
  readonly productType?: number | undefined;
  /** created_at at or after, epoch ms. */
  readonly createdFrom?: number | undefined;
  /** created_at at or before, epoch ms. */
  readonly createdUntil?: number | undefined;
  /** true: on an invoice that counts (invoice_orders); false: on none. */
  readonly invoiced?: boolean | undefined;
  /** 'some': pay_fee > 0; 'none': pay_fee 0. */
  readonly payFee?: 'some' | 'none' | undefined;
  readonly offset: number;
  readonly limit: number;
}

/** Queries on orders (and the few reads the order flow makes elsewhere); returns rows, holds no rules. */
export class OrdersRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly caps: DialectCapabilities,
  ) {}

  insert(row: NewOrderRow): Promise<OrderRow> {
    return this.db.insertInto('orders').values(row).returningAll().executeTakeFirstOrThrow();
  }

  findById(id: number): Promise<OrderRow | undefined> {
    return this.db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByTradeNo(tradeNo: string, userId: number): Promise<OrderRow | undefined> {
    return this.db
      .selectFrom('orders')
      .selectAll()
      .where('trade_no', '=', tradeNo)
      .where('user_id', '=', userId)
      .executeTakeFirst();
  }

  async tradeNoTaken(tradeNo: string): Promise<boolean> {
    const row = await this.db.selectFrom('orders').select('id').where('trade_no', '=', tradeNo).executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Serializes the user's order writes (PostgreSQL: a row lock on the user until the transaction ends; SQLite has
   * one writer at a time anyway), so "first paid order" and the balance are read and changed by one order at a time.
   */
  async lockUser(userId: number): Promise<{ invitedBy: number | null } | undefined> {
    let q = this.db.selectFrom('users').select(['id', 'invited_by']).where('id', '=', userId);
    if (this.caps.rowLocks) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    return row ? { invitedBy: row.invited_by === null ? null : Number(row.invited_by) } : undefined;
  }

  /** Whether the user has ever had an order paid (refunded ones included). */
  async hasPaidOrder(userId: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('orders')
      .select('id')
      .where('user_id', '=', userId)
      .where('paid_at', 'is not', null)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Of `ids`, the static IP allocations the user holds and has not released (expired ones included). */
  async ownAllocations(userId: number, ids: readonly number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('static_ip_allocations')
      .select('id')
      .where('id', 'in', [...ids])
      .where('user_id', '=', userId)
      .where('released_at', 'is', null)
      .execute();
    return rows.map((r) => Number(r.id));
  }

  /** Pending → closed, guarded: undefined when the order was not pending any more. */
  close(orderId: number, now: number): Promise<OrderRow | undefined> {
    return this.db
      .updateTable('orders')
      .set({ status: ORDER_STATUS.CLOSED, closed_at: now, updated_at: now })
      .where('id', '=', orderId)
      .where('status', '=', ORDER_STATUS.PENDING)
      .returningAll()
      .executeTakeFirst();
  }

  /** Ids of up to `limit` pending orders whose payment window has passed, oldest deadline first. */
  async dueForExpiry(now: number, limit: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('orders')
      .select('id')
      .where('status', '=', ORDER_STATUS.PENDING)
      .where('expires_at', '<=', now)
      .orderBy('expires_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => Number(r.id));
  }

  /** Closes those of `ids` still pending and past their deadline; returns what it closed (id, coupon). */
  async expire(ids: readonly number[], now: number): Promise<{ id: number; couponId: number | null }[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .updateTable('orders')
      .set({ status: ORDER_STATUS.CLOSED, closed_at: now, updated_at: now })
      .where('id', 'in', [...ids])
      .where('status', '=', ORDER_STATUS.PENDING)
      .where('expires_at', '<=', now)
      .returning(['id', 'coupon_id'])
      .execute();
    return rows.map((r) => ({ id: Number(r.id), couponId: r.coupon_id === null ? null : Number(r.coupon_id) }));
  }

  /** What the user paid in all for orders of `types` still paid (refunded ones are not counted), cents. */
  async paidTotal(userId: number, types: readonly number[]): Promise<number> {
    if (types.length === 0) return 0;
    const row = await this.db
      .selectFrom('orders')
      .select((eb) => eb.fn.sum<number>('pay_fee_cents').as('sum'))
      .where('user_id', '=', userId)
      .where('status', '=', ORDER_STATUS.PAID)
      .where('product_type', 'in', [...types])
      .executeTakeFirst();
    return Number(row?.sum ?? 0);
  }

  /** The user's balance now, cents. */
  async balanceOf(userId: number): Promise<number> {
    const row = await this.db.selectFrom('users').select('balance_cents').where('id', '=', userId).executeTakeFirst();
    return Number(row?.balance_cents ?? 0);
  }

  /** Pays a pending order with `pmId`: its method becomes that one (so a refund knows where the money came from). */
  setMethod(orderId: number, pmId: number, now: number): Promise<OrderRow | undefined> {
    return this.db
      .updateTable('orders')
      .set({ pm_id: pmId, updated_at: now })
      .where('id', '=', orderId)
      .where('status', '=', ORDER_STATUS.PENDING)
      .returningAll()
      .executeTakeFirst();
  }

  /** One page of a user's orders, newest first, and how many match in all. */
  async list(userId: number, q: OrderQuery): Promise<{ rows: OrderRow[]; total: number }> {
    let base = this.db.selectFrom('orders').where('user_id', '=', userId);
    if (q.tradeNo !== undefined) base = base.where('trade_no', '=', q.tradeNo);
    if (q.status !== undefined) base = base.where('status', '=', q.status);
    if (q.productType !== undefined) base = base.where('product_type', '=', q.productType);
    if (q.createdFrom !== undefined) base = base.where('created_at', '>=', q.createdFrom);
    if (q.createdUntil !== undefined) base = base.where('created_at', '<=', q.createdUntil);
    if (q.payFee === 'some') base = base.where('pay_fee_cents', '>', 0);
    if (q.payFee === 'none') base = base.where('pay_fee_cents', '=', 0);
    if (q.invoiced !== undefined) {
      const on = (eb: ExpressionBuilder<Database, 'orders'>) =>
        eb.exists(
          eb.selectFrom('invoice_orders').select('invoice_orders.order_id').whereRef('invoice_orders.order_id', '=', 'orders.id'),
        );
      base = base.where((eb) => (q.invoiced ? on(eb) : eb.not(on(eb))));
    }
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('id', 'desc').offset(q.offset).limit(q.limit).execute(),
      base.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }
}
