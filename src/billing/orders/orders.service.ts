import type { Kysely, Transaction } from 'kysely';
import { AppError, invalidParams, listNames } from '../../errors/index.js';
import { PACKAGE_BYTES_MAX, PACKAGE_DAYS_MAX } from '../../packages/index.js';
import { type RenewDuration, renewalsOf } from '../auto-renewal/auto-renewal.types.js';
import { ALLOCATE_COUNT_MAX, DAYS_MAX as STATIC_DAYS_MAX, type StaticIpsService } from '../../static-ips/index.js';
import type { Database, DialectCapabilities, OrderRow } from '../../storage/index.js';
import { BALANCE_TYPES, PACKAGE_TYPES, productKind, TOP_UP_TYPE } from '../../products/index.js';
import type { TimeFormatter } from '../../time/time-format.js';
import { newTradeNo } from '../../time/trade-no.js';
import { ORDER_STATUS, type OrderDetails, type ProvisionerRegistry } from '../billing.types.js';
import {
  amountInRange,
  fillPayUrl,
  mayPayFor,
  notSold,
  type PaymentMethod,
  type Product,
  type ProductSku,
} from '../catalogue/index.js';
import { changeBalance } from '../ledger.js';
import { applyBasisPoints, moneyText, parseMoney } from '../money.js';
import { settleOrder } from '../settle.js';
import { parseRegionList, parseUpids } from './order-input.js';
import { OrdersRepository } from './orders.repository.js';
import {
  type CreatedOrder,
  type CreateOrderInput,
  type Order,
  ORDER_AMOUNT_MAX,
  ORDER_PAGE_SIZE_DEFAULT,
  ORDER_PAGE_SIZE_MAX,
  ORDER_TOTAL_MAX_CENTS,
  type OrderCatalogue,
  type OrderListFilter,
  type OrderPage,
} from './orders.types.js';

export interface OrdersServiceOptions {
  /** How long a pending order waits for payment (TOLLGATE_ORDER_TTL). */
  readonly orderTtlMs: number;
  /** Percent off an invited user's first order when asked (TOLLGATE_INVITE_DISCOUNT_PERCENT); 0 turns it off. */
  readonly inviteDiscountPercent: number;
  readonly now?: () => number;
}

export interface OrdersServiceDeps {
  readonly db: Kysely<Database>;
  readonly caps: DialectCapabilities;
  readonly catalogue: OrderCatalogue;
  readonly provisioners: ProvisionerRegistry;
  /** Static IP stock, checked when a static order is created. */
  readonly staticIps: StaticIpsService;
  /** The platform time zone: order numbers start with the local yyyymmddHHMMSS. */
  readonly time: TimeFormatter;
}

/** What was priced: the order's columns before discounts, and its details. */
interface Priced {
  readonly amount: number;
  readonly totalFeeCents: number;
  readonly details: OrderDetails;
}

/**
 * Orders: pricing (exact integer cents), coupons and the invitation discount, payment-method rules, and payment
 * from the balance — one transaction inserts the order, reserves its coupon, debits the ledger and provisions what
 * was bought, so a failure anywhere changes nothing and two concurrent orders can never overdraw the balance.
 * External and manual methods leave the order pending until paid (webhook, operator) or closed (the customer, or
 * the expiry scheduler once `expires_at` passes).
 */
export class OrdersService {
  readonly #now: () => number;

  constructor(
    private readonly deps: OrdersServiceDeps,
    private readonly options: OrdersServiceOptions,
  ) {
    this.#now = options.now ?? Date.now;
  }

