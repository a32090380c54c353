/** Small pure parsers of order/create's text parameters; each returns the value or a reason (for `errors`). */
import { COUNTRY_RULE, normalizeCountry } from '../../pool/index.js';
import { REGIONS_MAX, RENEW_IDS_MAX } from './orders.types.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * `region_list`: `US:2,DE:1` (the documents), or `US,2|DE,1` (the newer release's clients) — ISO 3166-1 alpha-2
 * countries (any case) with a count ≥ 1 each, at most `maxCount` per country; blank entries are skipped, a
 * country named twice is refused.
 */
export function parseRegionList(text: string, maxCount: number): Parsed<{ country: string; count: number }[]> {
  const regions: { country: string; count: number }[] = [];
  // The newer form has no colon; a single `JP,2` is that form too.
  const piped = text.includes('|') || (!text.includes(':') && /\d/.test(text));
  for (const raw of text.split(piped ? '|' : ',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const m = (piped ? /^([^,\s]+)\s*,\s*(\d{1,7})$/ : /^([^:\s]+)\s*:\s*(\d{1,7})$/).exec(entry);
    if (!m?.[1] || !m[2]) return { ok: false, reason: `"${entry}" is not COUNTRY:COUNT, e.g. US:2` };
    const country = normalizeCountry(m[1]);
    if (country === undefined) return { ok: false, reason: `${m[1]}: ${COUNTRY_RULE}` };
    const count = Number(m[2]);
    if (count < 1 || count > maxCount) return { ok: false, reason: `${country}: the count must be 1-${maxCount}` };
    if (regions.some((r) => r.country === country)) return { ok: false, reason: `${country} is named twice` };
    regions.push({ country, count });
  }
  if (regions.length === 0) return { ok: false, reason: 'one or more COUNTRY:COUNT entries, e.g. US:2,DE:1' };
  if (regions.length > REGIONS_MAX) return { ok: false, reason: `at most ${REGIONS_MAX} countries` };
  return { ok: true, value: regions };
}

/** `upids`: allocation ids as `1,2,3` (or an array); duplicates count once. */
export function parseUpids(input: string | readonly number[]): Parsed<number[]> {
  const parts = typeof input === 'string' ? input.split(',').map((p) => p.trim()) : input.map(String);
  const ids: number[] = [];
  for (const part of parts) {
    if (part === '') continue;
    if (!/^\d{1,15}$/.test(part) || Number(part) < 1)
      return { ok: false, reason: `"${part}" is not an id from ip/get-static-ip` };
    const id = Number(part);
    if (!ids.includes(id)) ids.push(id);
  }
  if (ids.length === 0) return { ok: false, reason: 'one or more ids from ip/get-static-ip, e.g. 1,2,3' };
  if (ids.length > RENEW_IDS_MAX) return { ok: false, reason: `at most ${RENEW_IDS_MAX} ids` };
  return { ok: true, value: ids };
}
