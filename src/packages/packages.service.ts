import type { Kysely, Transaction } from 'kysely';
import { AppError, invalidParams } from '../errors/index.js';
import { describeTypes, PACKAGE_TYPES, productKind, TRAFFIC_PACKAGE_TYPES } from '../products/index.js';
import { type Database, recordChange } from '../storage/index.js';
import type { TimeFormatter } from '../time/time-format.js';
import { newTradeNo } from '../time/trade-no.js';
import { type PackageRow, PackagesRepository } from './packages.repository.js';
import {
  BANDWIDTH_MBPS_MAX,
  CONCURRENCY_MAX,
  DEFAULT_GRANT_TITLE,
  LIST_PAGE_SIZE_DEFAULT,
  LIST_PAGE_SIZE_MAX,
  PACKAGE_BYTES_MAX,
  PACKAGE_DAYS_MAX,
  type PackageFilter,
  type PackageGrant,
  type PackagePage,
  type PackageSummary,
  TEMPORARY_WINDOW_MS,
  TITLE_MAX,
  TRADE_NO_MAX,
  type TrafficPackage,
  type TrafficTotals,
} from './packages.types.js';

const DAY_MS = 86_400_000;
const TRADE_NO = new RegExp(`^[A-Za-z0-9_-]{1,${TRADE_NO_MAX}}$`);
// C0/C1 control characters (tabs and newlines included): a title is one line.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export interface PackagesServiceOptions {
  readonly now?: () => number;
}

/**
 * Packages (traffic and time, as the product registry says of each type): the operator grants them, billing
 * provisions them from paid orders, customers list them and read their summary. Every change writes a `user_package` change_log row (entity id: the user) in the same
 * transaction, so a gateway following the feed reloads that user's packages.
 */
export class PackagesService {
  readonly #now: () => number;

