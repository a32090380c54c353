import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Database, PaymentMethodsTable } from '../../storage/index.js';

export type PaymentMethodRow = Selectable<PaymentMethodsTable>;

/** Queries on payment methods; returns rows, holds no rules. Bind to a transaction to make calls atomic. */
export class PaymentMethodsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  insert(row: Insertable<PaymentMethodsTable>): Promise<PaymentMethodRow> {
    return this.db.insertInto('payment_methods').values(row).returningAll().executeTakeFirstOrThrow();
  }

  findById(id: number): Promise<PaymentMethodRow | undefined> {
    return this.db.selectFrom('payment_methods').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Every method in the order customers see them: sort, then id. */
  list(): Promise<PaymentMethodRow[]> {
    return this.db.selectFrom('payment_methods').selectAll().orderBy('sort').orderBy('id').execute();
  }

  /** The first balance method by id (there is one; should a race have made two, the first is the one). */
  firstOfKind(kind: string): Promise<PaymentMethodRow | undefined> {
    return this.db.selectFrom('payment_methods').selectAll().where('kind', '=', kind).orderBy('id').limit(1).executeTakeFirst();
  }

  update(id: number, patch: Updateable<PaymentMethodsTable>): Promise<PaymentMethodRow | undefined> {
    return this.db.updateTable('payment_methods').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
  }

  /** The caller's order by trade_no: what decides which methods may pay it. */
  findOrder(userId: number, tradeNo: string): Promise<{ product_type: number; pay_fee_cents: number } | undefined> {
    return this.db
      .selectFrom('orders')
      .select(['product_type', 'pay_fee_cents'])
      .where('trade_no', '=', tradeNo)
      .where('user_id', '=', userId)
      .executeTakeFirst();
  }
}
