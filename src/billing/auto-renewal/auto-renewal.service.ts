/**
 * Auto-renewal of packages: a package marked for it (`user-product/set-auto-renewal`, or `order/create` with
 * `renew_duration` 1m/2m/em) is bought again from its owner's balance — a team's package from the team's wallet —
 * before it ends: from `leadMs` before its expiry, the scheduler places an order for the same product, units and
 * SKUs through OrdersService, paid from the balance, whose package starts when the renewed one ends. The order's
 * transaction moves the mark to the new package and logs the renewal (billing/auto-renewal/provision.ts), so a
 * package is renewed at most once even with two schedulers running. A failed attempt (short of balance, the
 * product no longer sold) is logged with its code and retried every `retryMs` until the package ends; then the
 * mark is turned off and that is logged too.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { AppError, invalidParams } from '../../errors/index.js';
import type { AutoRenewalRow, Database } from '../../storage/index.js';
import { orderDetails } from '../billing.types.js';
import type { OrdersService } from '../orders/index.js';
import { AutoRenewalRepository, type RenewablePackage } from './auto-renewal.repository.js';
import {
  type AutoRenewal,
  type AutoRenewalLog,
  type AutoRenewalLogPage,
  LOG_PAGE_SIZE_DEFAULT,
  LOG_PAGE_SIZE_MAX,
  type RenewalRun,
  type RenewDuration,
  renewalsOf,
} from './auto-renewal.types.js';

export interface AutoRenewalOptions {
  /** How long before a package's expiry renewing starts (TOLLGATE_AUTO_RENEW_LEAD). */
  readonly leadMs: number;
  /** The wait after a failed attempt (TOLLGATE_AUTO_RENEW_RETRY). */
  readonly retryMs: number;
  readonly logger?: Logger | undefined;
  readonly now?: (() => number) | undefined;
}

export interface AutoRenewalDeps {
  readonly db: Kysely<Database>;
  readonly orders: OrdersService;
  /** The balance payment method's id (pm_id of renewal orders). */
  balanceMethodId(): Promise<number>;
}

const BATCH = 100;

export class AutoRenewalService {
  readonly #now: () => number;

  constructor(
    private readonly deps: AutoRenewalDeps,
    private readonly options: AutoRenewalOptions,
  ) {
    this.#now = options.now ?? Date.now;
  }

