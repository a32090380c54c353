/**
 * Configuration: read once from the environment (and optionally a JSON file
 * named by TOLLGATE_CONFIG), validated as a whole, then frozen. Nothing else in
 * src/ reads process.env. Start-up fails listing every bad variable at once.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export type Role = 'all' | 'api' | 'gateway';

export interface DatabaseConfig {
  readonly dialect: 'sqlite' | 'postgres';
  /** SQLite: absolute file path. PostgreSQL: the connection URL. */
  readonly url: string;
}

export interface Config {
  readonly dataDir: string;
  readonly database: DatabaseConfig;
  readonly host: string;
  readonly apiPort: number;
  readonly apiPrefixes: readonly string[];
  readonly timeZone: string;
  /** Raw secret (≥ 32 chars); undefined until resolved from the data directory. */
  readonly secret: string | undefined;
  readonly adminToken: string | undefined;
  readonly requireRealName: boolean;
  readonly logLevel: string;
  readonly bodyLimit: number;
  readonly batchMax: number;
  readonly rateLimitPerKey: number;
  readonly rateLimitPerIp: number;
  readonly jwtTtlSeconds: number;
  readonly trustProxy: boolean;
  readonly passwordCacheSize: number;
  /** Most whitelisted IPs per user (white-ip/add); the same as limits.whiteIps. */
  readonly whiteIpMax: number;
  /** Fair shares: what one user may hold at most, unless the operator sets otherwise for that user. */
  readonly limits: UserLimitDefaults;
  /** Failure budgets of the API's sign-ins (auth/login, the admin token). */
  readonly signIn: SignInThrottleConfig;
  readonly extract: ExtractConfig;
  /** A pending order closes this long after it was created. */
  readonly orderTtlMs: number;
  /** Percent off an invited user's first order (use_invitation_registration_discount); 0 turns it off. */
  readonly inviteDiscountPercent: number;
  readonly gateway: GatewayConfig;
}

/** Per-user caps; each can be overridden per user by the operator (admin API, `tollgate users limits`). */
export interface UserLimitDefaults {
  /** Sub-accounts per user, all product types together. */
  readonly subAccounts: number;
  readonly whiteIps: number;
  /** Extraction leases (ports) a user holds at once. */
  readonly extractLeases: number;
  /** Open proxy connections of all of a user's sub-accounts together. */
  readonly tunnelsPerUser: number;
  /** Open proxy connections of one sub-account. */
  readonly tunnelsPerAccount: number;
}

export interface SignInThrottleConfig {
  /** Failed auth/login attempts for one email (from any address) within the window before it is refused. */
  readonly failPerEmail: number;
  /** Failed auth/login attempts from one address within the window before it is refused. */
  readonly failPerIp: number;
  /** Failed admin-token attempts from one address within the window before it is refused. */
  readonly adminFailPerIp: number;
  /** The window in which failures are counted, and how long a refused email or address then waits. */
  readonly blockSeconds: number;
}

/** IP extraction (`ip/v3`): leased ports on the gateway host. */
export interface ExtractConfig {
  /** The port range leased to users; undefined when extraction is off. */
  readonly ports: { readonly from: number; readonly to: number } | undefined;
  /** Entry regions (`ep`) → the host name clients connect to. Empty: every answer names `publicHost`. */
  readonly entries: ReadonlyMap<string, string>;
  /** Host name in answers when no entry regions are configured. */
  readonly publicHost: string;
  readonly numMax: number;
  readonly lifeDefault: number;
  readonly lifeMax: number;
}

