/**
 * Configuration: read once from the environment (and optionally a JSON file
 * named by TOLLGATE_CONFIG), validated as a whole, then frozen. Nothing else in
 * src/ reads process.env. Start-up fails listing every bad variable at once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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
  /** Lifetime of an operator console session (TOLLGATE_CONSOLE_SESSION_TTL), seconds. */
  readonly consoleSessionTtlSeconds: number;
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
  /** Auto-renewal: how long before expiry renewing starts, and the wait after a failed attempt (ms). */
  readonly autoRenew: { readonly leadMs: number; readonly retryMs: number };
  /** Percent off an invited user's first order (use_invitation_registration_discount); 0 turns it off. */
  readonly inviteDiscountPercent: number;
  readonly gateway: GatewayConfig;
  /** This installation's version (package.json), as gateways report it to the registry. */
  readonly version: string;
  /** Where sign-in codes are mailed from; undefined when TOLLGATE_SMTP_URL is unset (email codes off). */
  readonly smtp: SmtpConfig | undefined;
  /** The issuer of TOTP entries and the name in code emails (TOLLGATE_MFA_ISSUER). */
  readonly mfaIssuer: string;
  /** Who issues invoices: the lines printed at the top of an invoice (TOLLGATE_INVOICE_SELLER). */
  readonly invoiceSeller: readonly string[];
  /** The web consoles: where their build is, self sign-up, session life. */
  readonly web: WebConfig;
}

export interface WebConfig {
  /** Absolute path of the built consoles (dist/web), or undefined when TOLLGATE_WEB_DIR is `off`. */
  readonly dir: string | undefined;
  /** TOLLGATE_SIGNUP=open: the portal's sign-up page creates accounts. */
  readonly signupOpen: boolean;
  /** Idle life of a portal session, seconds. */
  readonly sessionTtlSeconds: number;
}

/** The mail server of email sign-in codes. */
export interface SmtpConfig {
  /** smtp:// or smtps:// URL, credentials included (never logged). */
  readonly url: string;
  readonly from: string;
  /** smtp:// only: refuse to send unless the server upgrades with STARTTLS. */
  readonly requireTls: boolean;
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
  /** Every cached account, user and package is re-read this often, whatever the change feed says. */
  readonly accountRevalidateMs: number;
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
  /** Live state shared with other gateways; undefined (TOLLGATE_REDIS_URL unset): this gateway alone. */
  readonly cluster: ClusterConfig | undefined;
  /** How this gateway names itself in the registry (and in `GET /admin/gateways` without Redis). */
  readonly identity: GatewayIdentity;
}

/** TOLLGATE_GATEWAY_ID, TOLLGATE_GATEWAY_REGION and TOLLGATE_GATEWAY_PUBLIC_HOST, read with or without Redis. */
export interface GatewayIdentity {
  readonly id: string;
  readonly region: string;
  readonly publicHost: string;
}

/** Several gateways on one platform: what they share in Redis and how this one is named. */
export interface ClusterConfig {
  /** Credentials included: never logged. */
  readonly redisUrl: string;
  readonly prefix: string;
  readonly gatewayId: string;
  readonly region: string;
  /** Host clients reach this gateway at (registry). */
  readonly publicHost: string;
  /** Bytes per quota a gateway may relay on its own while Redis is unreachable. */
  readonly localAllowanceBytes: number;
}

import { ConfigError } from './config-error.js';

export { ConfigError };

type Source = Record<string, string | undefined>;

import {
  type BoolVariableName,
  CONFIG_VARIABLES,
  type IntVariableName,
  type TextVariable,
  type TextVariableName,
  type VariableName,
  VARIABLES,
} from './variables.js';

export { CONFIG_VARIABLES, type VariableSpec, VARIABLES } from './variables.js';

/** Reads variables by name: defaults and bounds come from the table (variables.ts); problems are collected. */
class Reader {
  readonly problems: string[] = [];
  /** Every variable read, to check the table against the parser (tests/docs.test.ts). */
  readonly read = new Set<VariableName>();
  constructor(private readonly src: Source) {}

