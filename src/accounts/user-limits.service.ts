/**
 * Fair shares: what one user may hold at most (sub-accounts, whitelisted IPs, extraction leases, open
 * tunnels). Each cap is the platform default (TOLLGATE_*) unless the operator set an override for the user
 * (admin API, `tollgate users limits`); an override of 0 allows none. The services that enforce a cap read
 * it inside their own transaction, after locking the user, so the check and the write agree.
 */
import type { Kysely } from 'kysely';
import type { UserLimitDefaults } from '../config/index.js';
import { AppError, invalidParams } from '../errors/index.js';
import type { Database, UserLimitsRow } from '../storage/index.js';
import { UserLimitsRepository } from './user-limits.repository.js';
import { LIMITS, type LimitName, type UserLimits } from './user-limits.types.js';

export interface UserLimitsView {
  /** What applies to the user now. */
  readonly effective: UserLimits;
  /** The operator's overrides; null where the default applies. */
  readonly overrides: Readonly<Record<LimitName, number | null>>;
  readonly defaults: UserLimits;
}

/** A cap as the enforcing services read it. */
export interface UserLimitSource {
  /** The user's cap `name`, read with `db` (the caller's transaction). */
  limitOf(db: Kysely<Database>, userId: number, name: LimitName): Promise<number>;
}

export class UserLimitsService implements UserLimitSource {
  readonly defaults: UserLimits;
  readonly #now: () => number;

  constructor(
    private readonly db: Kysely<Database>,
    defaults: UserLimitDefaults,
    options: { readonly now?: () => number } = {},
  ) {
    this.defaults = Object.freeze(Object.fromEntries(LIMITS.map((l) => [l.name, defaults[l.config]])) as UserLimits);
    this.#now = options.now ?? Date.now;
  }

  async limitOf(db: Kysely<Database>, userId: number, name: LimitName): Promise<number> {
    const row = await new UserLimitsRepository(db).find(userId);
    return row?.[name] ?? this.defaults[name];
  }

  /** The user's caps; TG_ERR_USER_NOT_FOUND for an unknown user. */
  async get(userId: number): Promise<UserLimitsView> {
    await this.#requireUser(userId);
    return this.#view(await new UserLimitsRepository(this.db).find(userId));
  }

  /**
   * Sets the given overrides (a number, 0 to the cap's maximum) or resets them to the default (null); caps
   * not named keep their override. All or nothing: one bad value changes nothing. Gateways apply tunnel caps
   * to new connections within a change-feed poll; open ones are not closed.
   */
  async set(userId: number, patch: Partial<Record<LimitName, number | null>>): Promise<UserLimitsView> {
    const errors: Record<string, string> = {};
    for (const [name, value] of Object.entries(patch)) {
      const limit = LIMITS.find((l) => l.name === name);
      if (!limit) errors[name] = 'is not a limit';
      else if (value !== null && value !== undefined && (!Number.isSafeInteger(value) || value < 0 || value > limit.max))
        errors[name] = `must be an integer from 0 to ${limit.max}, or null for the default`;
    }
    if (Object.keys(errors).length > 0) throw invalidParams(errors);
    const row = await new UserLimitsRepository(this.db).apply(userId, patch, this.#now());
    if (!row) throw new AppError('TG_ERR_USER_NOT_FOUND');
    return this.#view(row);
  }

  async #requireUser(userId: number): Promise<void> {
    const user = await this.db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
    if (!user) throw new AppError('TG_ERR_USER_NOT_FOUND');
  }

  #view(row: UserLimitsRow | undefined): UserLimitsView {
    const overrides = Object.fromEntries(LIMITS.map((l) => [l.name, row?.[l.name] ?? null])) as Record<LimitName, number | null>;
    const effective = Object.fromEntries(LIMITS.map((l) => [l.name, overrides[l.name] ?? this.defaults[l.name]])) as UserLimits;
    return { effective, overrides, defaults: this.defaults };
  }
}