export interface GatewayConfig {
  /** Address and port of the proxy entry (HTTP and SOCKS5 on one port). */
  readonly host: string;
  readonly port: number;
  /** Let targets resolve to loopback/private/reserved addresses (development and tests only). */
  readonly allowPrivateTargets: boolean;
  readonly blockedPorts: readonly number[];
  readonly meterFlushMs: number;
  readonly changePollMs: number;
  readonly handshakeTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly maxHeaderBytes: number;
  /** Most authenticated proxy connections (those still in their handshake count against maxHandshakes). */
  readonly maxConnections: number;
  readonly healthIntervalMs: number;
  /** host:port dialled through each exit to probe it; empty turns active probing off. */
  readonly healthTarget: string;
  /** Failed proxy logins from one address within a minute before each further attempt is delayed. */
  readonly authFailSlowAfter: number;
  /** Failed proxy logins from one address within a minute before the address is refused. */
  readonly authFailBlockAfter: number;
  /** Failed proxy logins for one sub-account name within a minute, from any address, before the name is refused. */
  readonly authFailPerName: number;
  readonly authBlockSeconds: number;
  /** Connections still in their handshake (not yet authenticated), all addresses together; apart from maxConnections. */
  readonly maxHandshakes: number;
  /** Connections still in their handshake from one client address. */
  readonly maxHandshakesPerIp: number;
  /** Port of the static-IP entry (product types 14 and 25); 0 picks a free port. */
  readonly staticPort: number;
  /** Address the extraction ports listen on. */
  readonly extractHost: string;
}

import { ConfigError } from './config-error.js';

export { ConfigError };

type Source = Record<string, string | undefined>;

const DEFAULT_PREFIXES = '/gateway,/end-point,/api-gate-way,/pub';

/** Every variable the platform reads, with its default (documented in README). */
export const CONFIG_VARIABLES = [
  'TOLLGATE_CONFIG',
  'TOLLGATE_DATA_DIR',
  'DATABASE_URL',
  'TOLLGATE_HOST',
  'TOLLGATE_API_PORT',
  'TOLLGATE_API_PREFIXES',
  'TOLLGATE_TZ',
  'TOLLGATE_SECRET',
  'TOLLGATE_ADMIN_TOKEN',
  'TOLLGATE_REQUIRE_REAL_NAME',
  'TOLLGATE_LOG_LEVEL',
  'TOLLGATE_BODY_LIMIT',
  'TOLLGATE_BATCH_MAX',
  'TOLLGATE_RATE_LIMIT_PER_KEY',
  'TOLLGATE_RATE_LIMIT_PER_IP',
  'TOLLGATE_JWT_TTL',
  'TOLLGATE_TRUST_PROXY',
  'TOLLGATE_PASSWORD_CACHE_SIZE',
  'TOLLGATE_PROXY_HOST',
  'TOLLGATE_PROXY_PORT',
  'TOLLGATE_ALLOW_PRIVATE_TARGETS',
  'TOLLGATE_BLOCKED_PORTS',
  'TOLLGATE_METER_FLUSH_MS',
  'TOLLGATE_CHANGE_POLL_MS',
  'TOLLGATE_HANDSHAKE_TIMEOUT_MS',
  'TOLLGATE_IDLE_TIMEOUT_MS',
  'TOLLGATE_CONNECT_TIMEOUT_MS',
  'TOLLGATE_MAX_HEADER_BYTES',
  'TOLLGATE_MAX_CONNECTIONS',
  'TOLLGATE_HEALTH_INTERVAL_MS',
  'TOLLGATE_HEALTH_TARGET',
  'TOLLGATE_AUTH_FAIL_SLOW_AFTER',
  'TOLLGATE_AUTH_FAIL_BLOCK_AFTER',
  'TOLLGATE_AUTH_FAIL_PER_NAME',
  'TOLLGATE_AUTH_BLOCK_SECONDS',
  'TOLLGATE_MAX_HANDSHAKES',
  'TOLLGATE_MAX_HANDSHAKES_PER_IP',
  'TOLLGATE_LOGIN_FAIL_PER_EMAIL',
  'TOLLGATE_LOGIN_FAIL_PER_IP',
  'TOLLGATE_ADMIN_FAIL_PER_IP',
  'TOLLGATE_LOGIN_BLOCK_SECONDS',
  'TOLLGATE_SUB_ACCOUNT_MAX',
  'TOLLGATE_EXTRACT_LEASE_MAX',
  'TOLLGATE_TUNNELS_PER_USER',
  'TOLLGATE_TUNNELS_PER_ACCOUNT',
  'TOLLGATE_STATIC_PORT',
  'TOLLGATE_WHITE_IP_MAX',
  'TOLLGATE_EXTRACT_PORTS',
  'TOLLGATE_EXTRACT_HOST',
  'TOLLGATE_EXTRACT_ENTRIES',
  'TOLLGATE_PUBLIC_HOST',
  'TOLLGATE_EXTRACT_NUM_MAX',
  'TOLLGATE_EXTRACT_LIFE_DEFAULT',
  'TOLLGATE_EXTRACT_LIFE_MAX',
  'TOLLGATE_ORDER_TTL',
  'TOLLGATE_INVITE_DISCOUNT_PERCENT',
] as const;

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly src: Source) {}

  raw(name: string): string | undefined {
    const v = this.src[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      this.problems.push(`${name}: expected an integer from ${min} to ${max}, got "${v}"`);
      return fallback;
    }
    return Number(v);
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.raw(name)?.toLowerCase();
    if (v === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    this.problems.push(`${name}: expected a boolean (1/0, true/false, yes/no, on/off), got "${v}"`);
    return fallback;
  }

  fail(name: string, reason: string): void {
    this.problems.push(`${name}: ${reason}`);
  }
}