  /** @param time the platform time zone: generated order numbers start with the local yyyymmddHHMMSS. */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly time: TimeFormatter,
    options: PackagesServiceOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
  }

  /** Writes a package for the user, effective from `startsAt` (default now) for `days` days. */
  async grant(input: PackageGrant): Promise<TrafficPackage> {
    checkGrant(input);
    const now = this.#now();
    const row = await this.db.transaction().execute((trx) => this.#write(trx, input, now));
    return toPackage(row);
  }

  /**
   * `grant` inside the caller's transaction: billing provisions a paid order with it in the transaction that marks
   * the order paid, so the package exists exactly when the order is paid.
   */
  async grantIn(trx: Transaction<Database>, input: PackageGrant, now = this.#now()): Promise<TrafficPackage> {
    checkGrant(input);
    return toPackage(await this.#write(trx, input, now));
  }

  /**
   * Takes back what is left of a package (a refund), inside the caller's transaction: an unused package is withdrawn
   * (status 0); a partly used one keeps what was used (`total_bytes` = `used_bytes`, in one UPDATE so a meter flush
   * cannot slip between reading and writing). Returns the package after, or undefined when there is none.
   */
  async withdrawUnusedIn(trx: Transaction<Database>, packageId: number, now = this.#now()): Promise<TrafficPackage | undefined> {
    const row = await new PackagesRepository(trx).withdrawUnused(packageId, now);
    if (!row) return undefined;
    await recordChange(trx, 'user_package', [Number(row.user_id)], now);
    return toPackage(row);
  }

  async #write(trx: Transaction<Database>, input: PackageGrant, now: number): Promise<PackageRow> {
    const startsAt = input.startsAt ?? now;
    const repo = new PackagesRepository(trx);
    if (!(await repo.userExists(input.userId))) throw new AppError('TG_ERR_USER_NOT_FOUND');
    let tradeNo = input.tradeNo;
    if (tradeNo !== undefined) {
      if (await repo.tradeNoTaken(tradeNo)) throw invalidParams({ trade_no: `${tradeNo} is already used by a package` });
    } else {
      do tradeNo = newTradeNo(this.time, now);
      while (await repo.tradeNoTaken(tradeNo));
    }
    const inserted = await repo.insert({
      user_id: input.userId,
      product_type: input.productType,
      total_bytes: input.totalBytes ?? 0,
      used_bytes: 0,
      bandwidth_mbps: input.bandwidthMbps ?? 0,
      concurrency: input.concurrency ?? 0,
      starts_at: startsAt,
      expires_at: startsAt + input.days * DAY_MS,
      trade_no: tradeNo,
      title: input.title?.trim() || DEFAULT_GRANT_TITLE,
      order_created_at: input.orderCreatedAt ?? now,
      order_pay_at: input.orderPayAt ?? now,
      status: 1,
      created_at: now,
      updated_at: now,
    });
    await recordChange(trx, 'user_package', [input.userId], now);
    return inserted;
  }

  /** A page of the user's packages, newest first; withdrawn ones only with `includeWithdrawn`. */
  async list(userId: number, filter: PackageFilter = {}): Promise<PackagePage> {
    const page = filter.page ?? 1;
    const size = filter.size ?? LIST_PAGE_SIZE_DEFAULT;
    const errors: Record<string, string> = {};
    if (!Number.isInteger(page) || page < 1) errors.page = 'must be an integer ≥ 1';
    if (!Number.isInteger(size) || size < 1 || size > LIST_PAGE_SIZE_MAX) errors.size = `must be 1-${LIST_PAGE_SIZE_MAX}`;
    if (Object.keys(errors).length > 0) throw invalidParams(errors);
    const { rows, total } = await new PackagesRepository(this.db).list(userId, {
      tradeNo: filter.tradeNo,
      productType: filter.productType,
      includeWithdrawn: filter.includeWithdrawn === true,
      offset: (page - 1) * size,
      limit: size,
    });
    return { items: rows.map(toPackage), total, page, size };
  }

  async get(packageId: number): Promise<TrafficPackage> {
    const row = await new PackagesRepository(this.db).findById(packageId);
    if (!row) throw new AppError('TG_ERR_PACKAGE_NOT_FOUND');
    return toPackage(row);
  }

  /**
   * The documents' `user-product/summary` for one product type at `now`, in KB. Sums are taken in bytes by one
   * aggregate query, then floored to KB (so small packages are not each rounded away). Valid: what the gateway
   * draws on (started, not expired, not used up; PackagesRepository.validAt); temporary: valid and expiring within
   * 7 days; expired: `expires_at <= now`; withdrawn packages count nowhere.
   */
  async summary(userId: number, productType: number, now = this.#now()): Promise<PackageSummary> {
    const s = await new PackagesRepository(this.db).sums(userId, productType, now, now + TEMPORARY_WINDOW_MS);
    const kb = toKb;
    return {
      total: kb(s.totalBytes),
      total_count: s.count,
      effective: kb(s.validTotalBytes - s.validUsedBytes),
      effective_count: s.validCount,
      effective_total: kb(s.validTotalBytes),
      effective_used: kb(s.validUsedBytes),
      temporary: kb(s.soonTotalBytes - s.soonUsedBytes),
      temporary_count: s.soonCount,
      expired: kb(s.expiredTotalBytes - s.expiredUsedBytes),
      expired_count: s.expiredCount,
      used: kb(s.usedBytes),
    };
  }

  /**
   * The newer release's `user-usage-flow/flow-total`: the traffic of the user's valid packages (what the gateway
   * draws on now) of every traffic type, in bytes — in all and per type. Used bytes count at most up to each
   * package's total, as in `summary`.
   */
  async trafficTotals(userId: number, now = this.#now()): Promise<TrafficTotals> {
    const repo = new PackagesRepository(this.db);
    const byType: TrafficTotals['byType'][number][] = [];
    for (const productType of TRAFFIC_PACKAGE_TYPES) {
      const s = await repo.sums(userId, productType, now, now);
      byType.push({ productType, totalBytes: s.validTotalBytes, usedBytes: s.validUsedBytes, count: s.validCount });
    }
    const totalBytes = byType.reduce((sum, t) => sum + t.totalBytes, 0);
    const usedBytes = byType.reduce((sum, t) => sum + t.usedBytes, 0);
    return { totalBytes, usedBytes, remainingBytes: totalBytes - usedBytes, byType };
  }

  /** Withdraws a package (status 0): it stops counting at once. Revoking a withdrawn package changes nothing. */
  async revoke(packageId: number): Promise<TrafficPackage> {
    const now = this.#now();
    const row = await this.db.transaction().execute(async (trx) => {
      const repo = new PackagesRepository(trx);
      const current = await repo.findById(packageId);
      if (!current) throw new AppError('TG_ERR_PACKAGE_NOT_FOUND');
      if (current.status === 0) return current;
      const updated = await repo.setStatus(packageId, 0, now);
      if (!updated) throw new AppError('TG_ERR_PACKAGE_NOT_FOUND');
      await recordChange(trx, 'user_package', [Number(updated.user_id)], now);
      return updated;
    });
    return toPackage(row);
  }
}