  /** order/create for `userId`. */
  async create(userId: number, input: CreateOrderInput): Promise<CreatedOrder> {
    const { catalogue, provisioners } = this.deps;
    const product = await catalogue.product(input.pid);
    if (!product || !product.enabled) throw new AppError('TG_ERR_PRODUCT_NOT_FOUND', { params: { pid: input.pid } });
    const type = product.productType;
    // Only what the product registry sells, and has a provisioner wired for, can be bought.
    if (!productKind(type)?.sold || !provisioners.has(type)) throw notSold(type);
    const method = await catalogue.paymentMethod(input.pmId);
    if (!method) throw new AppError('TG_ERR_PAYMENT_METHOD_NOT_FOUND', { params: { pm_id: input.pmId } });
    if (method.disabled) throw new AppError('TG_ERR_PAYMENT_METHOD_DISABLED');
    const recharge = productKind(type)?.provisions === 'balance';
    // Paying a recharge from the balance would move money in a circle.
    if (!mayPayFor(method, type)) throw new AppError('TG_ERR_PAYMENT_METHOD_NOT_ALLOWED');
    if (recharge && input.couponSn !== undefined) {
      throw new AppError('TG_ERR_COUPON_INVALID', { params: { reason: 'not for this product' } });
    }
    if (recharge && input.useInvitationDiscount === true) throw new AppError('TG_ERR_INVITE_DISCOUNT_UNAVAILABLE');

    const priced = await this.#price(userId, product, input);
    const renewing = renewalDetails(type, input);
    const now = this.#now();
    const row = await this.deps.db.transaction().execute(async (trx) => {
      const repo = new OrdersRepository(trx, this.deps.caps);
      const user = await repo.lockUser(userId);
      if (!user) throw new AppError('TG_ERR_USER_NOT_FOUND');

      let couponId: number | null = null;
      let couponCents = 0;
      if (input.couponSn !== undefined) {
        const coupon = await catalogue.checkCoupon(trx, input.couponSn, product.id, priced.totalFeeCents, now);
        couponId = coupon.couponId;
        couponCents = coupon.discountCents;
      }
      let inviteCents = 0;
      if (input.useInvitationDiscount === true) {
        const percent = this.options.inviteDiscountPercent;
        if (percent <= 0 || user.invitedBy === null || (await repo.hasPaidOrder(userId))) {
          throw new AppError('TG_ERR_INVITE_DISCOUNT_UNAVAILABLE');
        }
        inviteCents = applyBasisPoints(priced.totalFeeCents, percent * 100);
      }
      const discountCents = Math.min(priced.totalFeeCents, couponCents + inviteCents);
      const payFeeCents = priced.totalFeeCents - discountCents;
      checkMethodRange(method, payFeeCents);
      if (couponId !== null) await catalogue.reserveCoupon(trx, couponId);

      const details: OrderDetails = { ...priced.details, ...(inviteCents > 0 ? { inviteDiscount: true } : {}), ...renewing };
      const order = await repo.insert({
        trade_no: await this.#uniqueTradeNo(repo, now),
        user_id: userId,
        product_id: product.id,
        product_type: type,
        product_name: product.title,
        amount: priced.amount,
        total_fee_cents: priced.totalFeeCents,
        discount_cents: discountCents,
        pay_fee_cents: payFeeCents,
        coupon_id: couponId,
        pm_id: method.id,
        status: ORDER_STATUS.PENDING,
        details: JSON.stringify(details),
        created_at: now,
        expires_at: now + this.options.orderTtlMs,
        paid_at: null,
        closed_at: null,
        refunded_at: null,
        updated_at: now,
      });
      // Nothing to pay (a full discount) settles at once, whatever the method.
      if (method.kind === 'balance' || payFeeCents === 0) await this.#payFromBalance(trx, order, now);
      return (await repo.findById(Number(order.id))) ?? order;
    });

    const order = toOrder(row);
    if (order.status === ORDER_STATUS.PENDING && method.kind === 'external' && method.payUrl !== '') {
      return { order, payUrl: fillPayUrl(method.payUrl, order.tradeNo, order.payFeeCents) };
    }
    return { order };
  }

  /** order/close: the caller's pending order → closed (2), its coupon given back. */
  async close(userId: number, tradeNo: string): Promise<Order> {
    const now = this.#now();
    const row = await this.deps.db.transaction().execute(async (trx) => {
      const repo = new OrdersRepository(trx, this.deps.caps);
      const order = await repo.findByTradeNo(tradeNo, userId);
      if (!order) throw new AppError('TG_ERR_ORDER_NOT_FOUND');
      const closed = await repo.close(Number(order.id), now);
      if (!closed) throw new AppError('TG_ERR_ORDER_NOT_PENDING');
      if (closed.coupon_id !== null) await this.deps.catalogue.releaseCoupon(trx, Number(closed.coupon_id));
      return closed;
    });
    return toOrder(row);
  }

  /** order/list: a page of the caller's orders, newest first. */
  async list(userId: number, filter: OrderListFilter = {}): Promise<OrderPage> {
    const page = filter.page ?? 1;
    const size = filter.size ?? ORDER_PAGE_SIZE_DEFAULT;
    const errors: Record<string, string> = {};
    if (!Number.isSafeInteger(page) || page < 1) errors.page_no = 'an integer ≥ 1';
    if (!Number.isInteger(size) || size < 1 || size > ORDER_PAGE_SIZE_MAX) errors.page_size = `1-${ORDER_PAGE_SIZE_MAX}`;
    if (Object.keys(errors).length > 0) throw invalidParams(errors);
    const { rows, total } = await new OrdersRepository(this.deps.db, this.deps.caps).list(userId, {
      tradeNo: filter.tradeNo,
      status: filter.status,
      productType: filter.productType,
      offset: (page - 1) * size,
      limit: size,
    });
    return { items: rows.map(toOrder), total, page, size };
  }