  #repo(): AutoRenewalRepository {
    return new AutoRenewalRepository(this.deps.db);
  }

  /** The user's package `packageId` (TG_ERR_PACKAGE_NOT_FOUND when it is not theirs). */
  async #ownPackage(userId: number, packageId: number): Promise<RenewablePackage> {
    const pkg = await this.#repo().package(packageId);
    if (!pkg || pkg.userId !== userId) throw new AppError('TG_ERR_PACKAGE_NOT_FOUND');
    return pkg;
  }

  /** `user-product/get-auto-renewal`: the package's setting (off when never marked). */
  async get(userId: number, packageId: number): Promise<AutoRenewal> {
    const pkg = await this.#ownPackage(userId, packageId);
    const repo = this.#repo();
    const row = await repo.byPackage(packageId);
    const source = await repo.sourceOrder(userId, pkg.tradeNo);
    const enabled = row?.status === 1;
    return {
      packageId,
      enabled,
      remaining: enabled ? (row.remaining ?? null) : null,
      productId: source?.productId ?? null,
      productName: source?.productName ?? '',
      amount: source?.amount ?? 0,
      packageExpiresAt: pkg.expiresAt,
      nextAttemptAt: enabled ? Math.max(pkg.expiresAt - this.options.leadMs, Number(row.next_attempt_at)) : null,
      lastAttemptAt: row?.last_attempt_at == null ? null : Number(row.last_attempt_at),
      failures: row?.failures ?? 0,
    };
  }

  /**
   * `user-product/set-auto-renewal`: turns the package's auto-renewal on (`duration`: once, twice, every period)
   * or off. Turning it on needs an active package that has not ended and came from a paid order of the user
   * (TG_ERR_AUTO_RENEWAL_UNAVAILABLE otherwise: an operator's grant has nothing to buy again).
   */
  async set(userId: number, packageId: number, enabled: boolean, duration: RenewDuration = 'em'): Promise<AutoRenewal> {
    const pkg = await this.#ownPackage(userId, packageId);
    const now = this.#now();
    if (enabled) {
      const unavailable = (reason: string) => new AppError('TG_ERR_AUTO_RENEWAL_UNAVAILABLE', { params: { reason } });
      if (pkg.status !== 1) throw unavailable('it was withdrawn');
      if (pkg.expiresAt <= now) throw unavailable('it has ended');
      const source = await this.#repo().sourceOrder(userId, pkg.tradeNo);
      if (!source) throw unavailable('it was not bought through an order');
    }
    await this.#repo().upsert(userId, packageId, enabled, enabled ? renewalsOf(duration) : null, now);
    return this.get(userId, packageId);
  }

  /** `user-product/auto-renewal-logs`: a page of the user's attempts, newest first; one package's when given. */
  async logs(userId: number, filter: { packageId?: number; page?: number; size?: number } = {}): Promise<AutoRenewalLogPage> {
    const page = filter.page ?? 1;
    const size = filter.size ?? LOG_PAGE_SIZE_DEFAULT;
    if (!Number.isSafeInteger(page) || page < 1) throw invalidParams({ page: 'an integer ≥ 1' });
    if (!Number.isInteger(size) || size < 1 || size > LOG_PAGE_SIZE_MAX) throw invalidParams({ size: `1-${LOG_PAGE_SIZE_MAX}` });
    const { rows, total } = await this.#repo().logs(userId, filter.packageId, (page - 1) * size, size);
    const items: AutoRenewalLog[] = rows.map((r) => ({
      id: Number(r.id),
      packageId: Number(r.user_package_id),
      newPackageId: r.new_user_package_id === null ? null : Number(r.new_user_package_id),
      renewed: r.status === 1,
      tradeNo: r.trade_no,
      payFeeCents: Number(r.pay_fee_cents),
      errorCode: r.error_code,
      reason: r.reason,
      createdAt: Number(r.created_at),
    }));
    return { items, total, page, size };
  }

  /** Attempts every renewal due at now; returns what it did. */
  async runDue(): Promise<RenewalRun> {
    const now = this.#now();
    let renewed = 0;
    let failed = 0;
    const rows = await this.#repo().due(now, this.options.leadMs, BATCH);
    for (const row of rows) {
      const outcome = await this.#attempt(row, now);
      if (outcome === 'renewed') renewed++;
      else if (outcome === 'failed') failed++;
    }
    return { renewed, failed };
  }

  async #attempt(row: AutoRenewalRow, now: number): Promise<'renewed' | 'failed' | 'skipped'> {
    const repo = this.#repo();
    if (!(await repo.claim(row, now + this.options.retryMs, now))) return 'skipped';
    const packageId = Number(row.user_package_id);
    const userId = Number(row.user_id);
    const fail = async (err: AppError, stop: boolean) => {
      await repo.failed(row.id, stop, now);
      await repo.log({
        user_id: userId,
        user_package_id: packageId,
        new_user_package_id: null,
        status: 0,
        trade_no: '',
        pay_fee_cents: 0,
        error_code: err.code,
        reason: err.message.slice(0, 255),
        created_at: now,
      });
      this.options.logger?.info({ user: userId, package: packageId, code: err.code, stop }, 'auto-renewal failed');
      return 'failed' as const;
    };
    const unavailable = (reason: string) => new AppError('TG_ERR_AUTO_RENEWAL_UNAVAILABLE', { params: { reason } });

    const pkg = await repo.package(packageId);
    if (!pkg || pkg.status !== 1) return fail(unavailable('it was withdrawn'), true);
    if (pkg.expiresAt <= now) return fail(unavailable('it ended before it could be renewed'), true);
    const source = await repo.sourceOrder(userId, pkg.tradeNo);
    if (!source) return fail(unavailable('it was not bought through an order'), true);
    const details = orderDetails(source);
    try {
      await this.deps.orders.create(userId, {
        pid: source.productId,
        pmId: await this.deps.balanceMethodId(),
        amount: source.amount,
        bandwidthSkuId: details.bandwidthSku?.id,
        concurrencySkuId: details.concurrencySku?.id,
        renewal: { autoRenewalId: row.id, fromPackageId: packageId, startsAt: pkg.expiresAt },
      });
    } catch (err) {
      if (err instanceof AppError) return fail(err, false);
      // Not a catalogued refusal: logged in full for the operator, recorded as a generic failure, retried.
      this.options.logger?.error({ err, user: userId, package: packageId }, 'auto-renewal attempt failed');
      return fail(new AppError('TG_ERR_INTERNAL'), false);
    }
    this.options.logger?.info({ user: userId, package: packageId }, 'package renewed automatically');
    return 'renewed';
  }
}