/**
 * The rules of a grant, by what the product registry says the type's packages hold: a traffic package a size
 * and no bandwidth nor concurrency; a time package a bandwidth and a concurrency and no size. Throws
 * TG_ERR_PARAM_INVALID naming each bad field.
 */
function checkGrant(input: PackageGrant): void {
  const errors: Record<string, string> = {};
  const provisions = productKind(input.productType)?.provisions;
  const absent = (n: number | undefined) => n === undefined || n === 0;
  const within = (n: number | undefined, max: number) => n !== undefined && Number.isSafeInteger(n) && n >= 1 && n <= max;
  if (!PACKAGE_TYPES.includes(input.productType)) {
    errors.product_type = `must be one of ${describeTypes(PACKAGE_TYPES)}`;
  } else if (provisions === 'time-package') {
    if (!absent(input.totalBytes)) errors.size = 'a time package holds no traffic: give bandwidth and concurrency';
    if (!within(input.bandwidthMbps, BANDWIDTH_MBPS_MAX))
      errors.bandwidth_mbps = `an integer from 1 to ${BANDWIDTH_MBPS_MAX} (Mbit/s)`;
    if (!within(input.concurrency, CONCURRENCY_MAX)) errors.concurrency = `an integer from 1 to ${CONCURRENCY_MAX} (connections)`;
  } else {
    if (!within(input.totalBytes, PACKAGE_BYTES_MAX)) errors.size = `must be 1 byte to ${PACKAGE_BYTES_MAX / 2 ** 30} GB`;
    if (!absent(input.bandwidthMbps)) errors.bandwidth_mbps = 'only time packages have a bandwidth';
    if (!absent(input.concurrency)) errors.concurrency = 'only time packages have a concurrency';
  }
  if (!Number.isInteger(input.days) || input.days < 1 || input.days > PACKAGE_DAYS_MAX) {
    errors.days = `must be a whole number of days, 1-${PACKAGE_DAYS_MAX}`;
  }
  if (input.startsAt !== undefined && (!Number.isSafeInteger(input.startsAt) || input.startsAt < 0)) {
    errors.starts_at = 'must be a time';
  }
  if (input.tradeNo !== undefined && !TRADE_NO.test(input.tradeNo)) {
    errors.trade_no = `letters, digits, _ and -, 1-${TRADE_NO_MAX} characters`;
  }
  const title = input.title?.trim() || DEFAULT_GRANT_TITLE;
  if (title.length > TITLE_MAX || CONTROL.test(title)) errors.title = `at most ${TITLE_MAX} characters, no control characters`;
  if (Object.keys(errors).length > 0) throw invalidParams(errors);
}

/** Bytes as the API shows them: KB, floored. */
export function toKb(bytes: number): number {
  return Math.floor(bytes / 1024);
}

/** Used bytes as shown: at most the package's total (the gateway's overshoot past the end is not shown). */
export function shownUsedBytes(pkg: TrafficPackage): number {
  return Math.min(pkg.usedBytes, pkg.totalBytes);
}

function toPackage(row: PackageRow): TrafficPackage {
  return {
    id: Number(row.id),
    userId: Number(row.user_id),
    productType: row.product_type,
    totalBytes: Number(row.total_bytes),
    usedBytes: Number(row.used_bytes),
    bandwidthMbps: row.bandwidth_mbps,
    concurrency: row.concurrency,
    startsAt: Number(row.starts_at),
    expiresAt: Number(row.expires_at),
    tradeNo: row.trade_no,
    title: row.title,
    orderCreatedAt: row.order_created_at === null ? null : Number(row.order_created_at),
    orderPayAt: row.order_pay_at === null ? null : Number(row.order_pay_at),
    status: row.status === 0 ? 0 : 1,
    createdAt: Number(row.created_at),
  };
}
