/**
 * The head of an HTTP/1.x request as a proxy receives it (RFC 9112 §2-5), and the two request-target
 * forms a proxy acts on: authority-form for CONNECT (§3.2.3) and absolute-form for forwarding (§3.2.2).
 *
 *   request-head = *( CRLF ) request-line *( field-line CRLF ) CRLF
 *   request-line = method SP request-target SP HTTP-version CRLF        (§3)
 *   field-line   = field-name ":" OWS field-value OWS                   (§5)
 *
 * Strict where the RFC allows a choice, since the head is parsed again by whatever is behind the
 * exit and any disagreement between two parsers is room for request smuggling: single SP between
 * request-line parts, CRLF only (no bare LF or CR), no whitespace before a colon, no obs-fold, no
 * control characters. Bytes are read as latin1, so each byte is one character.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** A complete request head. */
export interface RequestHead {
  readonly method: string;
  /** The request-target exactly as sent: origin-, absolute-, authority- or asterisk-form. */
  readonly target: string;
  readonly version: '1.0' | '1.1';
  /** Field lines in order, names as sent, values without surrounding OWS; duplicates kept. */
  readonly headers: Array<[name: string, value: string]>;
  /** Bytes of the head, leading empty lines and the final empty line included; the body starts here. */
  readonly headLength: number;
}

export type HeadResult =
  | { readonly need: true }
  | { readonly error: 'too_large' }
  | { readonly error: 'malformed'; readonly reason: string }
  | RequestHead;

const NEED = Object.freeze({ need: true as const });
const TOO_LARGE = Object.freeze({ error: 'too_large' as const });
const END_OF_HEAD = Buffer.from('\r\n\r\n', 'latin1');
const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;

/**
 * Parses the request head at the start of `buf`, which may hold only part of it or be followed by a
 * body. `{ need: true }` while the head is incomplete and could still end within maxHeaderBytes;
 * `too_large` once it cannot (so a buffer of maxHeaderBytes bytes without the end is already too
 * large); `malformed` as soon as the bytes seen break the grammar. The head may be exactly
 * maxHeaderBytes long.
 */
export function parseRequestHead(buf: Buffer, maxHeaderBytes: number): HeadResult {
  // §2.2: a server SHOULD ignore at least one empty line before the request-line.
  let start = 0;
  while (start + 1 < buf.length && buf[start] === CR && buf[start + 1] === LF) start += 2;

  const view = buf.length > maxHeaderBytes ? buf.subarray(0, maxHeaderBytes) : buf;
  const end = view.indexOf(END_OF_HEAD, start);
  if (end === -1) {
    const reason = checkPartial(view, start);
    if (reason !== undefined) return malformed(reason);
    return buf.length < maxHeaderBytes ? NEED : TOO_LARGE;
  }

  // Lines of the head, each without its CRLF; the final empty line is not included.
  const text = buf.toString('latin1', start, end + 2);
  let lineEnd = text.indexOf('\r\n');
  const requestLine = parseRequestLine(text, 0, lineEnd);
  if (typeof requestLine === 'string') return malformed(requestLine);

  const headers: Array<[string, string]> = [];
  for (let lineNumber = 2; lineEnd + 2 < text.length; lineNumber++) {
    const lineStart = lineEnd + 2;
    lineEnd = text.indexOf('\r\n', lineStart);
    const field = parseFieldLine(text, lineStart, lineEnd);
    if (typeof field === 'string') return malformed(`line ${lineNumber}: ${field}`);
    headers.push(field);
  }
  return { method: requestLine.method, target: requestLine.target, version: requestLine.version, headers, headLength: end + 4 };
}

/** The value of the first header named `name` (ASCII case-insensitive, RFC 9110 §5.1), if any. */
export function headerValue(headers: ReadonlyArray<readonly [string, string]>, name: string): string | undefined {
  for (const [fieldName, value] of headers) if (equalsIgnoreCase(fieldName, name)) return value;
  return undefined;
}

/**
 * An authority: `host:port`, `[IPv6]:port`, or without `:port` when defaultPort is given (RFC 3986
 * §3.2, as a CONNECT target per RFC 9112 §3.2.3, where the port is required). The host comes back
 * lower-cased, an IPv6 literal without brackets (validated, not rewritten); the port is 1-65535.
 * Undefined for userinfo, an IPv6 zone or IPvFuture, a host that is not a DNS-style name or IPv4
 * literal, or a port out of range. An empty port (`host:`) means the default, RFC 3986 §3.2.3.
 */
