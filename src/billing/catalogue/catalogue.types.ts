/**
 * The billing catalogue: what customers can buy (products and the SKUs of time packages), how they can pay
 * (payment methods), coupons, and recharge gift tiers. Which product types exist, which are sold and what one
 * unit of each provisions is the product registry's (products/). Money is integer cents here; decimals only at
 * the API and CLI edges.
 */

export const PRODUCT_TITLE_MAX = 255;
export const PRODUCT_DESCRIPTION_MAX = 1024;
export const UNIT_DAYS_MAX = 3650;
/** 1 PiB, the largest package. */
export const UNIT_BYTES_MAX = 2 ** 50;

export const SKU_KINDS = ['bandwidth', 'concurrency', 'duration'] as const;
export type SkuKind = (typeof SKU_KINDS)[number];

/**
 * A time-package (type 11) option with its own price: a bandwidth (Mbit/s) or concurrency (connections) tier, or a
 * duration (days one unit lasts, instead of the product's unit_days: the newer release's `product_sku_duration_id`).
 */
export interface ProductSku {
  readonly id: number;
  readonly productId: number;
  readonly kind: SkuKind;
  readonly title: string;
  readonly value: number;
  readonly priceCents: number;
}

export interface Product {
  readonly id: number;
  readonly title: string;
  readonly description: string;
  readonly productType: number;
  /** Price of one unit; 0 for balance types (3, 26: their amount is the order's recharge_amount). */
  readonly unitPriceCents: number;
  /** Traffic one unit provisions, bytes (traffic packages: 9, 12); 0 otherwise. */
  readonly unitBytes: number;
  /** Validity one unit provisions, days (packages, static IPs, renewals); 0 otherwise. */
  readonly unitDays: number;
  readonly enabled: boolean;
  /**
   * Whether the product registry sells this type (a product of a type no longer sold, created before, stays
   * listed but cannot be ordered); the product may still be disabled.
   */
  readonly orderable: boolean;
  /** Time packages (type 11) only: its SKUs, by kind (bandwidth, concurrency, duration), then value. */
  readonly skus: readonly ProductSku[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A decimal amount of money as written ("12.5", 12.5); at most 2 decimals. */
export type MoneyInput = string | number;

export interface NewSku {
  readonly kind: string;
  readonly title?: string | undefined;
  readonly value: number;
  readonly price: MoneyInput;
}

export type SkuPatch = Partial<NewSku>;

export interface NewProduct {
  readonly title: string;
  readonly description?: string | undefined;
  readonly productType: number;
  /** Unit price; required except for balance types (3 and 26). */
  readonly price?: MoneyInput | undefined;
  readonly unitBytes?: number | undefined;
  readonly unitDays?: number | undefined;
  readonly enabled?: boolean | undefined;
  /** Time packages (type 11) only. */
  readonly skus?: readonly NewSku[] | undefined;
}

export type ProductPatch = Partial<Omit<NewProduct, 'skus'>>;

export const PAYMENT_KINDS = ['balance', 'external', 'manual'] as const;
export type PaymentKind = (typeof PAYMENT_KINDS)[number];

export const PAYMENT_TITLE_MAX = 128;
export const PAYMENT_LOGO_MAX = 512;
export const PAYMENT_URL_MAX = 1024;
export const PAYMENT_GROUP_MAX = 32;
export const PAYMENT_SECRET_MIN = 16;
export const PAYMENT_SECRET_MAX = 128;
export const PAYMENT_SORT_MAX = 1_000_000;

/** The built-in balance method's group. */
export const BALANCE_GROUP = 'balance';

/** A payment method as the order flow sees it. */
export interface PaymentMethod {
  readonly id: number;
  readonly kind: PaymentKind;
  /** The title (for the balance method without one set: 余额). */
  readonly title: string;
  readonly logo: string;
  /** Group identifier (`group` in payment/groups) and its display name. */
  readonly group: string;
  readonly groupName: string;
  readonly disabled: boolean;
  /** Order amount bounds; maxCents 0 means no upper bound. */
  readonly minCents: number;
  readonly maxCents: number;
  readonly sort: number;
  /** External methods: the webhook signing secret (decrypted); undefined for the others. */
  readonly secret: string | undefined;
  /** External methods: where the customer pays, with `{trade_no}` and `{amount}` placeholders (see fillPayUrl). */
  readonly payUrl: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface NewPaymentMethod {
  readonly kind: string;
  readonly title: string;
  readonly logo?: string | undefined;
  readonly group?: string | undefined;
  readonly groupName?: string | undefined;
  readonly payUrl?: string | undefined;
  /** External methods: the signing secret; generated when absent. */
  readonly secret?: string | undefined;
  readonly disabled?: boolean | undefined;
  readonly min?: MoneyInput | undefined;
  readonly max?: MoneyInput | undefined;
  readonly sort?: number | undefined;
}

export type PaymentMethodPatch = Partial<Omit<NewPaymentMethod, 'kind' | 'secret'>>;

/** A customer-facing payment group (payment/groups). */
export interface PaymentGroup {
  readonly name: string;
  readonly logos: readonly string[];
  readonly items: readonly PaymentMethod[];
}

export const COUPON_KINDS = ['percent', 'amount'] as const;
export type CouponKind = (typeof COUPON_KINDS)[number];
export const COUPON_CODE_MAX = 64;
export const COUPON_NAME_MAX = 255;

export interface Coupon {
  readonly id: number;
  readonly code: string;
  readonly name: string;
  readonly kind: CouponKind;
  /** percent: basis points off (1000 = 10 % off); amount: cents off. */
  readonly discountValue: number;
  readonly minFeeCents: number;
  /** The products it applies to; empty = every product. */
  readonly productIds: readonly number[];
  /** 0 = unlimited. */
  readonly maxUses: number;
  readonly usedCount: number;
  readonly expiresAt: number;
  readonly enabled: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface NewCoupon {
  readonly code: string;
  readonly name?: string | undefined;
  readonly kind: string;
  /** percent: percent off (10, 12.5; 0 < d ≤ 100); amount: money off (> 0). */
  readonly discount: MoneyInput;
  readonly expiresAt: number;
  readonly minFee?: MoneyInput | undefined;
  readonly productIds?: readonly number[] | undefined;
  readonly maxUses?: number | undefined;
  readonly enabled?: boolean | undefined;
}

export type CouponPatch = Partial<Omit<NewCoupon, 'code' | 'kind'>>;

/** Why a coupon cannot be used (`reason` of TG_ERR_COUPON_INVALID). */
export type CouponRejection = 'unknown' | 'expired' | 'used up' | 'not for this product' | 'below minimum' | 'disabled';

export interface GiftTier {
  readonly id: number;
  readonly amountCents: number;
  /** 12000 = ×1.2. */
  readonly ratioBp: number;
  readonly createdAt: number;
}

export interface NewGiftTier {
  readonly amount: MoneyInput;
  /** A decimal ≥ 1 with up to 4 decimals (1.2 credits 120 % of the recharge). */
  readonly ratio: string | number;
}

/** Basis points of "no gift" (×1). */
export const RATIO_NONE_BP = 10_000;
export const RATIO_MAX_BP = 1_000_000;
