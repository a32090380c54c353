import type { Kysely } from 'kysely';
import { AppError, invalidParams } from '../../errors/index.js';
import type { Database, DialectCapabilities } from '../../storage/index.js';
import { applyBasisPoints } from '../money.js';
import {
  type Coupon,
  COUPON_CODE_MAX,
  COUPON_KINDS,
  COUPON_NAME_MAX,
  type CouponKind,
  type CouponPatch,
  type CouponRejection,
  type MoneyInput,
  type NewCoupon,
} from './catalogue.types.js';
import { type CouponRow, CouponsRepository } from './coupons.repository.js';
import { ProductsRepository } from './products.repository.js';
import type { CatalogueServiceOptions } from './products.service.js';
import { type Check, checkInteger, checkMoney, checkText, FieldErrors } from './rules.js';

const CODE = /^[A-Za-z0-9_-]+$/;
const PRODUCT_IDS_MAX = 100;
const MAX_USES_MAX = 100_000_000;

/** What checking a coupon for an order found: the coupon and the discount in cents. */
export interface CouponCheck {
  readonly coupon: Coupon;
  readonly discountCents: number;
}

/**
 * Coupons: a code worth a percentage or an amount off an order's total, until it expires, for some or all
 * products, above a minimum, a limited number of times. `check` says what an order would get; `reserve`
 * counts a use inside the order's transaction (guarded, so concurrent orders never exceed max_uses) and
 * `release` gives it back when the order closes unpaid.
 */
export class CouponsService {
  readonly #now: () => number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly caps: Pick<DialectCapabilities, 'isUniqueViolation'>,
    options: CatalogueServiceOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
  }

  async add(input: NewCoupon): Promise<Coupon> {
    const f = new FieldErrors();
    const code = f.take('code', checkCode(input.code));
    const name = f.take('name', checkText(input.name ?? '', COUPON_NAME_MAX, true));
    const kind = f.take('kind', checkKind(input.kind));
    const discountValue = kind === undefined ? undefined : f.take('discount', checkDiscount(kind, input.discount));
    const expiresAt = f.take('expire_time', checkInteger(input.expiresAt, 0, Number.MAX_SAFE_INTEGER));
    const minFeeCents = f.take('min_fee', checkMoney(input.minFee ?? 0));
    const maxUses = f.take('max_uses', checkInteger(input.maxUses ?? 0, 0, MAX_USES_MAX));
    const productIds = f.take('product_ids', checkProductIds(input.productIds ?? []));
    if (
      f.any ||
      code === undefined ||
      name === undefined ||
      kind === undefined ||
      discountValue === undefined ||
      expiresAt === undefined ||
      minFeeCents === undefined ||
      maxUses === undefined ||
      productIds === undefined
    ) {
      throw invalidParams(f.errors);
    }
    const now = this.#now();
    try {
      const row = await this.db.transaction().execute(async (trx) => {
        await this.#requireProducts(trx, productIds);
        const repo = new CouponsRepository(trx);
        if (await repo.findByCode(code)) throw new AppError('TG_ERR_COUPON_EXISTS', { params: { code } });
        return repo.insert({
          code,
          name,
          discount_kind: kind,
          discount_value: discountValue,
          min_fee_cents: minFeeCents,
          product_ids: productIds.join(','),
          max_uses: maxUses,
          used_count: 0,
          expires_at: expiresAt,
          enabled: input.enabled === false ? 0 : 1,
          created_at: now,
          updated_at: now,
        });
      });
      return toCoupon(row);
    } catch (err) {
      // Two operators adding the same code at once: the unique index decides.
      if (this.caps.isUniqueViolation(err)) throw new AppError('TG_ERR_COUPON_EXISTS', { params: { code } });
      throw err;
    }
  }

  /** Every coupon by id. */
  async list(): Promise<Coupon[]> {
    return (await new CouponsRepository(this.db).list()).map(toCoupon);
  }

  async get(id: number, db: Kysely<Database> = this.db): Promise<Coupon> {
    const row = await new CouponsRepository(db).findById(id);
    if (!row) throw new AppError('TG_ERR_COUPON_NOT_FOUND');
    return toCoupon(row);
  }

  /** Changes the given fields (the code and the kind stay). */
  async update(id: number, patch: CouponPatch): Promise<Coupon> {
    const f = new FieldErrors();
    const name = patch.name === undefined ? undefined : f.take('name', checkText(patch.name, COUPON_NAME_MAX, true));
    const expiresAt =
      patch.expiresAt === undefined
        ? undefined
        : f.take('expire_time', checkInteger(patch.expiresAt, 0, Number.MAX_SAFE_INTEGER));
    const minFeeCents = patch.minFee === undefined ? undefined : f.take('min_fee', checkMoney(patch.minFee));
    const maxUses = patch.maxUses === undefined ? undefined : f.take('max_uses', checkInteger(patch.maxUses, 0, MAX_USES_MAX));
    const productIds = patch.productIds === undefined ? undefined : f.take('product_ids', checkProductIds(patch.productIds));
    if (f.any) throw invalidParams(f.errors);
    const row = await this.db.transaction().execute(async (trx) => {
      const repo = new CouponsRepository(trx);
      const current = await repo.findById(id);
      if (!current) throw new AppError('TG_ERR_COUPON_NOT_FOUND');
      const discountValue =
        patch.discount === undefined
          ? undefined
          : f.take('discount', checkDiscount(current.discount_kind as CouponKind, patch.discount));
      if (f.any) throw invalidParams(f.errors);
      if (productIds !== undefined) await this.#requireProducts(trx, productIds);
      return repo.update(id, {
        ...(name !== undefined ? { name } : {}),
        ...(discountValue !== undefined ? { discount_value: discountValue } : {}),
        ...(expiresAt !== undefined ? { expires_at: expiresAt } : {}),
        ...(minFeeCents !== undefined ? { min_fee_cents: minFeeCents } : {}),
        ...(maxUses !== undefined ? { max_uses: maxUses } : {}),
        ...(productIds !== undefined ? { product_ids: productIds.join(',') } : {}),
        ...(patch.enabled !== undefined ? { enabled: patch.enabled ? 1 : 0 } : {}),
        updated_at: this.#now(),
      });
    });
    if (!row) throw new AppError('TG_ERR_COUPON_NOT_FOUND');
    return toCoupon(row);
  }

  setEnabled(id: number, enabled: boolean): Promise<Coupon> {
    return this.update(id, { enabled });
  }

  /**
   * The coupon `code` for an order of `productId` totalling `totalFeeCents`, at `now`, read in `trx`: the
   * coupon and its discount in cents (percent: rounded half up; amount: at most the total). Throws
   * TG_ERR_COUPON_INVALID with `reason` 'unknown', 'disabled', 'expired', 'used up', 'not for this product'
   * or 'below minimum' (checked in that order).
   */
  async check(trx: Kysely<Database>, code: string, productId: number, totalFeeCents: number, now: number): Promise<CouponCheck> {
    const row = await new CouponsRepository(trx).findByCode(code);
    if (!row) throw rejected('unknown');
    const coupon = toCoupon(row);
    if (!coupon.enabled) throw rejected('disabled');
    if (coupon.expiresAt <= now) throw rejected('expired');
    if (coupon.maxUses > 0 && coupon.usedCount >= coupon.maxUses) throw rejected('used up');
    if (coupon.productIds.length > 0 && !coupon.productIds.includes(productId)) throw rejected('not for this product');
    if (totalFeeCents < coupon.minFeeCents) throw rejected('below minimum');
    return { coupon, discountCents: discountOf(coupon, totalFeeCents) };
  }

  /** The discount in cents `check` finds (the orders contract); TG_ERR_COUPON_INVALID {reason} when it cannot be used. */
  async checkFor(trx: Kysely<Database>, code: string, productId: number, totalFeeCents: number, now: number): Promise<number> {
    return (await this.check(trx, code, productId, totalFeeCents, now)).discountCents;
  }

  /** Counts one use inside `trx`; false (nothing changed) when the coupon is used up or gone. */
  reserve(trx: Kysely<Database>, couponId: number): Promise<boolean> {
    return new CouponsRepository(trx).reserve(couponId, this.#now());
  }

  /** Gives one use back inside `trx` (an order closed unpaid); false when there was none to give. */
  release(trx: Kysely<Database>, couponId: number): Promise<boolean> {
    return new CouponsRepository(trx).release(couponId, this.#now());
  }

  async #requireProducts(db: Kysely<Database>, ids: readonly number[]): Promise<void> {
    const found = new Set(await new ProductsRepository(db).existing(ids));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) throw new AppError('TG_ERR_PRODUCT_NOT_FOUND', { params: { pid: missing.join(',') } });
  }
}

