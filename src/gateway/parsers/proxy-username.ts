/**
 * The proxy username carries the sub-account name and its targeting:
 * `user01-country-us-state-ca-city-losangeles-session-a1b2c3-life-30`.
 *
 *   username = name *( "-" key "-" value )
 *   name     = 1*32( ALPHA / DIGIT )
 *   key      = country / cc / region / state / st / city / session / sessid / life / sesstime / ip   (any case)
 *   value    = 1*( ALPHA / DIGIT / "_" )                                                         ("-" separates tokens)
 *   ip-value = IPv4 dotted quad, or IPv6 with "_" or ":" between groups            (static-IP entry only)
 *
 * ALPHA and DIGIT are ASCII (RFC 5234 Appendix B.1). The username reaches us from Basic credentials
 * (RFC 7617 §2) or the SOCKS5 sub-negotiation (RFC 1929 §2), so it can hold any character: nothing
 * from it is echoed into an error without being cut and reduced to printable ASCII.
 */
// The library without its locales (its main entry loads all of them, about 0.7 MB): only the codes are read here.
import countries from 'i18n-iso-countries/index.js';
import { canonicalIp } from '../../net/ip-address.js';
import type { Targeting } from '../gateway.types.js';

/** A proxy username split into the sub-account name and its targeting. */
export interface ParsedUsername extends Targeting {
  /** The sub-account name, case preserved. */
  readonly name: string;
}

export const NAME_MAX_LENGTH = 32;
export const REGION_MAX_LENGTH = 64;
export const SESSION_MAX_LENGTH = 32;
export const LIFE_MIN_MINUTES = 1;
export const LIFE_MAX_MINUTES = 1440;
export const LIFE_DEFAULT_MINUTES = 10;

/**
 * Assigned ISO 3166-1 alpha-2 codes, upper case, from i18n-iso-countries. Built once: the package's
 * own isValid also accepts alpha-3 and numeric codes, which a two-letter value must not match.
 * The list includes XK (Kosovo), a user-assigned code in common use, which exit providers tag too.
 */
const ALPHA2 = new Set(Object.keys(countries.getAlpha2Codes()));

/** Codes people write that ISO 3166-1 does not assign, with the code they mean. */
const ALPHA2_HINTS: Readonly<Record<string, string>> = { UK: 'GB', EL: 'GR' };

type Key = 'country' | 'state' | 'city' | 'session' | 'life' | 'ip';

/** Aliases resolve to their key; lookups are on the lower-cased token. The longest is 8 characters. */
const KEYS: ReadonlyMap<string, Key> = new Map<string, Key>([
  ['country', 'country'],
  ['cc', 'country'],
  ['region', 'country'],
  ['state', 'state'],
  ['st', 'state'],
  ['city', 'city'],
  ['session', 'session'],
  ['sessid', 'session'],
  ['life', 'life'],
  ['sesstime', 'life'],
  ['ip', 'ip'],
]);
const KEY_MAX_LENGTH = 8;

/**
 * Parses a proxy username. Returns the name and targeting, or `{ error }` with a reason fit for
 * TG_ERR_PROXY_USERNAME_INVALID's `{reason}`. Keys are case-insensitive, each given at most once
 * (an alias counts as its key), in any order; state and city need a country.
 */
