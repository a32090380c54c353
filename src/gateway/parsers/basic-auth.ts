/**
 * `Proxy-Authorization: Basic <base64(user-id ":" password)>`, RFC 7617 §2 over RFC 9110 §11.7.2.
 *
 *   credentials = auth-scheme 1*SP token68        (RFC 9110 §11.4)
 *   token68     = base64 of user-pass, RFC 4648 §4 (standard alphabet)
 *   user-pass   = user-id ":" password             (RFC 7617 §2: split on the first colon)
 */
import { isUtf8 } from 'node:buffer';

/** Longer Proxy-Authorization values are refused unread. */
export const MAX_AUTHORIZATION_LENGTH = 1024;

/** Credentials from a Basic Proxy-Authorization value. */
export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

/**
 * Parses a Basic Proxy-Authorization value. Undefined when the header is missing, longer than
 * MAX_AUTHORIZATION_LENGTH, of another scheme, not base64, not UTF-8, without a colon, with an
 * empty user-id, or with a control character in either part. The password may be empty.
 */
export function parseBasicCredentials(header: string | undefined): BasicCredentials | undefined {
  if (header === undefined || header.length > MAX_AUTHORIZATION_LENGTH) return undefined;

  // Leading and trailing OWS are not part of a field value (RFC 9110 §5.5); a client that sends
  // them anyway, or more than one SP after the scheme, is tolerated.
  let start = skipSpace(header, 0);
  let end = header.length;
  while (end > start && isSpace(header.charCodeAt(end - 1))) end--;

  // The scheme is case-insensitive (RFC 9110 §11.1).
  if (end - start < 6 || !isBasicScheme(header, start) || !isSpace(header.charCodeAt(start + 5))) return undefined;
  start = skipSpace(header, start + 6);
  if (!isBase64(header, start, end)) return undefined;

  const bytes = Buffer.from(header.slice(start, end), 'base64');
  // RFC 7617 §2.1: the charset is UTF-8 when the server asks for it, and in practice otherwise. Bytes
  // that are not UTF-8 are refused rather than replaced, so two different passwords cannot decode alike.
  if (!isUtf8(bytes)) return undefined;
  const userPass = bytes.toString('utf8');

  const colon = userPass.indexOf(':');
  if (colon <= 0) return undefined;
  // RFC 7617 §2: the user-id and password MUST NOT contain control characters.
  if (hasControl(userPass)) return undefined;
  return { username: userPass.slice(0, colon), password: userPass.slice(colon + 1) };
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

function skipSpace(s: string, i: number): number {
  while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  return i;
}

/** "basic" in any case at s[i, i + 5). */
function isBasicScheme(s: string, i: number): boolean {
  // Setting bit 0x20 lower-cases ASCII letters; the compared letters are all letters, so nothing else matches.
  return (
    (s.charCodeAt(i) | 0x20) === 0x62 &&
    (s.charCodeAt(i + 1) | 0x20) === 0x61 &&
    (s.charCodeAt(i + 2) | 0x20) === 0x73 &&
    (s.charCodeAt(i + 3) | 0x20) === 0x69 &&
    (s.charCodeAt(i + 4) | 0x20) === 0x63
  );
}

/**
 * RFC 4648 §4 base64 in s[start, end): the standard alphabet, then at most two "=" closing a
 * 4-character group. Missing padding is tolerated, a length that no byte count gives is not.
 * Buffer.from(s, 'base64') would skip anything outside the alphabet, so this check comes first.
 */
function isBase64(s: string, start: number, end: number): boolean {
  let dataEnd = end;
  while (dataEnd > start && end - dataEnd < 2 && s.charCodeAt(dataEnd - 1) === 0x3d) dataEnd--;
  const data = dataEnd - start;
  if (data === 0 || data % 4 === 1) return false;
  if (dataEnd !== end && (end - start) % 4 !== 0) return false;
  for (let i = start; i < dataEnd; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f;
    if (!ok) return false;
  }
  return true;
}

/** CTL of RFC 5234 Appendix B.1: %x00-1F / %x7F. */
function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
