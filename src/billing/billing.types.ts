/** Shapes the billing modules share: what an order holds beyond its columns, and how a paid order is provisioned. */
import type { Transaction } from 'kysely';
import type { Database, OrderRow } from '../storage/index.js';

/** Order statuses, as the documents number them. */
export const ORDER_STATUS = { PENDING: 0, PAID: 1, CLOSED: 2, REFUNDED: 3 } as const;

/**
 * What exactly was ordered, stored as JSON in orders.details when the order is created, so provisioning
 * and refunds read the order as it was sold (not the product as it is now).
 */
export interface OrderDetails {
  /** Static IPs (14, 25): per country, how many (`region_list` "US:2,DE:1"). */
  readonly regions?: readonly { readonly country: string; readonly count: number }[];
  /** Renewals (19): the allocation ids (`upids`). */
  readonly upids?: readonly number[];
  /** Renewals (19): how many product units (each `unit_days`) to add (`renew_duration`, default 1). */
  readonly renewDuration?: number;
  /** Type 11: the chosen SKUs (id, value, price). */
  readonly bandwidthSku?: { readonly id: number; readonly value: number; readonly priceCents: number };
  readonly concurrencySku?: { readonly id: number; readonly value: number; readonly priceCents: number };
  /** Types 3 and 26: the amount credited to the balance, cents (`recharge_amount`). */
  readonly rechargeCents?: number;
  /** Type 3: the gift on top, cents (from the recharge gift tiers at order time). */
  readonly giftCents?: number;
  /** The product's unit at order time: bytes (9, 12) and days (9, 11, 12, 14, 19, 25). */
  readonly unitBytes?: number;
  readonly unitDays?: number;
  /** The invitation discount was applied. */
  readonly inviteDiscount?: boolean;
  /** Packages: effective from (a renewal starts when the package it renews ends); default the payment time. */
  readonly startsAt?: number;
  /** Packages (`renew_duration` 1m/2m/em): mark the package for auto-renewal, this many times (null: every period). */
  readonly autoRenew?: { readonly remaining: number | null };
  /** An auto-renewal's order: the auto_renewals row and the package it renews (billing/auto-renewal). */
  readonly renewal?: { readonly autoRenewalId: number; readonly fromPackageId: number };
}

/**
 * Gives what a paid order bought, and takes it back on refund. Both run inside the transaction that changes
 * the order's status, so provisioning happens exactly once per paid order and a refund is all-or-nothing.
 * Each provisioned thing is recorded in order_provisions (kind, ref_id, detail) for `reverse`.
 */
export interface Provisioner {
  provision(trx: Transaction<Database>, order: OrderRow, details: OrderDetails, now: number): Promise<void>;
  /** Reverses what can be reversed; throws an AppError (changing nothing) when it cannot. */
  reverse(trx: Transaction<Database>, order: OrderRow, details: OrderDetails, now: number): Promise<void>;
}

/** Provisioners by product type. */
export type ProvisionerRegistry = ReadonlyMap<number, Provisioner>;

export function orderDetails(order: Pick<OrderRow, 'details'>): OrderDetails {
  try {
    const parsed = JSON.parse(order.details) as unknown;
    return parsed !== null && typeof parsed === 'object' ? (parsed as OrderDetails) : {};
  } catch {
    return {};
  }
}