  /** One of the user's orders by trade_no; TG_ERR_ORDER_NOT_FOUND when the user has none of that number. */
  async byTradeNo(userId: number, tradeNo: string): Promise<Order> {
    const row = await new OrdersRepository(this.deps.db, this.deps.caps).findByTradeNo(tradeNo, userId);
    if (!row) throw new AppError('TG_ERR_ORDER_NOT_FOUND');
    return toOrder(row);
  }

  /** What the user recharged in all: paid orders of the balance types (top-ups, make-up payments), cents. */
  async totalRechargeCents(userId: number): Promise<number> {
    return new OrdersRepository(this.deps.db, this.deps.caps).paidTotal(userId, BALANCE_TYPES);
  }

  /**
   * Pays the user's pending order `tradeNo` from the balance (the dashboard's `pay` with pay_method 7): in one
   * transaction the order takes the balance method, the balance is debited and what was bought is provisioned,
   * so a failure (TG_ERR_BALANCE_INSUFFICIENT, stock gone) changes nothing and the order stays pending.
   * Not pending, or past its payment window: TG_ERR_ORDER_NOT_PENDING. A recharge cannot be paid from the
   * balance (TG_ERR_PAYMENT_METHOD_NOT_ALLOWED).
   */
  async payFromBalance(userId: number, tradeNo: string): Promise<Order> {
    const method = await this.deps.catalogue.balanceMethod();
    if (method.disabled) throw new AppError('TG_ERR_PAYMENT_METHOD_DISABLED');
    const now = this.#now();
    const row = await this.deps.db.transaction().execute(async (trx) => {
      const repo = new OrdersRepository(trx, this.deps.caps);
      if (!(await repo.lockUser(userId))) throw new AppError('TG_ERR_USER_NOT_FOUND');
      const order = await repo.findByTradeNo(tradeNo, userId);
      if (!order) throw new AppError('TG_ERR_ORDER_NOT_FOUND');
      if (order.status !== ORDER_STATUS.PENDING || Number(order.expires_at) <= now) {
        throw new AppError('TG_ERR_ORDER_NOT_PENDING', { data: { trade_no: order.trade_no, status: order.status } });
      }
      if (!mayPayFor(method, order.product_type)) throw new AppError('TG_ERR_PAYMENT_METHOD_NOT_ALLOWED');
      checkMethodRange(method, Number(order.pay_fee_cents));
      const switched = await repo.setMethod(Number(order.id), method.id, now);
      if (!switched) throw new AppError('TG_ERR_ORDER_NOT_PENDING', { data: { trade_no: order.trade_no, status: order.status } });
      await this.#payFromBalance(trx, switched, now);
      return (await repo.findById(Number(order.id))) ?? switched;
    });
    return toOrder(row);
  }

  /** One order by id (any user's). */
  async get(orderId: number): Promise<Order> {
    const row = await new OrdersRepository(this.deps.db, this.deps.caps).findById(orderId);
    if (!row) throw new AppError('TG_ERR_ORDER_NOT_FOUND');
    return toOrder(row);
  }

