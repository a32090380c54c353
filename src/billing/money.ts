/**
 * Money is integer minor units (cents) everywhere inside; decimals only at the
 * edges. Parsing takes the decimal text as written (never through a float), so
 * `0.1 + 0.2` problems cannot arise; formatting gives the API's number.
 */

/** Cents from a decimal amount with at most 2 decimals ("12", "12.5", "12.50", 12.5); undefined when not one. */
export function parseMoney(input: string | number): number | undefined {
  const text = typeof input === 'number' ? (Number.isFinite(input) ? String(input) : '') : input.trim();
  const m = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(text);
  if (!m?.[1]) return undefined;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** The API's money: a number with at most 2 decimals (1250 → 12.5). */
export function moneyNumber(cents: number): number {
  return Number(moneyText(cents));
}

/** Fixed 2-decimal text (1250 → "12.50"), for messages and pay URLs. */
export function moneyText(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** `cents × bp / 10000`, rounded half up, in integers (basis points: 10000 = 100 %). */
export function applyBasisPoints(cents: number, bp: number): number {
  return Math.floor((cents * bp + 5000) / 10000);
}
