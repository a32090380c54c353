import type { Kysely } from 'kysely';
import { type Database, recordChange, type UserLimitsRow } from '../storage/index.js';

export type LimitColumn = 'sub_accounts' | 'white_ips' | 'extract_leases' | 'tunnels_per_user' | 'tunnels_per_account';

/** Queries on user_limits; returns rows, holds no rules. Bind to a transaction to read what it locked. */
export class UserLimitsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  find(userId: number): Promise<UserLimitsRow | undefined> {
    return this.db.selectFrom('user_limits').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  /** Writes the user's overrides (null: the default) and tells gateways, atomically. */
  async save(userId: number, values: Record<LimitColumn, number | null>, now: number): Promise<UserLimitsRow> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('user_limits')
        .values({ user_id: userId, ...values, updated_at: now })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ ...values, updated_at: now }))
        .returningAll()
        .executeTakeFirstOrThrow();
      // Gateways re-read a changed user's accounts, and with them its tunnel caps.
      await recordChange(trx, 'user', [userId], now);
      return row;
    });
  }
}
