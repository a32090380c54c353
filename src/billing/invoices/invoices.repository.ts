import { type ExpressionBuilder, type Insertable, type Kysely, sql } from 'kysely';
import type { Database, DialectCapabilities, InvoiceProfilesTable, InvoicesTable } from '../../storage/index.js';
import { ORDER_STATUS } from '../billing.types.js';
import type { InvoiceableOrder } from './invoices.types.js';

type ProfileRow = Awaited<ReturnType<InvoicesRepository['profile']>>;

/** Paid orders with something paid by a method other than the balance, on no invoice that counts. */
function invoiceable(eb: ExpressionBuilder<Database, 'orders'>) {
  return eb.and([
    eb('orders.status', '=', ORDER_STATUS.PAID),
    eb('orders.pay_fee_cents', '>', 0),
    eb.exists(
      eb
        .selectFrom('payment_methods')
        .select('payment_methods.id')
        .whereRef('payment_methods.id', '=', 'orders.pm_id')
        .where('payment_methods.kind', '!=', 'balance'),
    ),
    eb.not(
      eb.exists(
        eb.selectFrom('invoice_orders').select('invoice_orders.order_id').whereRef('invoice_orders.order_id', '=', 'orders.id'),
      ),
    ),
  ]);
}

/** Queries on invoice profiles, invoices and the orders they cover; rows only, no rules. */
export class InvoicesRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly caps: DialectCapabilities,
  ) {}

  profiles(userId: number) {
    return this.db.selectFrom('invoice_profiles').selectAll().where('user_id', '=', userId).orderBy('id').execute();
  }

  profile(userId: number, id: number) {
    return this.db
      .selectFrom('invoice_profiles')
      .selectAll()
      .where('user_id', '=', userId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async countProfiles(userId: number): Promise<number> {
    const row = await this.db
      .selectFrom('invoice_profiles')
      .select(sql<number>`count(*)`.as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  insertProfile(row: Insertable<InvoiceProfilesTable>) {
    return this.db.insertInto('invoice_profiles').values(row).returningAll().executeTakeFirstOrThrow();
  }

  updateProfile(userId: number, id: number, patch: Partial<Insertable<InvoiceProfilesTable>>): Promise<ProfileRow> {
    return this.db
      .updateTable('invoice_profiles')
      .set(patch)
      .where('user_id', '=', userId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  async deleteProfile(userId: number, id: number): Promise<boolean> {
    const r = await this.db.deleteFrom('invoice_profiles').where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Serializes a user's invoice requests (PostgreSQL: a row lock on the user; SQLite has one writer anyway). */
  async lockUser(userId: number): Promise<boolean> {
    let q = this.db.selectFrom('users').select('id').where('id', '=', userId);
    if (this.caps.rowLocks) q = q.forUpdate();
    return (await q.executeTakeFirst()) !== undefined;
  }

  /** A page of the user's invoiceable orders, oldest paid first, and how many there are. */
  async invoiceableOrders(
    userId: number,
    offset: number,
    limit: number,
  ): Promise<{ rows: InvoiceableOrder[]; total: number; sum: number }> {
    const base = this.db.selectFrom('orders').where('orders.user_id', '=', userId).where(invoiceable);
    const [rows, agg] = await Promise.all([
      base
        .select([
          'orders.id',
          'orders.trade_no',
          'orders.product_name',
          'orders.product_type',
          'orders.pay_fee_cents',
          'orders.paid_at',
        ])
        .orderBy('orders.paid_at')
        .orderBy('orders.id')
        .offset(offset)
        .limit(limit)
        .execute(),
      base
        .select([sql<number>`count(*)`.as('n'), sql<number>`coalesce(sum(orders.pay_fee_cents), 0)`.as('s')])
        .executeTakeFirstOrThrow(),
    ]);
    return {
      rows: rows.map((r) => ({
        orderId: Number(r.id),
        tradeNo: r.trade_no,
        productName: r.product_name,
        productType: r.product_type,
        amountCents: Number(r.pay_fee_cents),
        paidAt: Number(r.paid_at),
      })),
      total: Number(agg.n),
      sum: Number(agg.s),
    };
  }

  /**
   * Of the user's orders numbered `tradeNos`, those that can be invoiced now, oldest paid first like `ordersOf`
   * (without an order PostgreSQL answered in its index's trade_no order, so an invoice's answer listed its orders
   * one way when requested and another when read back).
   */
  async invoiceableByTradeNo(userId: number, tradeNos: readonly string[]): Promise<InvoiceableOrder[]> {
    if (tradeNos.length === 0) return [];
    const rows = await this.db
      .selectFrom('orders')
      .select([
        'orders.id',
        'orders.trade_no',
        'orders.product_name',
        'orders.product_type',
        'orders.pay_fee_cents',
        'orders.paid_at',
      ])
      .where('orders.user_id', '=', userId)
      .where('orders.trade_no', 'in', [...tradeNos])
      .where(invoiceable)
      .orderBy('orders.paid_at')
      .orderBy('orders.id')
      .execute();
    return rows.map((r) => ({
      orderId: Number(r.id),
      tradeNo: r.trade_no,
      productName: r.product_name,
      productType: r.product_type,
      amountCents: Number(r.pay_fee_cents),
      paidAt: Number(r.paid_at),
    }));
  }

  /** Sums of the user's invoices by status, cents. */
  async sumsByStatus(userId: number): Promise<Map<number, number>> {
    const rows = await this.db
      .selectFrom('invoices')
      .select(['status', sql<number>`coalesce(sum(amount_cents), 0)`.as('s')])
      .where('user_id', '=', userId)
      .groupBy('status')
      .execute();
    return new Map(rows.map((r) => [Number(r.status), Number(r.s)]));
  }

  insertInvoice(row: Insertable<InvoicesTable>) {
    return this.db.insertInto('invoices').values(row).returningAll().executeTakeFirstOrThrow();
  }

  async coverOrders(invoiceId: number, orders: readonly InvoiceableOrder[]): Promise<void> {
    if (orders.length === 0) return;
    await this.db
      .insertInto('invoice_orders')
      .values(orders.map((o) => ({ order_id: o.orderId, invoice_id: invoiceId, amount_cents: o.amountCents })))
      .execute();
  }

  /** Gives an invoice's orders back (it was rejected, cancelled or voided). */
  async releaseOrders(invoiceId: number): Promise<void> {
    await this.db.deleteFrom('invoice_orders').where('invoice_id', '=', invoiceId).execute();
  }

  findInvoice(id: number, userId?: number) {
    let q = this.db.selectFrom('invoices').selectAll().where('id', '=', id);
    if (userId !== undefined) q = q.where('user_id', '=', userId);
    return q.executeTakeFirst();
  }

  async numberTaken(number: string): Promise<boolean> {
    return (await this.db.selectFrom('invoices').select('id').where('number', '=', number).executeTakeFirst()) !== undefined;
  }

  /** A page of invoices, newest first (a user's, or everyone's), and how many match. */
  async invoicePage(filter: { userId?: number | undefined; status?: number | undefined }, offset: number, limit: number) {
    let base = this.db.selectFrom('invoices');
    if (filter.userId !== undefined) base = base.where('user_id', '=', filter.userId);
    if (filter.status !== undefined) base = base.where('status', '=', filter.status);
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('id', 'desc').offset(offset).limit(limit).execute(),
      base.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }

  /** The orders each of `invoiceIds` covers. */
  async ordersOf(invoiceIds: readonly number[]): Promise<Map<number, InvoiceableOrder[]>> {
    const out = new Map<number, InvoiceableOrder[]>();
    if (invoiceIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('invoice_orders')
      .innerJoin('orders', 'orders.id', 'invoice_orders.order_id')
      .select([
        'invoice_orders.invoice_id',
        'orders.id',
        'orders.trade_no',
        'orders.product_name',
        'orders.product_type',
        'invoice_orders.amount_cents',
        'orders.paid_at',
      ])
      .where('invoice_orders.invoice_id', 'in', [...invoiceIds])
      .orderBy('orders.paid_at')
      .orderBy('orders.id')
      .execute();
    for (const r of rows) {
      const list = out.get(Number(r.invoice_id)) ?? [];
      list.push({
        orderId: Number(r.id),
        tradeNo: r.trade_no,
        productName: r.product_name,
        productType: r.product_type,
        amountCents: Number(r.amount_cents),
        paidAt: Number(r.paid_at),
      });
      out.set(Number(r.invoice_id), list);
    }
    return out;
  }

  /** Moves an invoice from status `from` to `to`, guarded; undefined when it was not in `from` any more. */
  transition(id: number, from: number, set: Partial<Insertable<InvoicesTable>>) {
    return this.db
      .updateTable('invoices')
      .set(set)
      .where('id', '=', id)
      .where('status', '=', from)
      .returningAll()
      .executeTakeFirst();
  }
}
