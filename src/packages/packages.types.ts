/**
 * Packages: what a user bought or was granted. Which product types have packages, and of which kind, is the
 * product registry's (products/): a traffic package (9, 12) holds bytes (the customer API shows KB, bytes / 1024
 * floored); a time package (11) holds a validity with a bandwidth and a concurrency, and no bytes.
 */

/** Largest bandwidth of a time package, Mbit/s (100 Gbit/s). */
export const BANDWIDTH_MBPS_MAX = 100_000;
/** Most concurrent connections of a time package. */
export const CONCURRENCY_MAX = 100_000;

/** Largest package: 1 PiB, far below 2^53 so sums stay exact in JavaScript numbers. */
export const PACKAGE_BYTES_MAX = 2 ** 50;
/** Longest validity of a grant, days. */
export const PACKAGE_DAYS_MAX = 3650;
export const TITLE_MAX = 255;
export const TRADE_NO_MAX = 64;
/** The title of operator grants when none is given. */
export const DEFAULT_GRANT_TITLE = 'Granted by operator';
/** A valid package expiring within this many ms counts as `temporary` (the documents' 臨期: within 7 days). */
export const TEMPORARY_WINDOW_MS = 7 * 86_400_000;

export const LIST_PAGE_SIZE_DEFAULT = 20;
export const LIST_PAGE_SIZE_MAX = 100;

/** 1 active, 0 withdrawn (refunded or revoked by the operator). Withdrawn packages count nowhere. */
export type PackageStatus = 0 | 1;

export interface TrafficPackage {
  readonly id: number;
  readonly userId: number;
  readonly productType: number;
  /** Traffic packages: the bytes it holds; 0 for a time package. */
  readonly totalBytes: number;
  /** Bytes drawn so far, as stored: may pass totalBytes by the overshoot of the gateway's last flush. */
  readonly usedBytes: number;
  /** Time packages: Mbit/s for all of the owner's traffic of the type, both directions together; 0 otherwise. */
  readonly bandwidthMbps: number;
  /** Time packages: open connections across the owner's sub-accounts of the type; 0 otherwise. */
  readonly concurrency: number;
  /** Effective from (the API's `created_at`). */
  readonly startsAt: number;
  readonly expiresAt: number;
  readonly tradeNo: string;
  readonly title: string;
  readonly orderCreatedAt: number | null;
  readonly orderPayAt: number | null;
  readonly status: PackageStatus;
  readonly createdAt: number;
}

/** What `PackagesService.grant` needs: `totalBytes` for a traffic package, `bandwidthMbps` and `concurrency` for a time package. */
export interface PackageGrant {
  readonly userId: number;
  readonly productType: number;
  readonly totalBytes?: number | undefined;
  readonly bandwidthMbps?: number | undefined;
  readonly concurrency?: number | undefined;
  /** Validity from `startsAt`, in whole days. */
  readonly days: number;
  /** Effective from; default now. */
  readonly startsAt?: number | undefined;
  /** The order number; a 28-digit one (local yyyymmddHHMMSS + 14 random digits) is generated when absent. */
  readonly tradeNo?: string | undefined;
  readonly title?: string | undefined;
  /** The order's times shown with the package (`order.created_at`, `order.pay_at`); default now. */
  readonly orderCreatedAt?: number | undefined;
  readonly orderPayAt?: number | undefined;
}

export interface PackageFilter {
  /** Exact order number. */
  readonly tradeNo?: string | undefined;
  readonly productType?: number | undefined;
  /** 1-based; default 1. */
  readonly page?: number | undefined;
  /** Default 20, at most 100. */
  readonly size?: number | undefined;
  /** Include withdrawn packages (the operator's view); the customer never sees them. */
  readonly includeWithdrawn?: boolean | undefined;
}

export interface PackagePage {
  /** Newest first. */
  readonly items: TrafficPackage[];
  readonly total: number;
  readonly page: number;
  readonly size: number;
}

/**
 * The documents' `user-product/summary`, every figure in KB. Each figure is a byte sum floored to KB, so
 * `effective` may be one less than `effective_total - effective_used`. A package's used bytes count at most up to
 * its total (the gateway's overshoot past a package's end is not shown). Valid means what the gateway draws on
 * (PackagesRepository.validAt): started, not expired, not used up; a package not started yet or used up counts in
 * the totals only.
 */
export interface PackageSummary {
  /** Sum of the totals of every active package. */
  readonly total: number;
  readonly total_count: number;
  /** Remaining in valid packages. */
  readonly effective: number;
  readonly effective_count: number;
  readonly effective_total: number;
  readonly effective_used: number;
  /** Remaining in valid packages expiring within 7 days. */
  readonly temporary: number;
  readonly temporary_count: number;
  /** Remaining left in expired packages. */
  readonly expired: number;
  readonly expired_count: number;
  /** Used in every package, valid or expired. */
  readonly used: number;
}

/** The traffic of a user's valid packages (`user-usage-flow/flow-total`), bytes. */
export interface TrafficTotals {
  readonly totalBytes: number;
  /** Used, at most each package's total. */
  readonly usedBytes: number;
  readonly remainingBytes: number;
  /** Per traffic type (9, 12), ascending. */
  readonly byType: readonly {
    readonly productType: number;
    readonly totalBytes: number;
    readonly usedBytes: number;
    readonly count: number;
  }[];
}