function parseDatabase(r: Reader, dataDir: string): DatabaseConfig {
  const url = r.raw('DATABASE_URL');
  if (url === undefined) return { dialect: 'sqlite', url: resolve(dataDir, 'tollgate.db') };
  if (/^postgres(ql)?:\/\//i.test(url)) {
    try {
      new URL(url);
    } catch {
      r.fail('DATABASE_URL', 'not a valid postgres:// URL');
    }
    return { dialect: 'postgres', url };
  }
  const sqlite = /^sqlite:(?:\/\/)?(.+)$/i.exec(url);
  if (sqlite?.[1]) return { dialect: 'sqlite', url: resolve(sqlite[1]) };
  r.fail('DATABASE_URL', `expected postgres://… or sqlite:PATH, got "${url.replace(/\/\/[^@/]*@/, '//***@')}"`);
  return { dialect: 'sqlite', url: resolve(dataDir, 'tollgate.db') };
}

function parsePrefixes(r: Reader): string[] {
  const value = r.string('TOLLGATE_API_PREFIXES', DEFAULT_PREFIXES);
  const prefixes = value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const bad = prefixes.filter((p) => !/^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/.test(p) || p === '/admin');
  if (prefixes.length === 0) r.fail('TOLLGATE_API_PREFIXES', 'at least one prefix is required');
  if (bad.length > 0)
    r.fail(
      'TOLLGATE_API_PREFIXES',
      `invalid prefix(es) ${bad.join(', ')}: each starts with "/", has no trailing "/", and is not /admin`,
    );
  if (new Set(prefixes).size !== prefixes.length) r.fail('TOLLGATE_API_PREFIXES', 'prefixes repeat');
  return prefixes;
}

function parseTimeZone(r: Reader): string {
  const tz = r.string('TOLLGATE_TZ', 'UTC');
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    r.fail('TOLLGATE_TZ', `unknown IANA time zone "${tz}"`);
    return 'UTC';
  }
  return tz;
}

