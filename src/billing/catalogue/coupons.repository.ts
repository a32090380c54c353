import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { CouponsTable, Database } from '../../storage/index.js';

export type CouponRow = Selectable<CouponsTable>;

/** Queries on coupons; returns rows, holds no rules. Bind to a transaction to make calls atomic. */
export class CouponsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  insert(row: Insertable<CouponsTable>): Promise<CouponRow> {
    return this.db.insertInto('coupons').values(row).returningAll().executeTakeFirstOrThrow();
  }

  findById(id: number): Promise<CouponRow | undefined> {
    return this.db.selectFrom('coupons').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByCode(code: string): Promise<CouponRow | undefined> {
    return this.db.selectFrom('coupons').selectAll().where('code', '=', code).executeTakeFirst();
  }

  list(): Promise<CouponRow[]> {
    return this.db.selectFrom('coupons').selectAll().orderBy('id').execute();
  }

  update(id: number, patch: Updateable<CouponsTable>): Promise<CouponRow | undefined> {
    return this.db.updateTable('coupons').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
  }

  /** One more use, unless the coupon is used up (max_uses 0: unlimited); answers whether it counted. */
  async reserve(id: number, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('coupons')
      .set((eb) => ({ used_count: eb(eb.ref('used_count'), '+', 1), updated_at: now }))
      .where('id', '=', id)
      .where((eb) => eb.or([eb('max_uses', '=', 0), eb(eb.ref('used_count'), '<', eb.ref('max_uses'))]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** One use fewer (never below 0); answers whether it changed. */
  async release(id: number, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('coupons')
      .set((eb) => ({ used_count: eb(eb.ref('used_count'), '-', 1), updated_at: now }))
      .where('id', '=', id)
      .where('used_count', '>', 0)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
