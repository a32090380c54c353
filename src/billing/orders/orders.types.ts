/**
 * Orders as the customer API sees them, what `order/create` takes, and what the order flow needs from the
 * catalogue (products, payment methods, coupons, gift tiers) — an interface, so the flow reads the catalogue
 * through its services without knowing their storage.
 */
import type { Transaction } from 'kysely';
import type { Database } from '../../storage/index.js';
import type { RenewDuration } from '../auto-renewal/auto-renewal.types.js';
import type { PaymentMethod, Product } from '../catalogue/index.js';

/** Most units one order may buy (packages, IPs, renewals × duration). */
export const ORDER_AMOUNT_MAX = 10_000;
/** Largest order total: 10^13 currency units in cents, far below 2^53. */
export const ORDER_TOTAL_MAX_CENTS = 1e15;
/** Most allocations one renewal may name. */
export const RENEW_IDS_MAX = 1000;
/** Most countries one `region_list` may name. */
export const REGIONS_MAX = 100;
export const ORDER_PAGE_SIZE_DEFAULT = 20;
export const ORDER_PAGE_SIZE_MAX = 100;

/** What the order flow needs from the catalogue. Lookups answer undefined for unknown ids. */
export interface OrderCatalogue {
  product(id: number): Promise<Product | undefined>;
  paymentMethod(id: number): Promise<PaymentMethod | undefined>;
  /** The gift ratio of a recharge of `amountCents`, basis points (10000 = no gift). */
  giftRatioBp(amountCents: number): Promise<number>;
  /**
   * The coupon `code` applied to an order of `productId` totalling `totalFeeCents`, inside `trx`: its id and the
   * discount in cents. Throws TG_ERR_COUPON_INVALID {reason} when it cannot be used.
   */
  checkCoupon(
    trx: Transaction<Database>,
    code: string,
    productId: number,
    totalFeeCents: number,
    now: number,
  ): Promise<{ couponId: number; discountCents: number }>;
  /** Counts one use of the coupon (guarded: throws TG_ERR_COUPON_INVALID when used up meanwhile). */
  reserveCoupon(trx: Transaction<Database>, couponId: number): Promise<void>;
  /** Gives a use back (the order closed unpaid). */
  releaseCoupon(trx: Transaction<Database>, couponId: number): Promise<void>;
  /** The built-in balance payment method (the dashboard's pay_method 7). */
  balanceMethod(): Promise<PaymentMethod>;
}

/** `order/create`, as parsed from the request (the route schema has checked types and ranges). */
export interface CreateOrderInput {
  readonly pid: number;
  readonly pmId: number;
  /** Units; default 1. Ignored where the units come from elsewhere (regions, renewals, recharges). */
  readonly amount?: number | undefined;
  readonly couponSn?: string | undefined;
  readonly useInvitationDiscount?: boolean | undefined;
  /** Static IPs (14, 25): `US:2,DE:1`. */
  readonly regionList?: string | undefined;
  /** Renewals (19): allocation ids, `1,2,3` or an array. */
  readonly upids?: string | readonly number[] | undefined;
  /**
   * Renewals (19): product units to add (`1m`, `2m`: 1, 2). Packages (9, 11, 12): `1m`, `2m` or `em` marks the
   * package bought for auto-renewal (once, twice, every period); a number is ignored there, as it always was.
   */
  readonly renewDuration?: number | RenewDuration | undefined;
  /** Set by auto-renewal only: this order renews a package, starting when it ends (billing/auto-renewal). */
  readonly renewal?: { readonly autoRenewalId: number; readonly fromPackageId: number; readonly startsAt: number } | undefined;
  readonly bandwidthSkuId?: number | undefined;
  readonly concurrencySkuId?: number | undefined;
  /** Types 3 and 26: a decimal money amount ("100", "12.50"). */
  readonly rechargeAmount?: string | undefined;
}

/** An order as answered (amounts in cents; the route turns them into the documents' numbers). */
export interface Order {
  readonly id: number;
  readonly tradeNo: string;
  readonly userId: number;
  readonly productId: number;
  readonly productType: number;
  readonly productName: string;
  readonly amount: number;
  readonly totalFeeCents: number;
  readonly discountCents: number;
  readonly payFeeCents: number;
  readonly pmId: number;
  /** 0 pending, 1 paid, 2 closed, 3 refunded. */
  readonly status: number;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly paidAt: number | null;
  readonly closedAt: number | null;
}

/** What order/create answers: the order and, for an external method, where to pay it. */
export interface CreatedOrder {
  readonly order: Order;
  readonly payUrl?: string | undefined;
}

export interface OrderListFilter {
  readonly page?: number | undefined;
  readonly size?: number | undefined;
  readonly tradeNo?: string | undefined;
  readonly status?: number | undefined;
  readonly productType?: number | undefined;
}

export interface OrderPage {
  /** Newest first. */
  readonly items: Order[];
  readonly total: number;
  readonly page: number;
  readonly size: number;
}
