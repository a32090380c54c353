/**
 * The documents' rules for sub-accounts, as pure functions.
 * Names and passwords: ASCII letters and digits only (the gateway reads
 * `name-key-value` usernames, so no separator may appear in a name).
 */

export const NAME_MIN = 1;
export const NAME_MAX = 32;
export const PASSWORD_MIN = 4;
export const PASSWORD_MAX = 64;
/** Remark width: 64 units, a CJK character counting two (so 32 Chinese or 64 Latin characters). */
export const REMARK_MAX_WIDTH = 64;
export const LIMIT_MAX_GB = 102_400;
/** The newer release's `proxy-account/change`: passwords of 6-16 letters and digits. */
export const CHANGE_PASSWORD_MIN = 6;
export const CHANGE_PASSWORD_MAX = 16;

const NAME = new RegExp(`^[A-Za-z0-9]{${NAME_MIN},${NAME_MAX}}$`);
const PASSWORD = new RegExp(`^[A-Za-z0-9]{${PASSWORD_MIN},${PASSWORD_MAX}}$`);

export function isValidName(name: string): boolean {
  return NAME.test(name);
}

export function isValidPassword(password: string): boolean {
  return PASSWORD.test(password);
}

const CHANGE_PASSWORD = new RegExp(`^[A-Za-z0-9]{${CHANGE_PASSWORD_MIN},${CHANGE_PASSWORD_MAX}}$`);

/** A password `proxy-account/change` accepts (stricter than the older endpoints' rule). */
export function isValidChangePassword(password: string): boolean {
  return CHANGE_PASSWORD.test(password);
}

/** A limit in whole GB: 0 (none) to LIMIT_MAX_GB. */
export function isValidLimitGb(gb: number): boolean {
  return Number.isInteger(gb) && gb >= 0 && gb <= LIMIT_MAX_GB;
}

// Han, kana, Hangul, CJK symbols and full-width forms count as two.
const WIDE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/u;

export function remarkWidth(remark: string): number {
  let width = 0;
  for (const ch of remark) width += WIDE.test(ch) ? 2 : 1;
  return width;
}

/** Why a remark is unacceptable, or undefined when it is fine. */
export function remarkProblem(remark: string): string | undefined {
  // C0 and C1 controls, and the line/paragraph separators that break log lines and CSV exports.
  if (/[\p{Cc}\u2028\u2029]/u.test(remark)) return 'must not contain control characters';
  if (remarkWidth(remark) > REMARK_MAX_WIDTH) return 'at most 32 Chinese or 64 Latin characters';
  return undefined;
}

/** Splits a comma-separated batch; blank entries (a trailing comma) are skipped. */
export function splitBatch(value: string): string[] {
  return value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
}

export interface Credential {
  readonly username: string;
  readonly password: string;
}

/**
 * What a bad entry is shown as: never its password. Without a colon, a client
 * may have used another separator (`user01=secret`), so only the part before it shows.
 */
function shownAs(entry: string): string {
  const separator = /[:=;|/\\]/.exec(entry);
  const name = separator ? `${entry.slice(0, separator.index)}${separator[0] === ':' ? '' : '…'}` : entry;
  return name.length > 40 ? `${name.slice(0, 40)}…` : name || '(empty name)';
}

export interface ParsedBatch<T> {
  readonly items: T[];
  /** Entries that break a rule, as shown to the client. */
  readonly invalid: string[];
  readonly duplicates: string[];
}

/** Parses `user01:pass,user02:pass`; duplicates of a name within the batch are errors. */
export function parseCredentialBatch(value: string): ParsedBatch<Credential> {
  const items: Credential[] = [];
  const invalid: string[] = [];
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const entry of splitBatch(value)) {
    const colon = entry.indexOf(':');
    const username = colon < 0 ? entry : entry.slice(0, colon);
    const password = colon < 0 ? '' : entry.slice(colon + 1);
    if (colon < 0 || !isValidName(username) || !isValidPassword(password)) {
      invalid.push(shownAs(entry));
      continue;
    }
    if (seen.has(username)) duplicates.add(username);
    seen.add(username);
    items.push({ username, password });
  }
  return { items, invalid, duplicates: [...duplicates] };
}

/** Parses `user01,user02`; a repeated name is applied once. */
export function parseNameBatch(value: string): ParsedBatch<string> {
  const invalid: string[] = [];
  const names = new Set<string>();
  for (const entry of splitBatch(value)) {
    if (isValidName(entry)) names.add(entry);
    else invalid.push(shownAs(entry));
  }
  return { items: [...names], invalid, duplicates: [] };
}