  raw(name: VariableName): string | undefined {
    this.read.add(name);
    const v = this.src[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  }

  /** The value, else `fallback` (a default derived from another variable), else the table's default. */
  string(name: TextVariableName, fallback?: string): string {
    const spec: TextVariable = VARIABLES[name];
    return this.raw(name) ?? fallback ?? spec.default ?? '';
  }

  /** The value, else `derived` (a default computed from other variables), else the table's default. */
  int(name: IntVariableName, derived?: number): number {
    const { min, max } = VARIABLES[name];
    const fallback = derived ?? VARIABLES[name].default;
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      this.problems.push(`${name}: expected an integer from ${min} to ${max}, got "${v}"`);
      return fallback;
    }
    return Number(v);
  }

  bool(name: BoolVariableName): boolean {
    const fallback = VARIABLES[name].default;
    const v = this.raw(name)?.toLowerCase();
    if (v === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(v)) return true;
    if (['0', 'false', 'no', 'off'].includes(v)) return false;
    this.problems.push(`${name}: expected a boolean (1/0, true/false, yes/no, on/off), got "${v}"`);
    return fallback;
  }

  fail(name: VariableName, reason: string): void {
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

/** Paths of other surfaces, which no brand prefix may take: the operator API, the dashboard API, the web consoles. */
const RESERVED_PATHS = ['/admin', '/web_v1', '/web', '/console', '/assets'];

function parsePrefixes(r: Reader): string[] {
  const value = r.string('TOLLGATE_API_PREFIXES');
  const prefixes = value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  // /admin and /web_v1 (the dashboard API) are surfaces of their own, as are the web consoles' paths.
  const bad = prefixes.filter((p) => !/^\/[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/.test(p) || RESERVED_PATHS.includes(p));
  if (prefixes.length === 0) r.fail('TOLLGATE_API_PREFIXES', 'at least one prefix is required');
  if (bad.length > 0)
    r.fail(
      'TOLLGATE_API_PREFIXES',
      `invalid prefix(es) ${bad.join(', ')}: each starts with "/", has no trailing "/", and is none of ${RESERVED_PATHS.join(', ')}`,
    );
  if (new Set(prefixes).size !== prefixes.length) r.fail('TOLLGATE_API_PREFIXES', 'prefixes repeat');
  return prefixes;
}

function parseTimeZone(r: Reader): string {
  const tz = r.string('TOLLGATE_TZ');
  // The default needs no check, and checking costs: the first Intl.DateTimeFormat of a process loads ICU's
  // calendar and zone data (tens of ms of every command's start-up).
  if (tz === 'UTC') return tz;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    r.fail('TOLLGATE_TZ', `unknown IANA time zone "${tz}"`);
    return 'UTC';
  }
  return tz;
}

function parseGateway(r: Reader): GatewayConfig {
  const blocked = r.string('TOLLGATE_BLOCKED_PORTS');
  const ports = blocked
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const badPorts = ports.filter((p) => !/^\d+$/.test(p) || Number(p) < 1 || Number(p) > 65535);
  if (badPorts.length > 0) r.fail('TOLLGATE_BLOCKED_PORTS', `expected comma-separated ports 1-65535, got ${badPorts.join(', ')}`);
  const healthTarget = r.string('TOLLGATE_HEALTH_TARGET');
  if (healthTarget !== '' && !/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(healthTarget)) {
    r.fail('TOLLGATE_HEALTH_TARGET', `expected host:port, got "${healthTarget}"`);
  }
  const slow = r.int('TOLLGATE_AUTH_FAIL_SLOW_AFTER');
  const block = r.int('TOLLGATE_AUTH_FAIL_BLOCK_AFTER');
  if (block < slow) r.fail('TOLLGATE_AUTH_FAIL_BLOCK_AFTER', 'must not be below TOLLGATE_AUTH_FAIL_SLOW_AFTER');
  const maxConnections = r.int('TOLLGATE_MAX_CONNECTIONS');
  const maxHandshakes = r.int('TOLLGATE_MAX_HANDSHAKES', Math.max(64, Math.floor(maxConnections / 4)));
  return Object.freeze({
    host: r.string('TOLLGATE_PROXY_HOST', r.string('TOLLGATE_HOST')),
    port: r.int('TOLLGATE_PROXY_PORT'),
    allowPrivateTargets: r.bool('TOLLGATE_ALLOW_PRIVATE_TARGETS'),
    blockedPorts: Object.freeze(badPorts.length > 0 ? [25] : ports.map(Number)),
    meterFlushMs: r.int('TOLLGATE_METER_FLUSH_MS'),
    changePollMs: r.int('TOLLGATE_CHANGE_POLL_MS'),
    accountRevalidateMs: r.int('TOLLGATE_ACCOUNT_REVALIDATE_MS'),
    handshakeTimeoutMs: r.int('TOLLGATE_HANDSHAKE_TIMEOUT_MS'),
    idleTimeoutMs: r.int('TOLLGATE_IDLE_TIMEOUT_MS'),
    connectTimeoutMs: r.int('TOLLGATE_CONNECT_TIMEOUT_MS'),
    maxHeaderBytes: r.int('TOLLGATE_MAX_HEADER_BYTES'),
    maxConnections,
    // Strangers still shaking hands get a pool of their own, so they never take an authenticated user's slot;
    // one address gets a quarter of it at most, so it cannot push everybody else's handshakes out alone.
    maxHandshakes,
    maxHandshakesPerIp: r.int('TOLLGATE_MAX_HANDSHAKES_PER_IP', Math.max(1, Math.min(1024, Math.floor(maxHandshakes / 4)))),
    healthIntervalMs: r.int('TOLLGATE_HEALTH_INTERVAL_MS'),
    healthTarget,
    authFailSlowAfter: slow,
    authFailBlockAfter: block,
    authFailPerName: r.int('TOLLGATE_AUTH_FAIL_PER_NAME'),
    authBlockSeconds: r.int('TOLLGATE_AUTH_BLOCK_SECONDS'),
    staticPort: r.int('TOLLGATE_STATIC_PORT'),
    extractHost: r.string('TOLLGATE_EXTRACT_HOST', r.string('TOLLGATE_PROXY_HOST', r.string('TOLLGATE_HOST'))),
    ...parseCluster(r),
  });
}

function parseCluster(r: Reader): { cluster: ClusterConfig | undefined; identity: GatewayIdentity } {
  const url = r.string('TOLLGATE_REDIS_URL', '');
  const prefix = r.string('TOLLGATE_REDIS_PREFIX');
  if (!/^[A-Za-z0-9:_-]{0,64}$/.test(prefix)) r.fail('TOLLGATE_REDIS_PREFIX', 'expected letters, digits and :_- (up to 64)');
  const gatewayId = r.string('TOLLGATE_GATEWAY_ID', `${hostname()}-${process.pid}`);
  if (!/^[A-Za-z0-9.:_-]{1,64}$/.test(gatewayId)) r.fail('TOLLGATE_GATEWAY_ID', 'expected letters, digits and .:_- (1 to 64)');
  const region = r.string('TOLLGATE_GATEWAY_REGION');
  if (!/^[a-z0-9_-]{0,32}$/.test(region)) r.fail('TOLLGATE_GATEWAY_REGION', 'expected a lower-case region name such as us');
  const localAllowanceBytes = r.int('TOLLGATE_LOCAL_ALLOWANCE_BYTES');
  const proxyHost = r.string('TOLLGATE_PROXY_HOST', r.string('TOLLGATE_HOST'));
  const fallbackHost = ['0.0.0.0', '::'].includes(proxyHost) ? '127.0.0.1' : proxyHost;
  const publicHost = r.string('TOLLGATE_GATEWAY_PUBLIC_HOST', r.string('TOLLGATE_PUBLIC_HOST', fallbackHost));
  const identity = Object.freeze({ id: gatewayId, region, publicHost });
  if (url === '') return { cluster: undefined, identity };
  if (!/^rediss?:\/\/./.test(url)) r.fail('TOLLGATE_REDIS_URL', 'expected redis://host:port or rediss://host:port');
  const cluster = Object.freeze({ redisUrl: url, prefix, gatewayId, region, publicHost, localAllowanceBytes });
  return { cluster, identity };
}

const HOST_NAME =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^\[?[0-9a-fA-F:.]+\]?$/;

function parseExtract(r: Reader): ExtractConfig {
  const range = r.string('TOLLGATE_EXTRACT_PORTS');
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
  const spec = r.string('TOLLGATE_EXTRACT_ENTRIES');
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
  const proxyHost = r.string('TOLLGATE_PROXY_HOST', r.string('TOLLGATE_HOST'));
  const publicHost = r.string('TOLLGATE_PUBLIC_HOST', ['0.0.0.0', '::'].includes(proxyHost) ? '127.0.0.1' : proxyHost);
  if (!HOST_NAME.test(publicHost)) r.fail('TOLLGATE_PUBLIC_HOST', `expected a host name or address, got "${publicHost}"`);
  const lifeMax = r.int('TOLLGATE_EXTRACT_LIFE_MAX');
  const lifeDefault = r.int('TOLLGATE_EXTRACT_LIFE_DEFAULT');
  if (lifeDefault > lifeMax) r.fail('TOLLGATE_EXTRACT_LIFE_DEFAULT', 'must not exceed TOLLGATE_EXTRACT_LIFE_MAX');
  return Object.freeze({
    ports,
    entries,
    publicHost,
    numMax: r.int('TOLLGATE_EXTRACT_NUM_MAX'),
    lifeDefault,
    lifeMax,
  });
}

function parseLimits(r: Reader, extract: ExtractConfig): UserLimitDefaults {
  // One customer must not be able to lease the whole range: a quarter of it at most by default, 20 at most.
  const range = extract.ports ? extract.ports.to - extract.ports.from + 1 : 80;
  return Object.freeze({
    subAccounts: r.int('TOLLGATE_SUB_ACCOUNT_MAX'),
    whiteIps: r.int('TOLLGATE_WHITE_IP_MAX'),
    extractLeases: r.int('TOLLGATE_EXTRACT_LEASE_MAX', Math.max(1, Math.min(20, Math.floor(range / 4)))),
    tunnelsPerUser: r.int('TOLLGATE_TUNNELS_PER_USER'),
    tunnelsPerAccount: r.int('TOLLGATE_TUNNELS_PER_ACCOUNT'),
  });
}

function parseSignIn(r: Reader): SignInThrottleConfig {
  return Object.freeze({
    failPerEmail: r.int('TOLLGATE_LOGIN_FAIL_PER_EMAIL'),
    failPerIp: r.int('TOLLGATE_LOGIN_FAIL_PER_IP'),
    adminFailPerIp: r.int('TOLLGATE_ADMIN_FAIL_PER_IP'),
    blockSeconds: r.int('TOLLGATE_LOGIN_BLOCK_SECONDS'),
  });
}

function parseSmtp(r: Reader): SmtpConfig | undefined {
  const url = r.string('TOLLGATE_SMTP_URL');
  const from = r.string('TOLLGATE_SMTP_FROM');
  const requireTls = r.bool('TOLLGATE_SMTP_REQUIRE_TLS');
  if (url === '') {
    if (from !== '') r.fail('TOLLGATE_SMTP_FROM', 'is set but TOLLGATE_SMTP_URL is not');
    return undefined;
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // Never echo the value: it may hold the mail password.
  }
  if (!parsed || !['smtp:', 'smtps:'].includes(parsed.protocol) || parsed.hostname === '') {
    r.fail('TOLLGATE_SMTP_URL', 'expected smtp://[user:pass@]host[:port] or smtps://…');
  }
  if (from === '' || !/[^\s@<]+@[^\s@>]+/.test(from))
    r.fail('TOLLGATE_SMTP_FROM', 'an address is required with TOLLGATE_SMTP_URL');
  return Object.freeze({ url, from, requireTls });
}

function parseIssuer(r: Reader): string {
  const issuer = r.string('TOLLGATE_MFA_ISSUER');
  // The issuer goes into otpauth:// URIs and mail subjects: one short line, no ':' (the URI's label separator).
  if (issuer.length > 64 || /[\u0000-\u001f\u007f:]/.test(issuer)) {
    r.fail('TOLLGATE_MFA_ISSUER', 'at most 64 characters, no control characters or ":"');
    return 'Tollgate';
  }
  return issuer;
}

/** The version in the installation's package.json ("unknown" when it cannot be read). */
function installedVersion(): string {
  try {
    const { version } = JSON.parse(readFileSync(join(installationDir(), 'package.json'), 'utf8')) as { version?: unknown };
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The installation's directory: the nearest one above this file holding package.json (src/ or dist/ alike). */
function installationDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

function parseWeb(r: Reader): WebConfig {
  const dir = r.raw('TOLLGATE_WEB_DIR');
  const signup = r.string('TOLLGATE_SIGNUP');
  if (signup !== 'open' && signup !== 'closed') r.fail('TOLLGATE_SIGNUP', `expected closed|open, got "${signup}"`);
  return {
    dir: dir === 'off' ? undefined : resolve(dir ?? join(installationDir(), 'dist', 'web')),
    signupOpen: signup === 'open',
    sessionTtlSeconds: r.int('TOLLGATE_WEB_SESSION_TTL'),
  };
}

function parseInvoiceSeller(r: Reader): string[] {
  const lines = r
    .string('TOLLGATE_INVOICE_SELLER')
    .split(/\\n|\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  // Printed with the PDF's built-in font, which has Latin-1 glyphs only.
  if (lines.length === 0 || lines.length > 8 || lines.some((l) => l.length > 120 || /[^\u0020-\u007e\u00a0-\u00ff]/.test(l))) {
    r.fail('TOLLGATE_INVOICE_SELLER', '1-8 lines (separated by \\n) of at most 120 Latin-1 characters');
    return ['Tollgate'];
  }
  return lines;
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
  const config = parse(r);
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return Object.freeze(config);
}

/** The variables parsing reads (all but TOLLGATE_CONFIG, which names the file the others may come from). */
export function variablesRead(): ReadonlySet<VariableName> {
  const r = new Reader({});
  parse(r);
  return r.read;
}

function parse(r: Reader): Config {
  const dataDir = resolve(r.string('TOLLGATE_DATA_DIR'));
  const secret = r.raw('TOLLGATE_SECRET');
  if (secret !== undefined && secret.length < 32) r.fail('TOLLGATE_SECRET', 'must be at least 32 characters');
  const adminToken = r.raw('TOLLGATE_ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < 24) r.fail('TOLLGATE_ADMIN_TOKEN', 'must be at least 24 characters');
  const logLevel = r.string('TOLLGATE_LOG_LEVEL');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    r.fail('TOLLGATE_LOG_LEVEL', `expected fatal|error|warn|info|debug|trace|silent, got "${logLevel}"`);
  }
  const extract = parseExtract(r);
  const limits = parseLimits(r, extract);
  const config: Config = {
    dataDir,
    database: parseDatabase(r, dataDir),
    host: r.string('TOLLGATE_HOST'),
    apiPort: r.int('TOLLGATE_API_PORT'),
    apiPrefixes: Object.freeze(parsePrefixes(r)),
    timeZone: parseTimeZone(r),
    secret,
    adminToken,
    requireRealName: r.bool('TOLLGATE_REQUIRE_REAL_NAME'),
    logLevel,
    bodyLimit: r.int('TOLLGATE_BODY_LIMIT'),
    batchMax: r.int('TOLLGATE_BATCH_MAX'),
    rateLimitPerKey: r.int('TOLLGATE_RATE_LIMIT_PER_KEY'),
    rateLimitPerIp: r.int('TOLLGATE_RATE_LIMIT_PER_IP'),
    jwtTtlSeconds: r.int('TOLLGATE_JWT_TTL'),
    consoleSessionTtlSeconds: r.int('TOLLGATE_CONSOLE_SESSION_TTL'),
    trustProxy: r.bool('TOLLGATE_TRUST_PROXY'),
    passwordCacheSize: r.int('TOLLGATE_PASSWORD_CACHE_SIZE'),
    whiteIpMax: limits.whiteIps,
    limits,
    signIn: parseSignIn(r),
    extract,
    orderTtlMs: r.int('TOLLGATE_ORDER_TTL') * 1000,
    inviteDiscountPercent: r.int('TOLLGATE_INVITE_DISCOUNT_PERCENT'),
    autoRenew: { leadMs: r.int('TOLLGATE_AUTO_RENEW_LEAD') * 1000, retryMs: r.int('TOLLGATE_AUTO_RENEW_RETRY') * 1000 },
    gateway: parseGateway(r),
    version: installedVersion(),
    smtp: parseSmtp(r),
    mfaIssuer: parseIssuer(r),
    invoiceSeller: parseInvoiceSeller(r),
    web: parseWeb(r),
  };
  return config;
}

function definedOnly(env: Source): Source {
  const out: Source = {};
  // An empty variable means unset: it must not hide the config file's value.
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v.trim() !== '') out[k] = v;
  return out;
}

export { type ResolvedConfig, resolveSecrets } from './secrets.js';
