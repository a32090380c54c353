import type { Kysely } from 'kysely';
import type { Database } from '../storage/index.js';

/** What a quota counts: a user's sub-accounts or whitelisted IPs. */
export type CountedTable = 'sub_accounts' | 'white_ips';

/** Counts a user's holdings by product type; returns rows, holds no rules. */
export class QuotasRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** How many rows of `table` the user holds, by product type (types with none are absent). */
  async countByType(table: CountedTable, userId: number): Promise<Map<number, number>> {
    const rows = await this.db
      .selectFrom(table)
      .select(['product_type', (eb) => eb.fn.countAll<number>().as('n')])
      .where('user_id', '=', userId)
      .groupBy('product_type')
      .execute();
    return new Map(rows.map((r) => [Number(r.product_type), Number(r.n)]));
  }
}
