/**
 * Quotas as the newer release asks for them (`whitelist-account/quota(s)`, `white-ip/quota(s)`): per product type,
 * how many sub-accounts or whitelisted IPs the space holds and how many it may hold. The caps are the fair-share
 * caps of user-limits (TOLLGATE_SUB_ACCOUNT_MAX, TOLLGATE_WHITE_IP_MAX, or the operator's override), one per user
 * and shared by every product type: so `allowed` is the same for each type and `remaining` is what is left of the
 * shared cap.
 */
import type { Kysely } from 'kysely';
import { invalidParams } from '../errors/index.js';
import { describeTypes, SUB_ACCOUNT_TYPES } from '../products/index.js';
import type { Database } from '../storage/index.js';
import { type CountedTable, QuotasRepository } from './quotas.repository.js';
import type { UserLimitSource } from './user-limits.service.js';

/** The quotas one can ask about. */
export type QuotaKind = 'sub_accounts' | 'white_ips';

const TABLE: Record<QuotaKind, CountedTable> = { sub_accounts: 'sub_accounts', white_ips: 'white_ips' };

/** One product type's share of a quota. */
export interface TypeQuota {
  readonly productType: number;
  /** Held of this type. */
  readonly used: number;
  /** The user's cap (shared by every type). */
  readonly allowed: number;
  /** What may still be added, of this type or any other: allowed − held of every type, at least 0. */
  readonly remaining: number;
}

export interface Quota {
  readonly allowed: number;
  /** Held of every type together. */
  readonly used: number;
  readonly remaining: number;
  /** Every type that may have sub-accounts (and so whitelisted IPs), ascending. */
  readonly byType: readonly TypeQuota[];
}

export class QuotasService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly limits: UserLimitSource,
  ) {}

  /** The user's quota `kind`, over every product type. */
  async of(userId: number, kind: QuotaKind): Promise<Quota> {
    const allowed = await this.limits.limitOf(this.db, userId, kind);
    const counts = await new QuotasRepository(this.db).countByType(TABLE[kind], userId);
    const used = [...counts.values()].reduce((sum, n) => sum + n, 0);
    const remaining = Math.max(0, allowed - used);
    const byType = SUB_ACCOUNT_TYPES.map((productType) => ({
      productType,
      used: counts.get(productType) ?? 0,
      allowed,
      remaining,
    }));
    return { allowed, used, remaining, byType };
  }

  /** One product type's share; TG_ERR_PARAM_INVALID for a type without sub-accounts. */
  async ofType(userId: number, kind: QuotaKind, productType: number): Promise<TypeQuota> {
    if (!SUB_ACCOUNT_TYPES.includes(productType))
      throw invalidParams({ product_type: `one of ${describeTypes(SUB_ACCOUNT_TYPES)}` });
    const quota = await this.of(userId, kind);
    return quota.byType.find((q) => q.productType === productType) as TypeQuota;
  }
}