  /** Debits the pay fee (when any) and settles: provisioning runs in the same transaction. */
  async #payFromBalance(trx: Transaction<Database>, order: OrderRow, now: number): Promise<void> {
    const payFee = Number(order.pay_fee_cents);
    if (payFee > 0) {
      // Throws TG_ERR_BALANCE_INSUFFICIENT, rolling back the order and its coupon with it.
      await changeBalance(trx, {
        userId: Number(order.user_id),
        deltaCents: -payFee,
        reason: 'order',
        orderId: Number(order.id),
        now,
      });
    }
    const settled = await settleOrder(trx, order, this.deps.provisioners, now);
    if (!settled) throw new Error(`order ${order.id} was not pending when paid from the balance`);
  }

  /** Units, total before discounts and the details to store, by product type; rejects what cannot be provisioned. */
  async #price(userId: number, product: Product, input: CreateOrderInput): Promise<Priced> {
    const type = product.productType;
    const provision = productKind(type)?.provisions;
    const unit = product.unitPriceCents;
    const errors: Record<string, string> = {};
    let priced: Priced | undefined;

    if (provision === 'balance') {
      if (input.rechargeAmount === undefined) throw invalidParams({ recharge_amount: 'is required for this product' });
      const cents = parseMoney(input.rechargeAmount);
      if (cents === undefined || cents <= 0 || cents > ORDER_TOTAL_MAX_CENTS) {
        throw invalidParams({ recharge_amount: 'a decimal amount greater than 0 with at most 2 decimals, e.g. 100 or 12.50' });
      }
      let giftCents = 0;
      // The recharge gift tiers apply to top-ups (3), not to making up a short payment (26).
      const topUp = type === TOP_UP_TYPE;
      if (topUp) {
        const ratio = await this.deps.catalogue.giftRatioBp(cents);
        giftCents = Math.max(0, applyBasisPoints(cents, ratio - 10_000));
      }
      return { amount: 1, totalFeeCents: cents, details: { rechargeCents: cents, ...(topUp ? { giftCents } : {}) } };
    }

    if (provision === 'traffic-package') {
      const amount = input.amount ?? 1;
      if (amount * product.unitBytes > PACKAGE_BYTES_MAX)
        errors.amount = `at most ${Math.floor(PACKAGE_BYTES_MAX / product.unitBytes)} units of this product`;
      checkUnits(product, errors);
      priced = { amount, totalFeeCents: unit * amount, details: { unitBytes: product.unitBytes, unitDays: product.unitDays } };
    } else if (provision === 'time-package') {
      const amount = input.amount ?? 1;
      if (input.bandwidthSkuId === undefined) errors.product_sku_bandwidth_id = 'is required for this product';
      if (input.concurrencySkuId === undefined) errors.product_sku_concurrency_id = 'is required for this product';
      if (Object.keys(errors).length > 0) throw invalidParams(errors);
      const bandwidth = skuOf(product, input.bandwidthSkuId!, 'bandwidth', 'product_sku_bandwidth_id');
      const concurrency = skuOf(product, input.concurrencySkuId!, 'concurrency', 'product_sku_concurrency_id');
      if (amount * product.unitDays > PACKAGE_DAYS_MAX) errors.amount = `at most ${PACKAGE_DAYS_MAX} days in all`;
      checkUnits(product, errors);
      priced = {
        amount,
        totalFeeCents: (unit + bandwidth.priceCents + concurrency.priceCents) * amount,
        details: {
          unitDays: product.unitDays,
          bandwidthSku: { id: bandwidth.id, value: bandwidth.value, priceCents: bandwidth.priceCents },
          concurrencySku: { id: concurrency.id, value: concurrency.value, priceCents: concurrency.priceCents },
        },
      };
    } else if (provision === 'static-ip') {
      if (input.regionList === undefined) throw invalidParams({ region_list: 'is required for this product, e.g. US:2,DE:1' });
      const regions = parseRegionList(input.regionList, ALLOCATE_COUNT_MAX);
      if (!regions.ok) throw invalidParams({ region_list: regions.reason });
      const amount = regions.value.reduce((sum, r) => sum + r.count, 0);
      if (amount > ORDER_AMOUNT_MAX) errors.region_list = `at most ${ORDER_AMOUNT_MAX} IPs in all`;
      checkUnits(product, errors);
      if (Object.keys(errors).length > 0) throw invalidParams(errors);
      // The stock now; provisioning checks again under locks when the order is paid.
      const free = new Map((await this.deps.staticIps.regionCounts(type)).map((c) => [c.country, c.number]));
      for (const r of regions.value) {
        const available = free.get(r.country) ?? 0;
        if (available < r.count) {
          const region = `${r.country}:${r.count}`;
          throw new AppError('TG_ERR_STATIC_IP_UNAVAILABLE', { params: { region }, data: { region, available } });
        }
      }
      priced = { amount, totalFeeCents: unit * amount, details: { regions: regions.value, unitDays: product.unitDays } };
    } else if (provision === 'static-renewal') {
      if (input.upids === undefined) throw invalidParams({ upids: 'is required for this product: ids from ip/get-static-ip' });
      const upids = parseUpids(input.upids);
      if (!upids.ok) throw invalidParams({ upids: upids.reason });
      const renewDuration = renewUnits(input.renewDuration);
      const amount = upids.value.length * renewDuration;
      if (renewDuration * product.unitDays > STATIC_DAYS_MAX) errors.renew_duration = `at most ${STATIC_DAYS_MAX} days in all`;
      if (amount > ORDER_AMOUNT_MAX) errors.upids = `at most ${ORDER_AMOUNT_MAX} IP renewals in all`;
      checkUnits(product, errors);
      if (Object.keys(errors).length > 0) throw invalidParams(errors);
      const own = new Set(await new OrdersRepository(this.deps.db, this.deps.caps).ownAllocations(userId, upids.value));
      const missing = upids.value.filter((id) => !own.has(id));
      if (missing.length > 0) {
        throw new AppError('TG_ERR_STATIC_IP_NO_ALLOCATION', {
          params: { ids: listNames(missing.map(String)) },
          data: { ids: missing },
        });
      }
      priced = {
        amount,
        totalFeeCents: unit * amount,
        details: { upids: upids.value, renewDuration, unitDays: product.unitDays },
      };
    } else {
      throw notSold(type);
    }

    if (priced.totalFeeCents > ORDER_TOTAL_MAX_CENTS) errors.amount = 'the order total is too large';
    if (Object.keys(errors).length > 0) throw invalidParams(errors);
    return priced;
  }

  async #uniqueTradeNo(repo: OrdersRepository, now: number): Promise<string> {
    let tradeNo: string;
    do tradeNo = newTradeNo(this.deps.time, now);
    while (await repo.tradeNoTaken(tradeNo));
    return tradeNo;
  }
}

