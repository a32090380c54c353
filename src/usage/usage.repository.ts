import type { Kysely } from 'kysely';
import type { Database } from '../storage/index.js';

/** Queries on billed usage (`usage_hourly`); returns numbers, holds no rules. */
export class UsageRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Bytes billed to the user's accounts of this type and name in the hours that start in [from, to): one local
   * day's usage when given TimeFormatter.dayStart/nextDayStart (the gateway's daily limits).
   */
  async bytesBetween(userId: number, productType: number, username: string, from: number, to: number): Promise<number> {
    const row = await this.db
      .selectFrom('usage_hourly')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('bytes'), eb.lit(0)).as('bytes'))
      .where('user_id', '=', userId)
      .where('product_type', '=', productType)
      .where('username', '=', username)
      .where('hour_start', '>=', from)
      .where('hour_start', '<', to)
      .executeTakeFirst();
    return Number(row?.bytes ?? 0);
  }
}
