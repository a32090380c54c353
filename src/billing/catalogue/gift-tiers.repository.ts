import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Database, GiftTiersTable } from '../../storage/index.js';

export type GiftTierRow = Selectable<GiftTiersTable>;

/** Queries on recharge gift tiers; returns rows, holds no rules. */
export class GiftTiersRepository {
  constructor(private readonly db: Kysely<Database>) {}

  insert(row: Insertable<GiftTiersTable>): Promise<GiftTierRow> {
    return this.db.insertInto('gift_tiers').values(row).returningAll().executeTakeFirstOrThrow();
  }

  findByAmount(amountCents: number): Promise<GiftTierRow | undefined> {
    return this.db.selectFrom('gift_tiers').selectAll().where('amount_cents', '=', amountCents).executeTakeFirst();
  }

  /** Every tier by amount. */
  list(): Promise<GiftTierRow[]> {
    return this.db.selectFrom('gift_tiers').selectAll().orderBy('amount_cents').execute();
  }

  /** The tier with the highest amount ≤ `amountCents`. */
  highestUpTo(amountCents: number): Promise<GiftTierRow | undefined> {
    return this.db
      .selectFrom('gift_tiers')
      .selectAll()
      .where('amount_cents', '<=', amountCents)
      .orderBy('amount_cents', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  update(id: number, patch: Updateable<GiftTiersTable>): Promise<GiftTierRow | undefined> {
    return this.db.updateTable('gift_tiers').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
  }

  async delete(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('gift_tiers').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