/** A renewal's units: a number as given, `1m`/`2m` as 1/2 (default 1); `em` is for packages only. */
function renewUnits(value: number | RenewDuration | undefined): number {
  if (value === undefined) return 1;
  if (typeof value === 'number') return value;
  if (value === 'em')
    throw invalidParams({ renew_duration: 'em (every period) marks packages for auto-renewal; give 1m, 2m or a number' });
  return renewalsOf(value) as number;
}

/**
 * What an order adds to its details for auto-renewal: `renew_duration` 1m/2m/em on a package marks it
 * (TG_ERR_PARAM_INVALID on types other than packages and renewals); an auto-renewal's own order starts its
 * package when the renewed one ends and names the row it moves.
 */
function renewalDetails(type: number, input: CreateOrderInput): Partial<OrderDetails> {
  const out: { startsAt?: number; autoRenew?: { remaining: number | null }; renewal?: OrderDetails['renewal'] } = {};
  const isPackage = PACKAGE_TYPES.includes(type);
  if (typeof input.renewDuration === 'string' && productKind(type)?.provisions !== 'static-renewal') {
    if (!isPackage)
      throw invalidParams({ renew_duration: `1m, 2m and em are for packages (${PACKAGE_TYPES.join(', ')}) and renewals` });
    out.autoRenew = { remaining: renewalsOf(input.renewDuration) };
  }
  if (input.renewal && isPackage) {
    out.startsAt = input.renewal.startsAt;
    out.renewal = { autoRenewalId: input.renewal.autoRenewalId, fromPackageId: input.renewal.fromPackageId };
  }
  return out;
}

/** A product whose unit provisions nothing cannot be sold (a catalogue mistake, reported rather than provisioned). */
function checkUnits(product: Product, errors: Record<string, string>): void {
  if (product.unitDays < 1) errors.pid = 'this product provisions no validity (unit_days 0); ask the operator';
  if (productKind(product.productType)?.provisions === 'traffic-package' && product.unitBytes < 1)
    errors.pid = 'this product provisions no traffic (unit_bytes 0); ask the operator';
}

function skuOf(product: Product, id: number, kind: 'bandwidth' | 'concurrency', field: string): ProductSku {
  const sku = product.skus.find((s) => s.id === id);
  if (!sku) throw new AppError('TG_ERR_SKU_INVALID', { params: { reason: `${field} ${id} is not an option of this product` } });
  if (sku.kind !== kind)
    throw new AppError('TG_ERR_SKU_INVALID', { params: { reason: `${field} ${id} is not a ${kind} option` } });
  return sku;
}

/** The method's bounds on what is paid (max 0: none). */
function checkMethodRange(method: PaymentMethod, payFeeCents: number): void {
  if (!amountInRange(method, payFeeCents)) {
    throw new AppError('TG_ERR_PAYMENT_AMOUNT_OUT_OF_RANGE', {
      params: {
        amount: moneyText(payFeeCents),
        min: moneyText(method.minCents),
        max: method.maxCents > 0 ? moneyText(method.maxCents) : '∞',
      },
    });
  }
}

export function toOrder(row: OrderRow): Order {
  return {
    id: Number(row.id),
    tradeNo: row.trade_no,
    userId: Number(row.user_id),
    productId: Number(row.product_id),
    productType: row.product_type,
    productName: row.product_name,
    amount: row.amount,
    totalFeeCents: Number(row.total_fee_cents),
    discountCents: Number(row.discount_cents),
    payFeeCents: Number(row.pay_fee_cents),
    pmId: Number(row.pm_id),
    status: row.status,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    paidAt: row.paid_at === null ? null : Number(row.paid_at),
    closedAt: row.closed_at === null ? null : Number(row.closed_at),
  };
}
