import type { Kysely } from 'kysely';
import { AppError, invalidParams } from '../../errors/index.js';
import type { Database, DialectCapabilities } from '../../storage/index.js';
import { type GiftTier, type NewGiftTier, RATIO_NONE_BP } from './catalogue.types.js';
import { type GiftTierRow, GiftTiersRepository } from './gift-tiers.repository.js';
import type { CatalogueServiceOptions } from './products.service.js';
import { checkMoney, checkRatio, FieldErrors } from './rules.js';

/**
 * Recharge gift tiers (activity/balance-recharge-gift-ratio): a top-up of A is credited A × the ratio of
 * the highest tier whose amount ≤ A; below every tier, ×1. One tier per amount.
 */
export class GiftTiersService {
  readonly #now: () => number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly caps: Pick<DialectCapabilities, 'isUniqueViolation'>,
    options: CatalogueServiceOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
  }

  async add(input: NewGiftTier): Promise<GiftTier> {
    const f = new FieldErrors();
    const amountCents = f.take('amount', checkMoney(input.amount, 1));
    const ratioBp = f.take('ratio', checkRatio(input.ratio));
    if (f.any || amountCents === undefined || ratioBp === undefined) throw invalidParams(f.errors);
    const repo = new GiftTiersRepository(this.db);
    if (await repo.findByAmount(amountCents)) throw new AppError('TG_ERR_GIFT_TIER_EXISTS');
    try {
      return toTier(await repo.insert({ amount_cents: amountCents, ratio_bp: ratioBp, created_at: this.#now() }));
    } catch (err) {
      if (this.caps.isUniqueViolation(err)) throw new AppError('TG_ERR_GIFT_TIER_EXISTS');
      throw err;
    }
  }

  /** Every tier by amount. */
  async list(): Promise<GiftTier[]> {
    return (await new GiftTiersRepository(this.db).list()).map(toTier);
  }

  /** Changes a tier's ratio. */
  async update(id: number, patch: { ratio: string | number }): Promise<GiftTier> {
    const f = new FieldErrors();
    const ratioBp = f.take('ratio', checkRatio(patch.ratio));
    if (f.any || ratioBp === undefined) throw invalidParams(f.errors);
    const row = await new GiftTiersRepository(this.db).update(id, { ratio_bp: ratioBp });
    if (!row) throw new AppError('TG_ERR_GIFT_TIER_NOT_FOUND');
    return toTier(row);
  }

  async remove(id: number): Promise<void> {
    if (!(await new GiftTiersRepository(this.db).delete(id))) throw new AppError('TG_ERR_GIFT_TIER_NOT_FOUND');
  }

  /**
   * Basis points of the highest tier whose amount ≤ `amountCents` (12000 = ×1.2); 10000 when none. Pass a
   * transaction as `db` to read inside it.
   */
  async ratioFor(amountCents: number, db: Kysely<Database> = this.db): Promise<number> {
    const tier = await new GiftTiersRepository(db).highestUpTo(amountCents);
    return tier ? tier.ratio_bp : RATIO_NONE_BP;
  }
}

function toTier(row: GiftTierRow): GiftTier {
  return {
    id: Number(row.id),
    amountCents: Number(row.amount_cents),
    ratioBp: row.ratio_bp,
    createdAt: Number(row.created_at),
  };
}
