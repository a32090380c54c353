/** Field rules of the catalogue, pure: each check returns the value or a reason (for `errors`). */
import { parseMoney } from '../money.js';
import {
  AMOUNT_PRODUCT_TYPES,
  CATALOGUE_PRODUCT_TYPES,
  type MoneyInput,
  RATIO_MAX_BP,
  RATIO_NONE_BP,
  SKU_KINDS,
  SKU_VALUE_MAX,
  type SkuKind,
  TIMED_PRODUCT_TYPES,
  TRAFFIC_PRODUCT_TYPES,
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

export function checkProductType(input: number): Check<number> {
  if (!CATALOGUE_PRODUCT_TYPES.includes(input)) return bad(`one of ${CATALOGUE_PRODUCT_TYPES.join(', ')}`);
  return good(input);
}

export function checkUnitBytes(input: number): Check<number> {
  return checkInteger(input, 0, UNIT_BYTES_MAX);
}

export function checkUnitDays(input: number): Check<number> {
  return checkInteger(input, 0, UNIT_DAYS_MAX);
}

/** Whether a product of this type has a unit price (3 and 26 take the order's recharge_amount). */
export function hasUnitPrice(productType: number): boolean {
  return !AMOUNT_PRODUCT_TYPES.includes(productType);
}

/**
 * The rules between a product's fields, on the product as it would be stored (so an update cannot break
 * them either): 9 and 12 provision traffic for days; 11, 14, 19 and 25 provision days.
 */
export function productShapeErrors(p: { productType: number; unitBytes: number; unitDays: number }): Record<string, string> {
  const errors: Record<string, string> = {};
  if (TRAFFIC_PRODUCT_TYPES.includes(p.productType) && p.unitBytes <= 0) {
    errors.unit_bytes = `must be greater than 0 for product type ${p.productType} (the traffic one unit provisions)`;
  }
  if ((TRAFFIC_PRODUCT_TYPES.includes(p.productType) || TIMED_PRODUCT_TYPES.includes(p.productType)) && p.unitDays <= 0) {
    errors.unit_days = `must be greater than 0 for product type ${p.productType} (the days one unit provisions)`;
  }
  return errors;
}

export function checkSkuKind(input: string): Check<SkuKind> {
  return (SKU_KINDS as readonly string[]).includes(input) ? good(input as SkuKind) : bad(`one of ${SKU_KINDS.join(', ')}`);
}

export function checkSkuValue(input: number): Check<number> {
  return checkInteger(input, 1, SKU_VALUE_MAX);
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