function parseGateway(r: Reader): GatewayConfig {
  const blocked = r.string('TOLLGATE_BLOCKED_PORTS', '25');
  const ports = blocked
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const badPorts = ports.filter((p) => !/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 65535);
  if (badPorts.length > 0) r.fail('TOLLGATE_BLOCKED_PORTS', `expected comma-separated ports 1-65535, got ${badPorts.join(', ')}`);
  const healthTarget = r.string('TOLLGATE_HEALTH_TARGET', '');
  if (healthTarget !== '' && !/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(healthTarget)) {
    r.fail('TOLLGATE_HEALTH_TARGET', `expected host:port, got "${healthTarget}"`);
  }
  const slow = r.int('TOLLGATE_AUTH_FAIL_SLOW_AFTER', 5, 1, 1_000_000);
  const block = r.int('TOLLGATE_AUTH_FAIL_BLOCK_AFTER', 20, 1, 1_000_000);
  if (block < slow) r.fail('TOLLGATE_AUTH_FAIL_BLOCK_AFTER', 'must not be below TOLLGATE_AUTH_FAIL_SLOW_AFTER');
  const maxConnections = r.int('TOLLGATE_MAX_CONNECTIONS', 50_000, 1, 10_000_000);
  const maxHandshakes = r.int('TOLLGATE_MAX_HANDSHAKES', Math.max(64, Math.floor(maxConnections / 4)), 1, 10_000_000);
  return Object.freeze({
    host: r.string('TOLLGATE_PROXY_HOST', r.string('TOLLGATE_HOST', '0.0.0.0')),
    port: r.int('TOLLGATE_PROXY_PORT', 7777, 0, 65535),
    allowPrivateTargets: r.bool('TOLLGATE_ALLOW_PRIVATE_TARGETS', false),
    blockedPorts: Object.freeze(badPorts.length > 0 ? [25] : ports.map(Number)),
    meterFlushMs: r.int('TOLLGATE_METER_FLUSH_MS', 1000, 50, 60_000),
    changePollMs: r.int('TOLLGATE_CHANGE_POLL_MS', 250, 20, 60_000),
    handshakeTimeoutMs: r.int('TOLLGATE_HANDSHAKE_TIMEOUT_MS', 10_000, 100, 600_000),
    idleTimeoutMs: r.int('TOLLGATE_IDLE_TIMEOUT_MS', 300_000, 1000, 86_400_000),
    connectTimeoutMs: r.int('TOLLGATE_CONNECT_TIMEOUT_MS', 10_000, 100, 600_000),
    maxHeaderBytes: r.int('TOLLGATE_MAX_HEADER_BYTES', 16_384, 1024, 1_048_576),
    maxConnections,
    // Strangers still shaking hands get a pool of their own, so they never take an authenticated user's slot;
    // one address gets a quarter of it at most, so it cannot push everybody else's handshakes out alone.
    maxHandshakes,
    maxHandshakesPerIp: r.int(
      'TOLLGATE_MAX_HANDSHAKES_PER_IP',
      Math.max(1, Math.min(1024, Math.floor(maxHandshakes / 4))),
      1,
      10_000_000,
    ),
    healthIntervalMs: r.int('TOLLGATE_HEALTH_INTERVAL_MS', 30_000, 100, 86_400_000),
    healthTarget,
    authFailSlowAfter: slow,
    authFailBlockAfter: block,
    authFailPerName: r.int('TOLLGATE_AUTH_FAIL_PER_NAME', 30, 1, 1_000_000),
    authBlockSeconds: r.int('TOLLGATE_AUTH_BLOCK_SECONDS', 300, 1, 86_400),
    staticPort: r.int('TOLLGATE_STATIC_PORT', 7778, 0, 65535),
    extractHost: r.string('TOLLGATE_EXTRACT_HOST', r.string('TOLLGATE_PROXY_HOST', r.string('TOLLGATE_HOST', '0.0.0.0'))),
  });
}

const HOST_NAME =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^\[?[0-9a-fA-F:.]+\]?$/;