export function parseProxyUsername(raw: string): ParsedUsername | { error: string } {
  let end = raw.indexOf('-');
  if (end === -1) end = raw.length;
  if (!isAlnum(raw, 0, end, NAME_MAX_LENGTH)) {
    return { error: `name must be 1 to ${NAME_MAX_LENGTH} ASCII letters or digits` };
  }
  const name = raw.slice(0, end);

  let country: string | undefined;
  let state: string | undefined;
  let city: string | undefined;
  let session: string | undefined;
  let life: number | undefined;
  let ip: string | undefined;

  let pos = end;
  while (pos < raw.length) {
    // raw[pos] is '-': a key follows, then '-' and its value.
    const keyStart = pos + 1;
    let keyEnd = raw.indexOf('-', keyStart);
    if (keyEnd === -1) keyEnd = raw.length;
    if (keyEnd === keyStart) return { error: 'empty key' };
    const keyText = raw.slice(keyStart, keyEnd);
    const key = keyText.length <= KEY_MAX_LENGTH ? KEYS.get(keyText.toLowerCase()) : undefined;
    if (key === undefined) return { error: `unknown key ${quote(keyText)}` };
    if (keyEnd === raw.length) return { error: `missing value for ${key}` };

    const valueStart = keyEnd + 1;
    let valueEnd = raw.indexOf('-', valueStart);
    if (valueEnd === -1) valueEnd = raw.length;
    if (valueEnd === valueStart) return { error: `empty value for ${key}` };
    pos = valueEnd;

    switch (key) {
      case 'country': {
        if (country !== undefined) return repeated(key, keyText);
        const value = raw.slice(valueStart, valueEnd);
        const code = value.length === 2 ? value.toUpperCase() : '';
        if (!ALPHA2.has(code)) {
          const hint = ALPHA2_HINTS[code];
          const suffix = hint === undefined ? '' : ` (use "${hint.toLowerCase()}")`;
          return { error: `country ${quote(value)} is not an ISO 3166-1 alpha-2 code${suffix}` };
        }
        country = code;
        break;
      }
      case 'state':
        if (state !== undefined) return repeated(key, keyText);
        if (!isWord(raw, valueStart, valueEnd, REGION_MAX_LENGTH)) return { error: wordError(key) };
        state = raw.slice(valueStart, valueEnd).toLowerCase();
        break;
      case 'city':
        if (city !== undefined) return repeated(key, keyText);
        if (!isWord(raw, valueStart, valueEnd, REGION_MAX_LENGTH)) return { error: wordError(key) };
        city = raw.slice(valueStart, valueEnd).toLowerCase();
        break;
      case 'session':
        if (session !== undefined) return repeated(key, keyText);
        if (!isAlnum(raw, valueStart, valueEnd, SESSION_MAX_LENGTH)) {
          return { error: `session must be 1 to ${SESSION_MAX_LENGTH} ASCII letters or digits` };
        }
        session = raw.slice(valueStart, valueEnd);
        break;
      case 'life':
        if (life !== undefined) return repeated(key, keyText);
        life = parseMinutes(raw, valueStart, valueEnd);
        if (life === undefined) return { error: `life must be an integer from ${LIFE_MIN_MINUTES} to ${LIFE_MAX_MINUTES}` };
        break;
      case 'ip': {
        if (ip !== undefined) return repeated(key, keyText);
        // Basic credentials cannot carry ':' in a username (RFC 7617 §2), so IPv6 may use '_' instead.
        const value = raw.slice(valueStart, valueEnd).replaceAll('_', ':');
        ip = value.length > 45 ? undefined : canonicalIp(value);
        if (ip === undefined) return { error: `ip ${quote(value)} is not an IPv4 or IPv6 address` };
        break;
      }
    }
  }

  // A state or city names a place inside one country; on its own it would match across countries.
  if (country === undefined) {
    if (state !== undefined) return { error: 'state needs a country' };
    if (city !== undefined) return { error: 'city needs a country' };
  }
  // Every field always present, so every result has the same shape.
  return { name, country, state, city, session, lifeMinutes: life ?? LIFE_DEFAULT_MINUTES, ip };
}

function repeated(key: Key, given: string): { error: string } {
  const lower = given.toLowerCase();
  return { error: lower === key ? `repeated key "${key}"` : `repeated key "${key}" (given again as "${lower}")` };
}

function wordError(key: Key): string {
  return `${key} must be 1 to ${REGION_MAX_LENGTH} ASCII letters, digits or underscores`;
}

/** 1 to `max` ASCII letters or digits in raw[start, end). */
function isAlnum(raw: string, start: number, end: number, max: number): boolean {
  if (end <= start || end - start > max) return false;
  for (let i = start; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a))) return false;
  }
  return true;
}

/** 1 to `max` ASCII letters, digits or underscores in raw[start, end). */
function isWord(raw: string, start: number, end: number, max: number): boolean {
  if (end <= start || end - start > max) return false;
  for (let i = start; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f)) return false;
  }
  return true;
}

/** Decimal digits only (no sign, exponent or point), value within the life range; leading zeros are harmless. */
function parseMinutes(raw: string, start: number, end: number): number | undefined {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = raw.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
    n = n * 10 + (c - 0x30);
    if (n > LIFE_MAX_MINUTES) return undefined;
  }
  return n >= LIFE_MIN_MINUTES ? n : undefined;
}

/**
 * Quotes client text for an error message: at most 32 characters, anything outside printable ASCII
 * (and the quote and backslash) shown as `?`, so a reason can go into a log line or a header safely.
 */
function quote(text: string): string {
  const cut = text.length > 32;
  let out = '"';
  const n = cut ? 32 : text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    out += c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c ? '?' : text[i];
  }
  return cut ? `${out}..."` : `${out}"`;
}