export function parseAuthority(target: string, defaultPort?: number): { host: string; port: number } | undefined {
  let host: string;
  let portAt: number;
  if (target.charCodeAt(0) === 0x5b) {
    const close = target.indexOf(']');
    if (close === -1) return undefined;
    host = target.slice(1, close);
    // A zone (RFC 6874 "%25") names an interface of ours, not something a client may pick.
    if (host.includes('%') || !isIPv6(host)) return undefined;
    portAt = close + 1;
    if (portAt < target.length && target.charCodeAt(portAt) !== 0x3a) return undefined;
  } else {
    portAt = target.indexOf(':');
    if (portAt === -1) portAt = target.length;
    host = target.slice(0, portAt);
    if (!isHostName(host)) return undefined;
  }
  let port: number | undefined = defaultPort;
  if (portAt + 1 < target.length) port = parsePort(target, portAt + 1);
  else if (portAt + 1 === target.length && defaultPort === undefined) return undefined;
  if (port === undefined) return undefined;
  return { host: host.toLowerCase(), port };
}

/**
 * An absolute-form target of a forwarded request (RFC 9112 §3.2.2): `http://host[:port][/path][?query]`,
 * scheme in any case (RFC 3986 §3.1), port 80 by default. The path comes back in origin-form, `/` when
 * empty (RFC 9112 §3.2.1). Undefined for another scheme (https goes through CONNECT), userinfo (RFC 9110
 * §4.2.4 deprecates it; it would leak credentials to the target), a fragment (never part of a
 * request-target), a missing host, or a character outside visible ASCII.
 */
export function parseAbsoluteUrl(target: string): { host: string; port: number; path: string } | undefined {
  if (target.length < 8 || !startsWithHttp(target)) return undefined;
  let authorityEnd = 7;
  for (; authorityEnd < target.length; authorityEnd++) {
    const c = target.charCodeAt(authorityEnd);
    if (c === 0x2f || c === 0x3f) break;
    // Userinfo and fragments are refused; other characters are left to parseAuthority.
    if (c === 0x40 || c === 0x23) return undefined;
  }
  const authority = parseAuthority(target.slice(7, authorityEnd), 80);
  if (authority === undefined) return undefined;
  for (let i = authorityEnd; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c <= SP || c >= 0x7f || c === 0x23) return undefined;
  }
  let path = target.slice(authorityEnd);
  if (path === '') path = '/';
  else if (path.charCodeAt(0) === 0x3f) path = `/${path}`;
  return { host: authority.host, port: authority.port, path };
}

function malformed(reason: string): { readonly error: 'malformed'; readonly reason: string } {
  return { error: 'malformed', reason };
}

/**
 * Faults visible before the head is complete, so a client that is not speaking HTTP/1.x (a TLS
 * hello, a SOCKS greeting, bare-LF lines) is refused at once instead of holding the connection until
 * the size limit or a timeout: a method that is not a token, a complete request-line that is wrong,
 * and a bare LF or NUL anywhere.
 */
function checkPartial(view: Buffer, start: number): string | undefined {
  // The method first: for bytes that are not HTTP at all, it is the telling fault.
  for (let i = start; i < view.length; i++) {
    const c = view[i]!;
    if (c === CR || c === LF) break;
    if (c === SP) {
      if (i === start) return 'method is not a token';
      break;
    }
    if (!isTchar(c)) return 'method is not a token';
  }
  for (let i = view.indexOf(LF, start); i !== -1; i = view.indexOf(LF, i + 1)) {
    if (i === 0 || view[i - 1] !== CR) return 'bare LF';
  }
  if (view.indexOf(0, start) !== -1) return 'NUL byte';
  const lineEnd = view.indexOf(LF, start);
  if (lineEnd === -1) return undefined;
  const line = view.toString('latin1', start, lineEnd - 1);
  const requestLine = parseRequestLine(line, 0, line.length);
  return typeof requestLine === 'string' ? requestLine : undefined;
}

/** §3: method SP request-target SP HTTP-version, in text[start, end). Returns a reason on failure. */
function parseRequestLine(
  text: string,
  start: number,
  end: number,
): { method: string; target: string; version: '1.0' | '1.1' } | string {
  let i = start;
  while (i < end && isTchar(text.charCodeAt(i))) i++;
  if (i === start || (i < end && text.charCodeAt(i) !== SP)) return 'method is not a token';
  if (i === end) return 'request-line has no request-target';
  const method = text.slice(start, i);

  const targetStart = i + 1;
  for (i = targetStart; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === SP) break;
    // §3.2: the request-target is ASCII (RFC 3986 characters); no controls, no obs-text.
    if (c < SP || c >= 0x7f) return 'request-target has a character outside visible ASCII';
  }
  if (i === targetStart) return 'request-line has no request-target';
  if (i === end) return 'request-line has no HTTP version';
  const target = text.slice(targetStart, i);

  // §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive; only 1.0 and 1.1 speak this grammar.
  const versionStart = i + 1;
  if (end - versionStart !== 8 || !text.startsWith('HTTP/1.', versionStart)) return 'unsupported HTTP version';
  const minor = text.charCodeAt(end - 1);
  if (minor !== 0x30 && minor !== 0x31) return 'unsupported HTTP version';
  return { method, target, version: minor === 0x31 ? '1.1' : '1.0' };
}