function parseExtract(r: Reader): ExtractConfig {
  const range = r.string('TOLLGATE_EXTRACT_PORTS', '20000-20099');
  let ports: ExtractConfig['ports'];
  if (range.toLowerCase() !== 'off') {
    const m = /^(\d{1,5})\s*-\s*(\d{1,5})$/.exec(range);
    const from = Number(m?.[1]);
    const to = Number(m?.[2]);
    if (!m || from < 1 || to > 65535 || from > to)
      r.fail('TOLLGATE_EXTRACT_PORTS', `expected FROM-TO within 1-65535 or "off", got "${range}"`);
    else ports = Object.freeze({ from, to });
  }
  const entries = new Map<string, string>();
  const spec = r.string('TOLLGATE_EXTRACT_ENTRIES', '');
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')) {
    const m = /^([A-Za-z0-9_-]{1,32})=(.+)$/.exec(part);
    if (!m?.[1] || !m[2] || !HOST_NAME.test(m[2].trim())) {
      r.fail('TOLLGATE_EXTRACT_ENTRIES', `expected name=host[,name=host…], got "${part}"`);
      continue;
    }
    entries.set(m[1].toLowerCase(), m[2].trim());
  }
  const proxyHost = r.string('TOLLGATE_PROXY_HOST', r.string('TOLLGATE_HOST', '0.0.0.0'));
  const publicHost = r.string('TOLLGATE_PUBLIC_HOST', ['0.0.0.0', '::'].includes(proxyHost) ? '127.0.0.1' : proxyHost);
  if (!HOST_NAME.test(publicHost)) r.fail('TOLLGATE_PUBLIC_HOST', `expected a host name or address, got "${publicHost}"`);
  const lifeMax = r.int('TOLLGATE_EXTRACT_LIFE_MAX', 1440, 1, 10_080);
  const lifeDefault = r.int('TOLLGATE_EXTRACT_LIFE_DEFAULT', 10, 1, 10_080);
  if (lifeDefault > lifeMax) r.fail('TOLLGATE_EXTRACT_LIFE_DEFAULT', 'must not exceed TOLLGATE_EXTRACT_LIFE_MAX');
  return Object.freeze({
    ports,
    entries,
    publicHost,
    numMax: r.int('TOLLGATE_EXTRACT_NUM_MAX', 200, 1, 10_000),
    lifeDefault,
    lifeMax,
  });
}

function parseLimits(r: Reader, extract: ExtractConfig): UserLimitDefaults {
  // One customer must not be able to lease the whole range: a quarter of it at most by default, 20 at most.
  const range = extract.ports ? extract.ports.to - extract.ports.from + 1 : 80;
  return Object.freeze({
    subAccounts: r.int('TOLLGATE_SUB_ACCOUNT_MAX', 10_000, 1, 10_000_000),
    whiteIps: r.int('TOLLGATE_WHITE_IP_MAX', 20, 1, 10_000),
    extractLeases: r.int('TOLLGATE_EXTRACT_LEASE_MAX', Math.max(1, Math.min(20, Math.floor(range / 4))), 1, 65_535),
    tunnelsPerUser: r.int('TOLLGATE_TUNNELS_PER_USER', 10_000, 1, 10_000_000),
    tunnelsPerAccount: r.int('TOLLGATE_TUNNELS_PER_ACCOUNT', 10_000, 1, 10_000_000),
  });
}

function parseSignIn(r: Reader): SignInThrottleConfig {
  return Object.freeze({
    failPerEmail: r.int('TOLLGATE_LOGIN_FAIL_PER_EMAIL', 10, 1, 1_000_000),
    failPerIp: r.int('TOLLGATE_LOGIN_FAIL_PER_IP', 50, 1, 1_000_000),
    adminFailPerIp: r.int('TOLLGATE_ADMIN_FAIL_PER_IP', 10, 1, 1_000_000),
    blockSeconds: r.int('TOLLGATE_LOGIN_BLOCK_SECONDS', 900, 1, 86_400),
  });
}

