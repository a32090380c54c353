/**
 * Every configuration variable, in one table: its kind, default, bounds and meaning. config/index.ts reads each
 * variable through this table (defaults and bounds are nowhere else), and docs/configuration.md is generated from
 * it (`npm run docs`; tests/docs.test.ts fails when the page and the table disagree).
 *
 * To add a variable: an entry here (the docs say what it does, its unit and what 0 or "off" means), then read it
 * in config/index.ts with r.int / r.bool / r.text, then `npm run docs`.
 */

export type VariableGroup = 'platform' | 'gateway' | 'extraction';

interface Common {
  readonly group: VariableGroup;
  /** What it does, for the reference: one or two sentences of Markdown. */
  readonly doc: string;
  /** The default as the reference shows it, when it is not a plain value (derived from another variable, generated). */
  readonly defaultDoc?: string;
}

export interface IntVariable extends Common {
  readonly kind: 'int';
  readonly default: number;
  readonly min: number;
  readonly max: number;
}

export interface BoolVariable extends Common {
  readonly kind: 'bool';
  readonly default: boolean;
}

export interface TextVariable extends Common {
  readonly kind: 'text';
  /** Undefined: unset unless given (a secret generated when missing, an optional feature). */
  readonly default?: string;
  /** What values are accepted, for the reference (Markdown). */
  readonly accepts?: string;
}

export type VariableSpec = IntVariable | BoolVariable | TextVariable;