/** The discount a coupon gives on `totalFeeCents`: percent rounded half up, amount capped at the total. */
export function discountOf(coupon: Pick<Coupon, 'kind' | 'discountValue'>, totalFeeCents: number): number {
  const raw = coupon.kind === 'percent' ? applyBasisPoints(totalFeeCents, coupon.discountValue) : coupon.discountValue;
  return Math.min(raw, totalFeeCents);
}

function rejected(reason: CouponRejection): AppError {
  return new AppError('TG_ERR_COUPON_INVALID', { params: { reason }, data: { reason } });
}

function checkCode(input: string): Check<string> {
  const code = input.trim();
  if (!CODE.test(code) || code.length > COUPON_CODE_MAX) {
    return { ok: false, reason: `letters, digits, _ and -, 1-${COUPON_CODE_MAX} characters` };
  }
  return { ok: true, value: code };
}

function checkKind(input: string): Check<CouponKind> {
  return (COUPON_KINDS as readonly string[]).includes(input)
    ? { ok: true, value: input as CouponKind }
    : { ok: false, reason: `one of ${COUPON_KINDS.join(', ')}` };
}

/** percent: percent off with ≤ 2 decimals, stored in basis points (0 < p ≤ 100); amount: money off (> 0). */
function checkDiscount(kind: CouponKind, input: MoneyInput): Check<number> {
  const value = checkMoney(input, 1);
  if (!value.ok) return { ok: false, reason: kind === 'percent' ? 'percent off, greater than 0, at most 100' : value.reason };
  if (kind === 'percent' && value.value > 10_000) return { ok: false, reason: 'percent off, greater than 0, at most 100' };
  return value;
}

function checkProductIds(input: readonly number[]): Check<number[]> {
  if (input.length > PRODUCT_IDS_MAX) return { ok: false, reason: `at most ${PRODUCT_IDS_MAX} products` };
  if (input.some((id) => !Number.isSafeInteger(id) || id < 1)) return { ok: false, reason: 'product ids (positive integers)' };
  return { ok: true, value: [...new Set(input)].sort((a, b) => a - b) };
}

function toCoupon(row: CouponRow): Coupon {
  return {
    id: Number(row.id),
    code: row.code,
    name: row.name,
    kind: row.discount_kind as CouponKind,
    discountValue: Number(row.discount_value),
    minFeeCents: Number(row.min_fee_cents),
    productIds: row.product_ids
      .split(',')
      .filter((s) => s !== '')
      .map(Number),
    maxUses: row.max_uses,
    usedCount: row.used_count,
    expiresAt: Number(row.expires_at),
    enabled: row.enabled === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
