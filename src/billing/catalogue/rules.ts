/** Field rules of the catalogue, pure: each check returns the value or a reason (for `errors`). */
import { AppError } from '../../errors/index.js';
import { BANDWIDTH_MBPS_MAX, CONCURRENCY_MAX } from '../../packages/index.js';
import { DOCUMENTED_TYPES, productKind, type Provision, SOLD_TYPES } from '../../products/index.js';
import { parseMoney } from '../money.js';
import {
  type MoneyInput,
  RATIO_MAX_BP,
  RATIO_NONE_BP,
  SKU_KINDS,
  type SkuKind,
  UNIT_BYTES_MAX,
  UNIT_DAYS_MAX,
} from './catalogue.types.js';

export type Check<T> = { ok: true; value: T } | { ok: false; reason: string };

const good = <T>(value: T): Check<T> => ({ ok: true, value });
const bad = <T>(reason: string): Check<T> => ({ ok: false, reason });

// Control characters (C0, DEL, C1) never belong in a title.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Trimmed text of 1..max characters (0..max with `allowEmpty`), without control characters. */
export function checkText(input: string, max: number, allowEmpty = false): Check<string> {
  const text = input.trim();
  if (!allowEmpty && text === '') return bad('must not be empty');
  if ([...text].length > max) return bad(`at most ${max} characters`);
  if (CONTROL.test(text)) return bad('must not contain control characters');
  return good(text);
}

/** Cents from a decimal with ≤ 2 decimals, within [min, 10^13). */
export function checkMoney(input: MoneyInput, minCents = 0): Check<number> {
  const cents = parseMoney(input);
  if (cents === undefined) return bad('a decimal amount with at most 2 decimals, e.g. 12.5');
  if (cents < minCents) return bad(minCents === 1 ? 'must be greater than 0' : `must be at least ${minCents / 100}`);
  return good(cents);
}

export function checkInteger(input: number, min: number, max: number): Check<number> {
  if (!Number.isSafeInteger(input) || input < min || input > max) return bad(`an integer from ${min} to ${max}`);
  return good(input);
}

/**
 * A product type the catalogue may hold: one the documents number (else a field error) and the product
 * registry sells (else TG_ERR_PRODUCT_NOT_ORDERABLE, thrown: a type nothing serves is refused by its own code).
 */
export function checkProductType(input: number): Check<number> {
  if (!DOCUMENTED_TYPES.includes(input)) return bad(`one of ${SOLD_TYPES.join(', ')}`);
  if (!SOLD_TYPES.includes(input)) throw notSold(input);
  return good(input);
}

/** The refusal of a product type the registry does not sell. */
export function notSold(type: number): AppError {
  return new AppError('TG_ERR_PRODUCT_NOT_ORDERABLE', { params: { type }, data: { product_type: type, sold: SOLD_TYPES } });
}

/** What one unit of a product of this type provisions (registry's `provisions`; 'none' for unknown types). */
export function provisionOf(productType: number): Provision {
  return productKind(productType)?.provisions ?? 'none';
}

export function checkUnitBytes(input: number): Check<number> {
  return checkInteger(input, 0, UNIT_BYTES_MAX);
}

export function checkUnitDays(input: number): Check<number> {
  return checkInteger(input, 0, UNIT_DAYS_MAX);
}

/** Whether a product of this type has a unit price (balance types take the order's recharge_amount). */
export function hasUnitPrice(productType: number): boolean {
  return provisionOf(productType) !== 'balance';
}

/** Whether products of this type carry bandwidth and concurrency SKUs (time packages). */
export function hasSkus(productType: number): boolean {
  return provisionOf(productType) === 'time-package';
}

/**
 * The rules between a product's fields, on the product as it would be stored (so an update cannot break them
 * either), by what the type provisions: a traffic package needs traffic, days and a price; a time package days
 * (its price may be 0: the SKUs carry it); static IPs and renewals days and a price; a balance type none of them.
 */
export function productShapeErrors(p: {
  productType: number;
  unitPriceCents: number;
  unitBytes: number;
  unitDays: number;
}): Record<string, string> {
  const errors: Record<string, string> = {};
  const provision = provisionOf(p.productType);
  const type = p.productType;
  if (provision === 'balance') {
    const why = `products of type ${type} take their amount from the order’s recharge_amount`;
    if (p.unitPriceCents !== 0) errors.price = `must be 0: ${why}`;
    if (p.unitBytes !== 0) errors.unit_bytes = `must be 0: ${why}`;
    if (p.unitDays !== 0) errors.unit_days = `must be 0: ${why}`;
    return errors;
  }
  if (provision === 'traffic-package' && p.unitBytes <= 0) {
    errors.unit_bytes = `must be greater than 0 for product type ${type} (the traffic one unit provisions)`;
  }
  if (provision !== 'none' && p.unitDays <= 0) {
    errors.unit_days = `must be greater than 0 for product type ${type} (the days one unit provisions)`;
  }
  if (provision !== 'time-package' && provision !== 'none' && p.unitPriceCents <= 0) {
    errors.price = `must be greater than 0 for product type ${type}`;
  }
  return errors;
}

export function checkSkuKind(input: string): Check<SkuKind> {
  return (SKU_KINDS as readonly string[]).includes(input) ? good(input as SkuKind) : bad(`one of ${SKU_KINDS.join(', ')}`);
}

/** A SKU's value: Mbit/s of bandwidth, connections of concurrency or days of duration, within what a time package may hold. */
export function checkSkuValue(input: number, kind: SkuKind | undefined): Check<number> {
  if (kind === 'duration') return checkInteger(input, 1, UNIT_DAYS_MAX);
  return checkInteger(input, 1, kind === 'concurrency' ? CONCURRENCY_MAX : BANDWIDTH_MBPS_MAX);
}

/** Basis points from a ratio like 1.2 (≤ 4 decimals), from ×1 to ×100. */
export function checkRatio(input: string | number): Check<number> {
  const text = typeof input === 'number' ? (Number.isFinite(input) ? String(input) : '') : input.trim();
  const m = /^(\d{1,3})(?:\.(\d{1,4}))?$/.exec(text);
  if (!m?.[1]) return bad('a decimal with at most 4 decimals, e.g. 1.2');
  const bp = Number(m[1]) * 10_000 + Number((m[2] ?? '').padEnd(4, '0'));
  if (bp < RATIO_NONE_BP || bp > RATIO_MAX_BP) return bad(`from 1 to ${RATIO_MAX_BP / 10_000}`);
  return good(bp);
}

/** An http(s) URL (after any template placeholders are filled with sample values). */
export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Collects the reasons of failed checks under their field names; returns the values of the good ones. */
export class FieldErrors {
  readonly errors: Record<string, string> = {};

  take<T>(field: string, check: Check<T>): T | undefined {
    if (check.ok) return check.value;
    this.errors[field] ??= check.reason;
    return undefined;
  }

  add(field: string, reason: string): void {
    this.errors[field] ??= reason;
  }

  get any(): boolean {
    return Object.keys(this.errors).length > 0;
  }
}