/** §5: field-name ":" OWS field-value OWS, in text[start, end). Returns a reason on failure. */
function parseFieldLine(text: string, start: number, end: number): [string, string] | string {
  const first = text.charCodeAt(start);
  // §5.2 obs-fold, and §2.2 whitespace between the start-line and the first field: both refused.
  if (first === SP || first === HTAB) return 'obsolete line folding';
  let i = start;
  while (i < end && isTchar(text.charCodeAt(i))) i++;
  if (i === end) return 'field line without a colon';
  const stop = text.charCodeAt(i);
  if (stop !== 0x3a) {
    // §5.1: no whitespace is allowed between the field name and colon; a server MUST reject it.
    if (stop !== SP && stop !== HTAB) return 'field name is not a token';
    const colon = text.indexOf(':', i);
    return colon !== -1 && colon < end ? 'whitespace before the colon' : 'field line without a colon';
  }
  if (i === start) return 'empty field name';
  const name = text.slice(start, i);

  let valueStart = i + 1;
  let valueEnd = end;
  while (valueStart < valueEnd && isOws(text.charCodeAt(valueStart))) valueStart++;
  while (valueEnd > valueStart && isOws(text.charCodeAt(valueEnd - 1))) valueEnd--;
  for (let j = valueStart; j < valueEnd; j++) {
    const c = text.charCodeAt(j);
    // RFC 9110 §5.5: field-vchar = VCHAR / obs-text, with SP and HTAB inside. CR, LF and NUL in a
    // value are invalid and dangerous; other controls are no better.
    if ((c < SP && c !== HTAB) || c === 0x7f) return 'control character in a field value';
  }
  return [name, text.slice(valueStart, valueEnd)];
}

function isOws(c: number): boolean {
  return c === SP || c === HTAB;
}

/** RFC 9110 §5.6.2 tchar: "!#$%&'*+-.^_`|~", DIGIT, ALPHA. */
function isTchar(c: number): boolean {
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return true;
  switch (c) {
    case 0x21: // !
    case 0x23: // #
    case 0x24: // $
    case 0x25: // %
    case 0x26: // &
    case 0x27: // '
    case 0x2a: // *
    case 0x2b: // +
    case 0x2d: // -
    case 0x2e: // .
    case 0x5e: // ^
    case 0x5f: // _
    case 0x60: // `
    case 0x7c: // |
    case 0x7e: // ~
      return true;
    default:
      return false;
  }
}

/** ASCII case-insensitive equality, without allocating lower-cased copies. */
function equalsIgnoreCase(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0x41 && x <= 0x5a) x |= 0x20;
    if (y >= 0x41 && y <= 0x5a) y |= 0x20;
    if (x !== y) return false;
  }
  return true;
}

/** "http://" in any case at the start. */
function startsWithHttp(s: string): boolean {
  return (
    (s.charCodeAt(0) | 0x20) === 0x68 &&
    (s.charCodeAt(1) | 0x20) === 0x74 &&
    (s.charCodeAt(2) | 0x20) === 0x74 &&
    (s.charCodeAt(3) | 0x20) === 0x70 &&
    s.startsWith('://', 4)
  );
}

/** 1-5 decimal digits from s[start] to the end, value 1-65535 (RFC 3986 §3.2.3 port, non-zero). */
function parsePort(s: string, start: number): number | undefined {
  if (s.length - start > 5) return undefined;
  let n = 0;
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return undefined;
    n = n * 10 + (c - 0x30);
  }
  return n >= 1 && n <= 0xffff ? n : undefined;
}

/**
 * A DNS-style host name or a dotted-quad IPv4 literal: labels of 1-63 letters, digits, "-" or "_",
 * 253 characters at most, one trailing dot allowed. A name whose last label is numeric (decimal, or
 * hex after "0x") must be a strict dotted quad: resolvers read `2130706433`, `0x7f.1` or `017.0.0.1`
 * as IPv4 addresses (inet_aton), which would slip past checks on the text. The same rule as the
 * WHATWG URL host parser's "ends in a number".
 */
function isHostName(host: string): boolean {
  let end = host.length;
  if (end > 0 && host.charCodeAt(end - 1) === 0x2e) end--;
  if (end === 0 || end > 253) return false;
  let labelStart = 0;
  for (let i = 0; i <= end; i++) {
    const c = i === end ? 0x2e : host.charCodeAt(i);
    if (c === 0x2e) {
      if (i === labelStart || i - labelStart > 63) return false;
      if (i !== end) labelStart = i + 1;
    } else if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2d || c === 0x5f)) {
      return false;
    }
  }
  if (!isNumericLabel(host, labelStart, end)) return true;
  return end === host.length && isIPv4(host);
}

function isNumericLabel(s: string, start: number, end: number): boolean {
  let i = start;
  let hex = false;
  if (end - start >= 2 && s.charCodeAt(start) === 0x30 && (s.charCodeAt(start + 1) | 0x20) === 0x78) {
    hex = true;
    i += 2;
  }
  for (; i < end; i++) {
    const c = s.charCodeAt(i);
    const digit = c >= 0x30 && c <= 0x39;
    if (!digit && !(hex && (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66)) return false;
  }
  return true;
}
