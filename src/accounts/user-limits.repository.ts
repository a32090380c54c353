import type { Kysely } from 'kysely';
import { type Database, recordChange, type UserLimitsRow } from '../storage/index.js';
import { LIMITS, type LimitName } from './user-limits.types.js';
import { lockUser } from './users.repository.js';

/** Queries on user_limits; returns rows, holds no rules. Bind to a transaction to read what it locked. */
export class UserLimitsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  find(userId: number): Promise<UserLimitsRow | undefined> {
    return this.db.selectFrom('user_limits').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  /**
   * Applies `patch` to the user's overrides (null: the default; absent: unchanged) and tells gateways, in one
   * transaction with the user's row locked, so two concurrent changes of different caps both hold. Undefined
   * when the user does not exist.
   */
  async apply(userId: number, patch: Partial<Record<LimitName, number | null>>, now: number): Promise<UserLimitsRow | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const user = await trx.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
      if (!user) return undefined;
      await lockUser(trx, userId);
      const current = await new UserLimitsRepository(trx).find(userId);
      const values = Object.fromEntries(
        LIMITS.map(({ name }) => [name, patch[name] === undefined ? (current?.[name] ?? null) : patch[name]]),
      ) as Record<LimitName, number | null>;
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
