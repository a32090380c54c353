import type { Kysely } from 'kysely';
import { type Database, recordChange, type UserLimitsRow } from '../storage/index.js';
import { LIMITS, type LimitName } from './user-limits.types.js';
import { lockUser } from './users.repository.js';

/** A user's overrides of the tunnel caps; null where the default applies. */
export interface TunnelOverrides {
  readonly tunnels_per_user: number | null;
  readonly tunnels_per_account: number | null;
}

/** Queries on user_limits; returns rows, holds no rules. Bind to a transaction to read what it locked. */
export class UserLimitsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  find(userId: number): Promise<UserLimitsRow | undefined> {
    return this.db.selectFrom('user_limits').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  /** The tunnel-cap overrides of those of `userIds` that have any row (null: the default applies). */
  async tunnelOverrides(userIds: readonly number[]): Promise<Map<number, TunnelOverrides>> {
    const out = new Map<number, TunnelOverrides>();
    for (let i = 0; i < userIds.length; i += 500) {
      const rows = await this.db
        .selectFrom('user_limits')
        .select(['user_id', 'tunnels_per_user', 'tunnels_per_account'])
        .where('user_id', 'in', userIds.slice(i, i + 500))
        .execute();
      for (const r of rows) {
        out.set(Number(r.user_id), { tunnels_per_user: r.tunnels_per_user, tunnels_per_account: r.tunnels_per_account });
      }
    }
    return out;
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