export const VARIABLES = {
  TOLLGATE_CONFIG: {
    group: 'platform',
    kind: 'text',
    accepts: 'a file path',
    doc: 'A JSON file of `{"VARIABLE": value}` holding any of the variables below; the environment wins over it.',
  },
  TOLLGATE_DATA_DIR: {
    group: 'platform',
    kind: 'text',
    default: './data',
    accepts: 'a directory',
    doc: 'Data directory: the SQLite database and the generated `secret.key` and `admin-token` (see [Operations](operations.md#backups)).',
  },
  DATABASE_URL: {
    group: 'platform',
    kind: 'text',
    defaultDoc: 'SQLite at `$TOLLGATE_DATA_DIR/tollgate.db`',
    accepts: '`postgres://user:pass@host:5432/db` or `sqlite:/path/file.db`',
    doc: 'The database: PostgreSQL, or an SQLite file elsewhere than the data directory.',
  },
  TOLLGATE_HOST: {
    group: 'platform',
    kind: 'text',
    default: '0.0.0.0',
    accepts: 'an address',
    doc: 'Address the API listens on.',
  },
  TOLLGATE_API_PORT: {
    group: 'platform',
    kind: 'int',
    default: 8080,
    min: 0,
    max: 65535,
    doc: 'API port (0 picks a free port).',
  },
  TOLLGATE_API_PREFIXES: {
    group: 'platform',
    kind: 'text',
    default: '/gateway,/end-point,/api-gate-way,/pub,/developers',
    accepts: 'comma-separated paths, each starting with `/`, none of `/admin`, `/web_v1`, `/web`, `/console`, `/assets`',
    doc: 'The brands’ path prefixes; the customer API is mounted under each (see [Customer API](customer-api.md)). `/developers` is the newer release’s prefix ([Newer API](newer-api.md)).',
  },
  TOLLGATE_TZ: {
    group: 'platform',
    kind: 'text',
    default: 'UTC',
    accepts: 'an IANA time zone',
    doc: 'Time zone of `Y-m-d H:i:s` times in answers, of daily usage and of usage hours.',
  },
  TOLLGATE_SECRET: {
    group: 'platform',
    kind: 'text',
    defaultDoc: 'generated into `$TOLLGATE_DATA_DIR/secret.key` (0600)',
    accepts: '≥ 32 characters',
    doc: 'Key material for what is encrypted at rest (sub-account passwords, exit node URLs, payment secrets) and for login tokens. Back it up: without it stored passwords cannot be read.',
  },
  TOLLGATE_ADMIN_TOKEN: {
    group: 'platform',
    kind: 'text',
    defaultDoc: 'generated into `$TOLLGATE_DATA_DIR/admin-token` (0600)',
    accepts: '≥ 24 characters',
    doc: 'Bearer token of the admin API.',
  },
  TOLLGATE_REQUIRE_REAL_NAME: {
    group: 'platform',
    kind: 'bool',
    default: false,
    doc: 'When on, users not real-name verified get code 156 on write operations.',
  },
  TOLLGATE_LOG_LEVEL: {
    group: 'platform',
    kind: 'text',
    default: 'info',
    accepts: '`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`',
    doc: 'Log level (JSON logs on standard output; human-readable on a terminal).',
  },
  TOLLGATE_BODY_LIMIT: {
    group: 'platform',
    kind: 'int',
    default: 1_048_576,
    min: 1024,
    max: 64 * 1_048_576,
    doc: 'Largest request body in bytes (code 413 beyond).',
  },
  TOLLGATE_BATCH_MAX: {
    group: 'platform',
    kind: 'int',
    default: 1000,
    min: 1,
    max: 100_000,
    doc: 'Most accounts one batch request may name (code 2003 beyond).',
  },
  TOLLGATE_RATE_LIMIT_PER_KEY: {
    group: 'platform',
    kind: 'int',
    default: 100,
    min: 0,
    max: 1_000_000,
    doc: 'Requests per second per user (app_key or login token); 0 turns it off (code 429).',
  },
  TOLLGATE_RATE_LIMIT_PER_IP: {
    group: 'platform',
    kind: 'int',
    default: 300,
    min: 0,
    max: 1_000_000,
    doc: 'Requests per second per client address, every route; 0 turns it off (code 429).',
  },
  TOLLGATE_JWT_TTL: {
    group: 'platform',
    kind: 'int',
    default: 86_400,
    min: 60,
    max: 31_536_000,
    doc: 'Lifetime of login tokens, seconds.',
  },
  TOLLGATE_TRUST_PROXY: {
    group: 'platform',
    kind: 'bool',
    default: false,
    doc: 'Take the client address from `X-Forwarded-For` (only behind a reverse proxy you trust).',
  },
  TOLLGATE_PASSWORD_CACHE_SIZE: {
    group: 'platform',
    kind: 'int',
    default: 200_000,
    min: 0,
    max: 10_000_000,
    doc: 'Decrypted sub-account passwords kept in memory (0 disables the cache).',
  },
  TOLLGATE_WHITE_IP_MAX: {
    group: 'platform',
    kind: 'int',
    default: 20,
    min: 1,
    max: 10_000,
    doc: 'Most whitelisted IPs per user (code 6103 beyond); overrides per user: `tollgate users limits`.',
  },
  TOLLGATE_SUB_ACCOUNT_MAX: {
    group: 'platform',
    kind: 'int',
    default: 10_000,
    min: 1,
    max: 10_000_000,
    doc: 'Most sub-accounts per user, all product types together (code 2004); overrides per user: `tollgate users limits`.',
  },
  TOLLGATE_LOGIN_FAIL_PER_EMAIL: {
    group: 'platform',
    kind: 'int',
    default: 10,
    min: 1,
    max: 1_000_000,
    doc: 'Failed `auth/login` attempts for one email, from any address, per window before it is refused (code 1005). Addresses that signed in to it before keep their own budget.',
  },
  TOLLGATE_LOGIN_FAIL_PER_IP: {
    group: 'platform',
    kind: 'int',
    default: 50,
    min: 1,
    max: 1_000_000,
    doc: 'Failed `auth/login` attempts from one address per window before it is refused (code 1005).',
  },
  TOLLGATE_ADMIN_FAIL_PER_IP: {
    group: 'platform',
    kind: 'int',
    default: 10,
    min: 1,
    max: 1_000_000,
    doc: 'Failed admin-token attempts from one address per window before it is refused (code 1005).',
  },
  TOLLGATE_LOGIN_BLOCK_SECONDS: {
    group: 'platform',
    kind: 'int',
    default: 900,
    min: 1,
    max: 86_400,
    doc: 'The window those sign-in failures are counted in, and how long a refused email or address then waits, seconds.',
  },
  // Operator console (web-console).
  TOLLGATE_CONSOLE_SESSION_TTL: {
    group: 'platform',
    kind: 'int',
    default: 43_200,
    min: 300,
    max: 2_592_000,
    doc: 'Lifetime of an operator console session (the `tollgate_console` cookie from `POST /admin/session`), seconds.',
  },
  TOLLGATE_SMTP_URL: {
    group: 'platform',
    kind: 'text',
    default: '',
    accepts: '`smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://user:pass@host:465`',
    doc: 'The mail server that sends sign-in codes (the `email` second factor, see [Newer API](newer-api.md#multi-factor-sign-in)); unset: email codes are off (code 1010). Holds a password: keep it out of logs.',
  },
  TOLLGATE_SMTP_FROM: {
    group: 'platform',
    kind: 'text',
    default: '',
    accepts: '`Tollgate <no-reply@example.com>`',
    doc: 'Sender of those emails; required with `TOLLGATE_SMTP_URL`.',
  },
  TOLLGATE_SMTP_REQUIRE_TLS: {
    group: 'platform',
    kind: 'bool',
    default: true,
    doc: 'Refuse to send over `smtp://` unless the server upgrades with STARTTLS; off only for a mail relay on loopback or a trusted network.',
  },
  TOLLGATE_MFA_ISSUER: {
    group: 'platform',
    kind: 'text',
    default: 'Tollgate',
    accepts: 'a short name',
    doc: 'The issuer authenticator apps show beside a TOTP entry (your brand), and the name in sign-in code emails.',
  },
  TOLLGATE_ORDER_TTL: {
    group: 'platform',
    kind: 'int',
    default: 1800,
    min: 60,
    max: 30 * 86_400,
    doc: 'Seconds a pending order waits for payment before it closes (status 2).',
  },
  TOLLGATE_INVITE_DISCOUNT_PERCENT: {
    group: 'platform',
    kind: 'int',
    default: 10,
    min: 0,
    max: 100,
    doc: 'Percent off an invited user’s first paid order when it asks (`use_invitation_registration_discount`); 0 turns it off.',
  },
  // Auto-renewal of packages (the newer release, issue 17).
  TOLLGATE_AUTO_RENEW_LEAD: {
    group: 'platform',
    kind: 'int',
    default: 86_400,
    min: 60,
    max: 30 * 86_400,
    doc: 'Seconds before a package marked for auto-renewal expires when renewing it from the balance starts; the renewal starts when the package ends.',
  },
  TOLLGATE_AUTO_RENEW_RETRY: {
    group: 'platform',
    kind: 'int',
    default: 3600,
    min: 1,
    max: 86_400,
    doc: 'Seconds between attempts when a renewal failed (short of balance, say); attempts stop when the package ends unrenewed.',
  },
  // Web consoles (the customer portal at /, the operator console at /console).
  TOLLGATE_WEB_DIR: {
    group: 'platform',
    kind: 'text',
    defaultDoc: '`dist/web` of the installation (built by `npm ci` / `npm run build`)',
    accepts: 'a directory, or `off`',
    doc: 'The built web consoles the API serves at `/` and `/console` (see [Web consoles](web-consoles.md)); `off` serves none.',
  },
  TOLLGATE_SIGNUP: {
    group: 'platform',
    kind: 'text',
    default: 'closed',
    accepts: '`closed` or `open`',
    doc: 'Whether people can create their own account on the portal’s sign-up page (`open`), with the rules of `tollgate users create`.',
  },
  TOLLGATE_WEB_SESSION_TTL: {
    group: 'platform',
    kind: 'int',
    default: 43_200,
    min: 300,
    max: 2_592_000,
    doc: 'Seconds a portal sign-in lasts without being used; each use extends it. Signing out or changing the password ends it.',
  },
  // Invoices: what the operator's issued invoices show.
  TOLLGATE_INVOICE_SELLER: {
    group: 'platform',
    kind: 'text',
    default: 'Tollgate',
    accepts: 'text; `\\n` separates lines',
    doc: 'Who issues invoices, as printed at the top of each invoice PDF: name, then address or tax number lines (`\\n` between them). Latin-1 characters only (the PDF’s built-in font).',
  },
  TOLLGATE_PROXY_HOST: {
    group: 'gateway',
    kind: 'text',
    defaultDoc: '`TOLLGATE_HOST`',
    accepts: 'an address',
    doc: 'Address of the proxy entry.',
  },
  TOLLGATE_PROXY_PORT: {
    group: 'gateway',
    kind: 'int',
    default: 7777,
    min: 0,
    max: 65535,
    doc: 'Proxy port: HTTP, CONNECT and SOCKS5 together (0 picks a free port).',
  },
  TOLLGATE_STATIC_PORT: {
    group: 'gateway',
    kind: 'int',
    default: 7778,
    min: 0,
    max: 65535,
    doc: 'Static-IP entry (product types 14 and 25; HTTP, CONNECT and SOCKS5; 0 picks a free port).',
  },
  TOLLGATE_ALLOW_PRIVATE_TARGETS: {
    group: 'gateway',
    kind: 'bool',
    default: false,
    doc: 'Let targets be loopback, private or reserved addresses (development and tests only).',
  },
  TOLLGATE_BLOCKED_PORTS: {
    group: 'gateway',
    kind: 'text',
    default: '25',
    accepts: 'comma-separated ports',
    doc: 'Target ports always refused (code 4006).',
  },
  TOLLGATE_METER_FLUSH_MS: {
    group: 'gateway',
    kind: 'int',
    default: 1000,
    min: 50,
    max: 60_000,
    doc: 'How often metered bytes are written to the database, ms.',
  },
  TOLLGATE_CHANGE_POLL_MS: {
    group: 'gateway',
    kind: 'int',
    default: 250,
    min: 20,
    max: 60_000,
    doc: 'How often the gateway reads the change feed (disables, deletes, passwords, limits, nodes), ms; on PostgreSQL a NOTIFY wakes it at once.',
  },
  TOLLGATE_ACCOUNT_REVALIDATE_MS: {
    group: 'gateway',
    kind: 'int',
    default: 60_000,
    min: 1_000,
    max: 86_400_000,
    doc: 'How often the gateway re-reads every account, user and package it holds in memory, ms: a second line of defence behind the change feed, so a change it never delivered is enforced within this long.',
  },
  TOLLGATE_HANDSHAKE_TIMEOUT_MS: {
    group: 'gateway',
    kind: 'int',
    default: 10_000,
    min: 100,
    max: 600_000,
    doc: 'Time a client has to finish the proxy handshake, ms (code 4009).',
  },
  TOLLGATE_IDLE_TIMEOUT_MS: {
    group: 'gateway',
    kind: 'int',
    default: 300_000,
    min: 1000,
    max: 86_400_000,
    doc: 'A connection with no traffic this long is closed, ms.',
  },
  TOLLGATE_CONNECT_TIMEOUT_MS: {
    group: 'gateway',
    kind: 'int',
    default: 10_000,
    min: 100,
    max: 600_000,
    doc: 'Time to reach a target through an exit, ms (code 4204).',
  },
  TOLLGATE_MAX_HEADER_BYTES: {
    group: 'gateway',
    kind: 'int',
    default: 16_384,
    min: 1024,
    max: 1_048_576,
    doc: 'Largest HTTP request head, bytes (code 4010).',
  },
  TOLLGATE_MAX_CONNECTIONS: {
    group: 'gateway',
    kind: 'int',
    default: 50_000,
    min: 1,
    max: 10_000_000,
    doc: 'Most authenticated proxy connections (code 4013 beyond); connections still in their handshake are counted apart.',
  },
  TOLLGATE_MAX_HANDSHAKES: {
    group: 'gateway',
    kind: 'int',
    default: 12_500,
    defaultDoc: 'a quarter of `TOLLGATE_MAX_CONNECTIONS`, at least 64',
    min: 1,
    max: 10_000_000,
    doc: 'Most connections still in their handshake, all addresses together; when full, the oldest gives way to a newcomer. Strangers never take an authenticated user’s slot.',
  },
  TOLLGATE_MAX_HANDSHAKES_PER_IP: {
    group: 'gateway',
    kind: 'int',
    default: 1024,
    defaultDoc: 'a quarter of `TOLLGATE_MAX_HANDSHAKES`, at most 1024',
    min: 1,
    max: 10_000_000,
    doc: 'Most connections in their handshake from one client address (code 4013 beyond).',
  },
  TOLLGATE_HEALTH_TARGET: {
    group: 'gateway',
    kind: 'text',
    default: '',
    accepts: '`host:port`',
    doc: 'Dialled through every exit to probe it; unset: no active probing.',
  },
  TOLLGATE_HEALTH_INTERVAL_MS: {
    group: 'gateway',
    kind: 'int',
    default: 30_000,
    min: 100,
    max: 86_400_000,
    doc: 'Probe interval, ms.',
  },
  TOLLGATE_AUTH_FAIL_SLOW_AFTER: {
    group: 'gateway',
    kind: 'int',
    default: 5,
    min: 1,
    max: 1_000_000,
    doc: 'Failed proxy logins from one address within a minute before each further attempt waits 1 s.',
  },
  TOLLGATE_AUTH_FAIL_BLOCK_AFTER: {
    group: 'gateway',
    kind: 'int',
    default: 20,
    min: 1,
    max: 1_000_000,
    doc: 'Failed proxy logins from one address within a minute before the address is refused (code 4004); not below `TOLLGATE_AUTH_FAIL_SLOW_AFTER`.',
  },
  TOLLGATE_AUTH_BLOCK_SECONDS: {
    group: 'gateway',
    kind: 'int',
    default: 300,
    min: 1,
    max: 86_400,
    doc: 'How long such an address stays refused, seconds.',
  },
  TOLLGATE_AUTH_FAIL_PER_NAME: {
    group: 'gateway',
    kind: 'int',
    default: 30,
    min: 1,
    max: 1_000_000,
    doc: 'Failed proxy logins for one sub-account name, from any address, within a minute before the name is refused (code 4018). Addresses that signed in to the name before keep their own budget.',
  },
  TOLLGATE_TUNNELS_PER_USER: {
    group: 'gateway',
    kind: 'int',
    default: 10_000,
    min: 1,
    max: 10_000_000,
    doc: 'Most open connections of all of a user’s sub-accounts together (code 4019); overrides per user: `tollgate users limits`.',
  },
  TOLLGATE_TUNNELS_PER_ACCOUNT: {
    group: 'gateway',
    kind: 'int',
    default: 10_000,
    min: 1,
    max: 10_000_000,
    doc: 'Most open connections of one sub-account (code 4019); overrides per user: `tollgate users limits`.',
  },
  // Several gateways sharing live quotas (cluster: docs/cluster.md).
  TOLLGATE_REDIS_URL: {
    group: 'gateway',
    kind: 'text',
    accepts: '`redis://[user:pass@]host:6379[/db]`',
    doc: 'Redis holding the live state several gateways share (quota leases, type-11 concurrency, sticky sessions, the gateway registry); set it on API processes too, which read the registry. Unset: a single gateway keeps it all in memory, as before. See [Cluster](cluster.md).',
  },
  TOLLGATE_REDIS_PREFIX: {
    group: 'gateway',
    kind: 'text',
    default: 'tollgate:',
    accepts: 'letters, digits and `:_-`, up to 64',
    doc: 'Prefix of every Redis key, so several platforms (or test runs) can share one Redis.',
  },
  TOLLGATE_GATEWAY_ID: {
    group: 'gateway',
    kind: 'text',
    defaultDoc: 'the host name and the process id',
    accepts: 'letters, digits and `.:_-`, up to 64',
    doc: 'This gateway’s name in the registry and in its usage flushes (`tollgate gateways list`).',
  },
  TOLLGATE_GATEWAY_REGION: {
    group: 'gateway',
    kind: 'text',
    default: '',
    accepts: 'an `ep` region such as `us`, or empty',
    doc: 'The entry region this gateway serves; `ip/v3` with `ep` names the alive registered gateways of that region ([Cluster](cluster.md#the-gateway-registry)).',
  },
  TOLLGATE_GATEWAY_PUBLIC_HOST: {
    group: 'gateway',
    kind: 'text',
    defaultDoc: '`TOLLGATE_PUBLIC_HOST`',
    accepts: 'a host name or address',
    doc: 'The host clients reach this gateway at, as the registry lists it.',
  },
  TOLLGATE_LOCAL_ALLOWANCE_BYTES: {
    group: 'gateway',
    kind: 'int',
    default: 67_108_864,
    min: 0,
    max: 1_099_511_627_776,
    doc: 'While Redis is unreachable, the bytes per account and package a gateway may still relay on its own beyond its slices (0: none), reconciled when Redis returns; the worst overshoot of an outage.',
  },
  TOLLGATE_EXTRACT_PORTS: {
    group: 'extraction',
    kind: 'text',
    default: '20000-20099',
    accepts: '`FROM-TO` or `off`',
    doc: 'Ports leased by `ip/v3`; `off` turns extraction off (code 6207).',
  },
  TOLLGATE_EXTRACT_HOST: {
    group: 'extraction',
    kind: 'text',
    defaultDoc: '`TOLLGATE_PROXY_HOST`',
    accepts: 'an address',
    doc: 'Address the extraction ports listen on.',
  },
  TOLLGATE_EXTRACT_ENTRIES: {
    group: 'extraction',
    kind: 'text',
    default: '',
    accepts: '`us=us.proxy.example.com,hk=hk.proxy.example.com`',
    doc: 'Entry regions for `ep`; unset: every answer names `TOLLGATE_PUBLIC_HOST` and `ep` is ignored. With Redis, the registered gateways of a region come first; its entry here is used while none is alive.',
  },
  TOLLGATE_PUBLIC_HOST: {
    group: 'extraction',
    kind: 'text',
    defaultDoc: 'the proxy host, or `127.0.0.1` when that is a wildcard',
    accepts: 'a host name or address',
    doc: 'Host name in `ip/v3` answers when no entry regions are configured.',
  },
  TOLLGATE_EXTRACT_NUM_MAX: {
    group: 'extraction',
    kind: 'int',
    default: 200,
    min: 1,
    max: 10_000,
    doc: 'Most endpoints one `ip/v3` call returns (`num`).',
  },
  TOLLGATE_EXTRACT_LEASE_MAX: {
    group: 'extraction',
    kind: 'int',
    default: 20,
    defaultDoc: 'a quarter of the range, at most 20',
    min: 1,
    max: 65_535,
    doc: 'Most extraction ports one user holds at once (code 6208); overrides per user: `tollgate users limits`.',
  },
  TOLLGATE_EXTRACT_LIFE_DEFAULT: {
    group: 'extraction',
    kind: 'int',
    default: 10,
    min: 1,
    max: 10_080,
    doc: 'Minutes an extracted endpoint keeps its exit when `life` is not given; not above `TOLLGATE_EXTRACT_LIFE_MAX`.',
  },
  TOLLGATE_EXTRACT_LIFE_MAX: {
    group: 'extraction',
    kind: 'int',
    default: 1440,
    min: 1,
    max: 10_080,
    doc: 'Largest `life` accepted, minutes.',
  },
} as const satisfies Record<string, VariableSpec>;

export type VariableName = keyof typeof VARIABLES;
type NamesOfKind<K extends VariableSpec['kind']> = {
  [N in VariableName]: (typeof VARIABLES)[N]['kind'] extends K ? N : never;
}[VariableName];
export type IntVariableName = NamesOfKind<'int'>;
export type BoolVariableName = NamesOfKind<'bool'>;
export type TextVariableName = NamesOfKind<'text'>;

/** Every variable the platform reads. */
export const CONFIG_VARIABLES = Object.keys(VARIABLES) as readonly VariableName[];
