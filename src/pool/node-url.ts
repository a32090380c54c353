/**
 * Exit node URLs, as pure functions:
 *
 *   direct://                         egress from the gateway host
 *   direct://127.0.0.2, direct://[::1] egress bound to that local source address
 *   http://[user:pass@]host:port      chain through an upstream HTTP proxy (CONNECT)
 *   socks5://[user:pass@]host:port    chain through an upstream SOCKS5 proxy
 *
 * Syntax after RFC 3986 §3.2 (authority = [userinfo "@"] host [":" port]);
 * credentials may be percent-encoded, and a raw "@" in a password is read up
 * to the last "@" of the authority. The port of an upstream is required.
 */
import { isIP, isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';

export type NodeKind = 'direct' | 'http' | 'socks5';

export const NODE_KINDS: readonly NodeKind[] = ['direct', 'http', 'socks5'];

export interface DirectEndpoint {
  readonly kind: 'direct';
  /** Local source address to bind (an IP literal), or undefined for the system's choice. */
  readonly localAddress?: string | undefined;
}

export interface UpstreamEndpoint {
  readonly kind: 'http' | 'socks5';
  /** Host name (lower case) or IP literal (IPv6 without brackets). */
  readonly host: string;
  readonly port: number;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
}

/** Where and how a node egresses. Carries upstream credentials: never log it, log `displayNodeUrl` instead. */
export type NodeEndpoint = DirectEndpoint | UpstreamEndpoint;

export type ParsedNodeUrl =
  { readonly ok: true; readonly endpoint: NodeEndpoint } | { readonly ok: false; readonly problem: string };

/** Longest URL accepted; the encrypted form must fit the 1,024-character column. */
export const NODE_URL_MAX = 512;
/** RFC 1929 §2: ULEN and PLEN are one octet. */
const CREDENTIAL_MAX_BYTES = 255;

const URL_SHAPE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)(.*)$/s;
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9_](?:[a-z0-9_-]{0,62}))*$/;
// RFC 3986 §3.2.1: userinfo = *( unreserved / pct-encoded / sub-delims / ":" ); "@" tolerated (see above).
const USERINFO = /^[A-Za-z0-9\-._~%!$&'()*+,;=:@]*$/;

const fail = (problem: string): ParsedNodeUrl => ({ ok: false, problem });

/** Parses and validates a node URL. */
export function parseNodeUrl(input: string): ParsedNodeUrl {
  const text = input.trim();
  if (text === '') return fail('is required');
  if (text.length > NODE_URL_MAX) return fail(`at most ${NODE_URL_MAX} characters`);
  const shape = URL_SHAPE.exec(text);
  if (!shape) return fail('expected direct://, http://host:port or socks5://host:port');
  const scheme = shape[1]!.toLowerCase();
  const authority = shape[2]!;
  const rest = shape[3]!;
  if (rest !== '' && rest !== '/') return fail('must not have a path, query or fragment');
  if (scheme !== 'direct' && scheme !== 'http' && scheme !== 'socks5') {
    return fail(`unknown scheme "${scheme}": use direct, http or socks5`);
  }

  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : undefined;
  const hostPort = at >= 0 ? authority.slice(at + 1) : authority;
  const split = splitHostPort(hostPort);
  if (typeof split === 'string') return fail(split);

  if (scheme === 'direct') {
    if (userinfo !== undefined) return fail('direct:// takes no credentials');
    if (split.port !== undefined) return fail('direct:// takes no port');
    if (split.host === '') return { ok: true, endpoint: { kind: 'direct' } };
    const problem = localAddressProblem(split.host);
    if (problem) return fail(problem);
    return { ok: true, endpoint: { kind: 'direct', localAddress: ipaddr.parse(split.host).toString() } };
  }

  if (split.host === '') return fail('the upstream host is required');
  if (split.port === undefined) return fail('the upstream port is required (host:port)');
  const port = parsePort(split.port);
  if (port === undefined) return fail('the port must be 1-65535');
  const host = normalizeHost(split.host, split.bracketed);
  if (host === undefined) return fail(`not a host name or IP address: ${split.host}`);

  let username: string | undefined;
  let password: string | undefined;
  if (userinfo !== undefined) {
    const credentials = parseUserinfo(userinfo, scheme);
    if (typeof credentials === 'string') return fail(credentials);
    ({ username, password } = credentials);
  }
  return {
    ok: true,
    endpoint: {
      kind: scheme,
      host,
      port,
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
    },
  };
}

/** The canonical URL of an endpoint; `maskPassword` replaces the password with `***`. */
export function formatNodeUrl(endpoint: NodeEndpoint, options: { maskPassword?: boolean } = {}): string {
  if (endpoint.kind === 'direct') {
    const local = endpoint.localAddress;
    return local === undefined ? 'direct://' : `direct://${isIPv6(local) ? `[${local}]` : local}`;
  }
  let userinfo = '';
  if (endpoint.username !== undefined) {
    userinfo = encodeURIComponent(endpoint.username);
    if (endpoint.password !== undefined) userinfo += `:${options.maskPassword ? '***' : encodeURIComponent(endpoint.password)}`;
    userinfo += '@';
  }
  return `${endpoint.kind}://${userinfo}${formatHostPort(endpoint.host, endpoint.port)}`;
}

/** A node URL fit for listings and logs: the password masked. Unparsable input shows as `(invalid)`. */
export function displayNodeUrl(url: string): string {
  const parsed = parseNodeUrl(url);
  return parsed.ok ? formatNodeUrl(parsed.endpoint, { maskPassword: true }) : '(invalid)';
}

/** The kind named by a URL's scheme (display URLs included), or undefined. */
export function nodeKindOf(url: string): NodeKind | undefined {
  const scheme = /^([a-z0-9]+):\/\//i.exec(url)?.[1]?.toLowerCase();
  return NODE_KINDS.find((k) => k === scheme);
}

/** `host:port`, IPv6 in brackets (RFC 3986 §3.2.2). */
export function formatHostPort(host: string, port: number): string {
  return `${isIPv6(host) ? `[${host}]` : host}:${port}`;
}

interface HostPort {
  readonly host: string;
  readonly bracketed: boolean;
  readonly port: string | undefined;
}

function splitHostPort(hostPort: string): HostPort | string {
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0) return 'unterminated [ in the host';
    const after = hostPort.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) return 'unexpected text after ]';
    return { host: hostPort.slice(1, close), bracketed: true, port: after === '' ? undefined : after.slice(1) };
  }
  const colons = hostPort.split(':').length - 1;
  if (colons > 1) return 'an IPv6 address goes in brackets, e.g. [::1]';
  const colon = hostPort.indexOf(':');
  return colon < 0
    ? { host: hostPort, bracketed: false, port: undefined }
    : { host: hostPort.slice(0, colon), bracketed: false, port: hostPort.slice(colon + 1) };
}

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}