function readConfigFile(env: Source): Source {
  const path = env.TOLLGATE_CONFIG?.trim();
  if (!path) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError([`TOLLGATE_CONFIG: cannot read JSON file ${path}: ${(err as Error).message}`]);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError([`TOLLGATE_CONFIG: ${path} must hold a JSON object of VARIABLE: value`]);
  }
  const out: Source = {};
  const unknown: string[] = [];
  for (const [k, v] of Object.entries(parsed)) {
    if (!(CONFIG_VARIABLES as readonly string[]).includes(k) || k === 'TOLLGATE_CONFIG') unknown.push(k);
    else out[k] = v === null ? undefined : String(v);
  }
  if (unknown.length > 0) throw new ConfigError([`TOLLGATE_CONFIG: unknown key(s) ${unknown.join(', ')}`]);
  return out;
}

/**
 * Parse configuration. Environment variables win over the config file.
 * Secrets left unset stay undefined here; `resolveSecrets` fills them from the data directory.
 */
export function loadConfig(env: Source = process.env): Config {
  const r = new Reader({ ...readConfigFile(env), ...definedOnly(env) });
  const dataDir = resolve(r.string('TOLLGATE_DATA_DIR', './data'));
  const secret = r.raw('TOLLGATE_SECRET');
  if (secret !== undefined && secret.length < 32) r.fail('TOLLGATE_SECRET', 'must be at least 32 characters');
  const adminToken = r.raw('TOLLGATE_ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < 24) r.fail('TOLLGATE_ADMIN_TOKEN', 'must be at least 24 characters');
  const logLevel = r.string('TOLLGATE_LOG_LEVEL', 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    r.fail('TOLLGATE_LOG_LEVEL', `expected fatal|error|warn|info|debug|trace|silent, got "${logLevel}"`);
  }
  const extract = parseExtract(r);
  const limits = parseLimits(r, extract);
  const config: Config = {
    dataDir,
    database: parseDatabase(r, dataDir),
    host: r.string('TOLLGATE_HOST', '0.0.0.0'),
    apiPort: r.int('TOLLGATE_API_PORT', 8080, 0, 65535),
    apiPrefixes: Object.freeze(parsePrefixes(r)),
    timeZone: parseTimeZone(r),
    secret,
    adminToken,
    requireRealName: r.bool('TOLLGATE_REQUIRE_REAL_NAME', false),
    logLevel,
    bodyLimit: r.int('TOLLGATE_BODY_LIMIT', 1_048_576, 1024, 64 * 1_048_576),
    batchMax: r.int('TOLLGATE_BATCH_MAX', 1000, 1, 100_000),
    rateLimitPerKey: r.int('TOLLGATE_RATE_LIMIT_PER_KEY', 100, 0, 1_000_000),
    rateLimitPerIp: r.int('TOLLGATE_RATE_LIMIT_PER_IP', 300, 0, 1_000_000),
    jwtTtlSeconds: r.int('TOLLGATE_JWT_TTL', 86_400, 60, 31_536_000),
    trustProxy: r.bool('TOLLGATE_TRUST_PROXY', false),
    passwordCacheSize: r.int('TOLLGATE_PASSWORD_CACHE_SIZE', 200_000, 0, 10_000_000),
    whiteIpMax: limits.whiteIps,
    limits,
    signIn: parseSignIn(r),
    extract,
    orderTtlMs: r.int('TOLLGATE_ORDER_TTL', 1800, 60, 30 * 86_400) * 1000,
    inviteDiscountPercent: r.int('TOLLGATE_INVITE_DISCOUNT_PERCENT', 10, 0, 100),
    gateway: parseGateway(r),
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return Object.freeze(config);
}

function definedOnly(env: Source): Source {
  const out: Source = {};
  // An empty variable means unset: it must not hide the config file's value.
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v.trim() !== '') out[k] = v;
  return out;
}

export { type ResolvedConfig, resolveSecrets } from './secrets.js';
