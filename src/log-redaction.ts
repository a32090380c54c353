/**
 * Secrets never reach a log line. Redaction is by pattern, not by a list of paths: any field whose name
 * says it holds a key, token, password, secret, signature or credentials is replaced, in whatever shape it
 * arrives — a query parameter (`app_key=`, `app_key[]=`, `a[app_key]=`, percent-encoded names), a nested
 * object, a form or JSON text inside a message, an `Authorization` value. Pure functions; the logger
 * (logger.ts) applies them to every line it writes, and the API's request serializer to every URL.
 */

export const REDACTED = '[redacted]';

/**
 * Names of fields holding credentials. `accounts` is whitelist-account/add's `user:password` list.
 * Over-matching (a `keyword` field) costs a log detail; under-matching leaks a credential.
 */
const SECRET_NAME = /key|token|pass|pwd|secret|auth|signature|(?:^|[^a-z])sign(?:[^a-z]|$)|credential|cookie|session|accounts/i;

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name) || (name.includes('%') && SECRET_NAME.test(decodeName(name)));
}

/** `name=value` pairs (query strings, form bodies, free text), the name as written on the wire. */
const PAIR = /([^\s&?;=,"'{}]+)=([^&\s"';]*)/g;
/** `"name": "value"` and `"name": 123` in JSON text, e.g. a body quoted in an error message. */
const JSON_PAIR = /"([^"\\]{1,100})"\s*:\s*("(?:[^"\\]|\\.)*"|[-\w.]+)/g;
/** An Authorization value: scheme, then credentials. */
const AUTH_VALUE = /\b(Bearer|Basic|Digest|Token)\s+[^\s,"']+/gi;

/** Redacts credentials inside free text: query pairs, JSON pairs and Authorization values. */
export function redactText(text: string): string {
  if (!text.includes('=') && !text.includes('"') && !/bearer|basic|digest|token/i.test(text)) return text;
  return text
    .replace(PAIR, (whole, name: string, value: string) => (value !== '' && isSecretName(name) ? `${name}=${REDACTED}` : whole))
    .replace(JSON_PAIR, (whole, name: string) => (isSecretName(name) ? `"${name}":"${REDACTED}"` : whole))
    .replace(AUTH_VALUE, (_whole, scheme: string) => `${scheme} ${REDACTED}`);
}

/** A URL with the value of every credential-named query parameter replaced. */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  return url.slice(0, at + 1) + redactText(url.slice(at + 1));
}

const MAX_DEPTH = 8;

/**
 * A copy of a log record's fields with credentials redacted: secret-named fields at any depth, free text by
 * redactText, raw bytes (a request's packet) dropped. Only plain objects, arrays and errors are walked; other
 * class instances (a request, a socket) are left to pino's serializers. The input is never modified.
 */
export function redactFields(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  if (depth >= MAX_DEPTH) return '[depth]';
  if (Array.isArray(value)) return value.map((v) => redactFields(v, depth + 1));
  if (value instanceof Error) {
    const copy = Object.create(Object.getPrototypeOf(value) as object) as Error & Record<string, unknown>;
    for (const [k, v] of Object.entries(value)) copy[k] = isSecretName(k) ? REDACTED : redactFields(v, depth + 1);
    Object.defineProperty(copy, 'message', { value: redactText(value.message), enumerable: false, writable: true });
    Object.defineProperty(copy, 'stack', { value: redactText(value.stack ?? ''), enumerable: false, writable: true });
    if (value.cause !== undefined) copy.cause = redactFields(value.cause, depth + 1);
    return copy;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isSecretName(k) && v !== '' ? REDACTED : redactFields(v, depth + 1);
  return out;
}