function normalizeHost(host: string, bracketed: boolean): string | undefined {
  if (bracketed) return isIPv6(host) ? ipaddr.parse(host).toString() : undefined;
  if (isIP(host) === 4) return host;
  const name = host.toLowerCase().replace(/\.$/, '');
  // A dotted all-numeric name that is no IPv4 literal (999.1.1.1, 127.1) would be read differently by each resolver.
  if (/^[0-9.]+$/.test(name)) return undefined;
  return HOST_NAME.test(name) ? name : undefined;
}

function localAddressProblem(host: string): string | undefined {
  if (isIP(host) === 0) return `direct:// takes a local IP address to bind, not "${host}"`;
  const range = ipaddr.parse(host).range();
  if (range === 'unspecified') return 'use direct:// for the unspecified address';
  if (range === 'multicast' || range === 'broadcast') return `${host} is not a unicast address`;
  return undefined;
}

function parseUserinfo(userinfo: string, scheme: 'http' | 'socks5'): { username: string; password?: string } | string {
  if (!USERINFO.test(userinfo)) return 'credentials must be percent-encoded (RFC 3986)';
  const colon = userinfo.indexOf(':');
  const rawUser = colon < 0 ? userinfo : userinfo.slice(0, colon);
  const rawPass = colon < 0 ? undefined : userinfo.slice(colon + 1);
  let username: string;
  let password: string | undefined;
  try {
    username = decodeURIComponent(rawUser);
    password = rawPass === undefined ? undefined : decodeURIComponent(rawPass);
  } catch {
    return 'credentials have a broken %-escape';
  }
  if (username === '') return 'the user name is empty';
  if (/\p{Cc}/u.test(username + (password ?? ''))) return 'credentials must not contain control characters';
  // RFC 7617 §2: the user-id of Basic credentials cannot contain a colon.
  if (scheme === 'http' && username.includes(':')) return 'the user name must not contain ":"';
  if (Buffer.byteLength(username) > CREDENTIAL_MAX_BYTES || Buffer.byteLength(password ?? '') > CREDENTIAL_MAX_BYTES) {
    return `user name and password: at most ${CREDENTIAL_MAX_BYTES} bytes each`;
  }
  // RFC 1929 §2: username/password authentication carries both, each 1-255 octets.
  if (scheme === 'socks5' && !password) return 'socks5:// credentials need a user name and a password';
  return password === undefined ? { username } : { username, password };
}
