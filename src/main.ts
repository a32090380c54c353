/**
 * Composition root: configuration → storage → migrations → domain services →
 * API and gateway. Everything else receives what it needs from here.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import {
  ApiKeysService,
  WebSessionsService,
  type Mailer,
  SecondFactorsService,
  SecretBox,
  SmtpMailer,
  SubAccountsRepository,
  SubAccountsService,
  TokenService,
  UserLimitsRepository,
  UserLimitsService,
  UsersRepository,
  UsersService,
  WhiteIpsService,
  QuotasService,
} from './accounts/index.js';
import type { ApiServices } from './api/server.js';
import { type ClusterConfig, loadConfig, type ResolvedConfig, resolveSecrets } from './config/index.js';
import { createLogger } from './logger.js';
import { TimeFormatter } from './time/time-format.js';
import { AccountDirectory, ChangeFeed, Meter, QuotaBook, UsageRepository, UsageService } from './usage/index.js';
import { ExitPool, GeoCatalogue, HealthChecker, NodesService, TargetPolicy } from './pool/index.js';
import { ExtractionService, LeaseBook } from './extraction/index.js';
import { PackagesRepository, PackagesService } from './packages/index.js';
import { EXTRACTION_TYPE } from './products/index.js';
import { PaymentsService } from './billing/payments/index.js';
import { buildProvisioners } from './billing/provisioners.js';
import { CouponsService, GiftTiersService, PaymentMethodsService, ProductsService } from './billing/catalogue/index.js';
import { OrderExpiry, orderCatalogue, OrdersService } from './billing/orders/index.js';
import { AutoRenewalScheduler, AutoRenewalService } from './billing/auto-renewal/index.js';
import type { Gateway, LiveSampler } from './gateway/index.js';
import { StaticExitBook, StaticIpsService } from './static-ips/index.js';
import { TeamsService } from './teams/index.js';
import { InvoicesService } from './billing/invoices/index.js';
import { OperatorsRepository, OperatorsService } from './operators/index.js';
import { AuditRepository, AuditService } from './audit/index.js';
import { BalanceAdjustments } from './billing/index.js';
import { once } from 'node:events';
import { join } from 'node:path';
import type { GatewayStatus, SharedStore } from './cluster/index.js';
import { GatewayDirectory } from './cluster/gateway-directory.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { migrateToLatest, type OpenOptions, openStorage, type Storage } from './storage/index.js';

export interface Platform {
  readonly config: ResolvedConfig;
  readonly storage: Storage;
  readonly services: ApiServices;
  readonly logger: Logger;
  /** Sub-account passwords at rest (shared with the gateway's account directory). */
  readonly passwords: SecretBox;
  readonly time: TimeFormatter;
  readonly now: () => number;
  close(): Promise<void>;
}

export interface OpenPlatformOptions {
  readonly logger?: Logger;
  readonly storage?: OpenOptions;
  /** Clock for every service (tests pass their own). */
  readonly now?: () => number;
  /** How sign-in codes are mailed; default: SMTP per TOLLGATE_SMTP_URL, none when it is unset. */
  readonly mailer?: Mailer;
}

/** Opens storage, applies pending migrations and wires the services. */
export async function openPlatform(config: ResolvedConfig, options: OpenPlatformOptions = {}): Promise<Platform> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const storage = await openStorage(config.database, options.storage);
  try {
    const { applied } = await migrateToLatest(storage);
    if (applied.length > 0) logger.info({ applied }, 'database migrated');
  } catch (err) {
    await storage.close();
    throw err;
  }
  const closers: (() => void)[] = [];
  try {
    const now = options.now ?? Date.now;
    const box = new SecretBox(config.secret, 'sub-account-password', config.passwordCacheSize);
    const time = new TimeFormatter(config.timeZone);
    const nodes = new NodesService(storage.db, new SecretBox(config.secret, 'exit-node-url'), { now });
    const staticIps = new StaticIpsService(storage.db, storage.caps, new SecretBox(config.secret, 'static-ip-url', 1000), {
      now,
    });
    const packages = new PackagesService(storage.db, time, { now });
    const provisioners = buildProvisioners({ packages, staticIps });
    const catalogue = {
      products: new ProductsService(storage.db, { now }),
      paymentMethods: new PaymentMethodsService(storage.db, new SecretBox(config.secret, 'payment-secret'), { now }),
      coupons: new CouponsService(storage.db, storage.caps, { now }),
      giftTiers: new GiftTiersService(storage.db, storage.caps, { now }),
    };
    const limits = new UserLimitsService(storage.db, config.limits, { now });
    // Which gateways serve the platform: the Redis registry (connected on first use), or this process's own.
    const gateways = new GatewayDirectory(config.gateway.cluster, logger, now);
    const mailer = options.mailer ?? (config.smtp ? new SmtpMailer(config.smtp) : undefined);
    closers.push(() => mailer?.close());
    const orders = new OrdersService(
      { db: storage.db, caps: storage.caps, catalogue: orderCatalogue(catalogue), provisioners, staticIps, time },
      { orderTtlMs: config.orderTtlMs, inviteDiscountPercent: config.inviteDiscountPercent, now },
    );
    const services: ApiServices = {
      ...catalogue,
      orders,
      users: new UsersService(new UsersRepository(storage.db), storage.caps, now),
      subAccounts: new SubAccountsService(storage.db, storage.caps, box, { batchMax: config.batchMax, limits, now }),
      tokens: new TokenService(config.secret, config.jwtTtlSeconds, now),
      usage: new UsageService(storage.db, time, now),
      nodes,
      staticIps,
      packages,
      whiteIps: new WhiteIpsService(storage.db, storage.caps, { limits, now }),
      extraction: new ExtractionService(storage.db, config.extract, new GeoCatalogue(nodes), nodes, limits, {
        now,
        registry: gateways,
      }),
      gateways,
      limits,
      payments: new PaymentsService(storage.db, storage.caps, provisioners, catalogue.paymentMethods, { now, logger }),
      teams: new TeamsService(storage.db, storage.caps, { now }),
      quotas: new QuotasService(storage.db, limits),
      autoRenewals: new AutoRenewalService(
        { db: storage.db, orders, balanceMethodId: async () => (await catalogue.paymentMethods.ensureBalanceMethod()).id },
        { ...config.autoRenew, logger, now },
      ),
      apiKeys: new ApiKeysService(storage.db, { now }),
      invoices: new InvoicesService(storage.db, storage.caps, time, { seller: config.invoiceSeller, now }),
      operators: new OperatorsService(new OperatorsRepository(storage.db), storage.caps, {
        now,
        sessionTtlMs: config.consoleSessionTtlSeconds * 1000,
      }),
      audit: new AuditService(new AuditRepository(storage.db), { now }),
      balances: new BalanceAdjustments(storage.db, { now }),
      webSessions: new WebSessionsService(storage.db, config.web.sessionTtlSeconds, { now }),
      secondFactors: new SecondFactorsService(storage.db, storage.caps, {
        box: new SecretBox(config.secret, 'totp-secret'),
        secret: config.secret,
        mailer,
        issuer: config.mfaIssuer,
        logger,
        now,
      }),
    };
    // The built-in balance payment method exists from the start (payment/groups lists it, orders name its id).
    await services.paymentMethods.ensureBalanceMethod();
    const close = async () => {
      for (const closer of closers) closer();
      await gateways.close();
      await storage.close();
    };
    return { config, storage, services, logger, passwords: box, time, now, close };
  } catch (err) {
    for (const closer of closers) closer();
    await storage.close();
    throw err;
  }
}

export interface RunningServer {
  readonly api: FastifyInstance;
  readonly apiUrl: string;
  close(): Promise<void>;
}

/** Starts the HTTP API on the configured host and port (with /metrics when given the gateway's). */
export async function startApi(platform: Platform, gateway?: RunningGateway): Promise<RunningServer> {
  const registry = gateway?.gateway.metrics.registry;
  // With Redis, the API's /metrics also shows every registered gateway (loaded only then: prom-client and Redis).
  const gateways = platform.services.gateways;
  const cluster = gateways.clustered
    ? (await import('./cluster/gateway-metrics.js')).gatewayRegistryMetrics(gateways)
    : undefined;
  const metrics =
    registry || cluster
      ? async () => (registry ? await registry.metrics() : '') + (cluster ? await cluster.metrics() : '')
      : undefined;
  // Loaded here, not at the top: one-shot CLI commands open the platform without Fastify.
  const { buildApi } = await import('./api/server.js');
  const api = await buildApi({
    config: platform.config,
    services: platform.services,
    logger: platform.logger,
    metrics,
    nodeHealth: gateway ? (id) => gateway.pool.isHealthy(id) : undefined,
    applied: gateway ? () => gateway.feed.sync() : undefined,
    live: gateway ? { snapshot: () => gateway.live.snapshot(), exits: () => gateway.pool.members() } : undefined,
    proxyEndpoint: gateway ? () => ({ host: platform.config.extract.publicHost, port: gateway.address.port }) : undefined,
  });
  try {
    await api.listen({ host: platform.config.host, port: platform.config.apiPort });
  } catch (err) {
    await api.close();
    throw err;
  }
  const address = api.server.address();
  const port = typeof address === 'object' && address ? address.port : platform.config.apiPort;
  // The gateway must never dial the API it runs beside.
  gateway?.policy.protect({ host: platform.config.host, port });
  const host = ['0.0.0.0', '::'].includes(platform.config.host) ? '127.0.0.1' : platform.config.host;
  // Unpaid orders close where the API runs (roles api and all); a second API process running it too is harmless.
  const expiry = startOrderExpiry(platform);
  // Packages marked for auto-renewal renew where the API runs too (two API processes renew nothing twice).
  const renewals = new AutoRenewalScheduler(platform.services.autoRenewals, { logger: platform.logger });
  renewals.start();
  return {
    api,
    apiUrl: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    async close() {
      await expiry.stop();
      await renewals.stop();
      await api.close();
    },
  };
}

/** Closes pending orders past TOLLGATE_ORDER_TTL: once now, then every 30 s, until stop(). */
export function startOrderExpiry(platform: Platform): OrderExpiry {
  const { storage, services, logger, now } = platform;
  const expiry = new OrderExpiry({ db: storage.db, caps: storage.caps, catalogue: orderCatalogue(services), logger, now });
  expiry.start();
  return expiry;
}

/** Configuration from the environment, with secrets resolved from the data directory. */
export function configFromEnv(env: Record<string, string | undefined> = process.env): ResolvedConfig {
  return resolveSecrets(loadConfig(env));
}

export interface RunningGateway {
  /** The main entry (TOLLGATE_PROXY_PORT); its registry holds the connections of every entry. */
  readonly gateway: Gateway;
  /** The static-IP entry (TOLLGATE_STATIC_PORT). */
  readonly staticGateway: Gateway;
  /** The extraction ports, when TOLLGATE_EXTRACT_PORTS is not off. */
  readonly extractionGateway: Gateway | undefined;
  readonly staticAddress: AddressInfo;
  readonly policy: TargetPolicy;
  readonly address: AddressInfo;
  readonly directory: AccountDirectory;
  readonly quotas: QuotaBook;
  readonly pool: ExitPool;
  readonly meter: Meter;
  readonly feed: ChangeFeed;
  readonly health: HealthChecker;
  /** The live state shared with other gateways, when TOLLGATE_REDIS_URL is set. */
  readonly shared: SharedStore | undefined;
  /** This process's gateway, sampled each second for the console's live view (GET /admin/live). */
  readonly live: LiveSampler;
  close(): Promise<void>;
}

export interface StartGatewayOptions {
  /** Add a `direct://` node when there is none (what `serve` does on a fresh data directory). */
  readonly ensureDefaultNode?: boolean;
  /** Other local endpoints the gateway must never dial (the API's port). */
  readonly protect?: readonly { host: string; port: number }[];
}

/**
 * Starts the proxy entry with everything it needs: the account directory kept
 * fresh by the change feed, the meter, the exit pool and its health checks.
 * close() stops accepting, closes every tunnel and flushes the meter.
 */
export async function startGateway(platform: Platform, options: StartGatewayOptions = {}): Promise<RunningGateway> {
  const { config, storage, logger, now } = platform;
  const g = config.gateway;
  // Loaded here, not at the top: one-shot CLI commands open the platform without the gateway.
  const {
    ConnectionRegistry,
    EXTRACTION_ENTRY_PRODUCT_TYPES,
    ExtractionAdmissions,
    ExtractionEntry,
    Gateway,
    LiveSampler,
    MAIN_ENTRY_PRODUCT_TYPES,
    proxyAuthGuard,
    STATIC_ENTRY_PRODUCT_TYPES,
    StaticEntry,
  } = await import('./gateway/index.js');
  if (options.ensureDefaultNode) {
    const added = await platform.services.nodes.ensureDefaultNode();
    if (added) logger.info({ node: added.id }, 'no exit nodes: added direct:// (replace it with `tollgate nodes add`)');
  }
  // What closes connections (limits reached, accounts revoked, static IPs ended): shared by every entry, and
  // given to everything that enforces.
  const registry = new ConnectionRegistry(logger);
  // Several gateways: quota leases, connection slots and sessions shared in Redis (cluster/, docs/cluster.md).
  const cluster = g.cluster ? await openCluster(g.cluster, logger) : undefined;
  const quotas = new QuotaBook(new PackagesRepository(storage.db), registry, {
    now,
    ...(cluster ? { leases: cluster.quotas, warn: cluster.warn } : {}),
  });
  const directory = new AccountDirectory(
    {
      subAccounts: new SubAccountsRepository(storage.db, storage.caps),
      users: new UsersRepository(storage.db),
      limits: new UserLimitsRepository(storage.db),
      box: platform.passwords,
      quotas,
      closer: registry,
      usage: new UsageRepository(storage.db),
      tunnels: cluster?.tunnels,
      daily: cluster?.daily,
    },
    {
      tunnels: { perUser: config.limits.tunnelsPerUser, perAccount: config.limits.tunnelsPerAccount },
      time: platform.time,
      now,
    },
  );
  const policy = new TargetPolicy({
    allowPrivateTargets: g.allowPrivateTargets,
    blockedPorts: g.blockedPorts,
    own: options.protect ?? [],
  });
  const pool = new ExitPool({
    source: platform.services.nodes,
    policy,
    connectTimeoutMs: g.connectTimeoutMs,
    logger,
    now,
    ...(cluster ? { sharedSessions: cluster.sessions } : {}),
  });
  await pool.reload();
  const feed = new ChangeFeed(storage.db, storage.caps, g.changePollMs, logger, now);
  if (storage.listenForChanges) {
    const subscribe = storage.listenForChanges;
    await feed.wakeOn(subscribe).catch((err) => logger.warn({ err }, 'LISTEN for changes failed; polling only'));
  }
  // Each flush re-reads the quotas whose packages expired or started (and so does the sweep below, every second).
  // Each flush is applied once (usage_flushes); what cannot be written waits in the spool, replayed at start.
  const meter = new Meter(storage.db, storage.caps, directory, quotas, platform.time, g.meterFlushMs, logger, now, {
    gatewayId: g.cluster?.gatewayId ?? 'local',
    spoolDir: join(config.dataDir, 'usage-spool'),
    onApplied: (draws, own) => quotas.applied(draws, own),
    onApplying: (done) => quotas.flushing(done),
  });
  const health = new HealthChecker({
    pool,
    target: g.healthTarget,
    intervalMs: g.healthIntervalMs,
    timeoutMs: g.connectTimeoutMs,
    logger,
  });
  const gateway = new Gateway({
    config: g,
    accounts: directory,
    exits: pool,
    productTypes: MAIN_ENTRY_PRODUCT_TYPES,
    logger,
    now,
    registry,
    // Login failures counted across gateways too, with a shared store (docs/cluster.md).
    guard: proxyAuthGuard(g, now, cluster?.failures),
  });
  feed.onChanges((changes) => directory.apply(changes));
  feed.onChanges(async (changes) => {
    const users = changes.filter((c) => c.entity === 'user_package').map((c) => c.entityId);
    if (users.length > 0) await quotas.reloadUsers(users);
  });
  feed.onChanges(async (changes) => {
    if (changes.some((c) => c.entity === 'exit_node')) await pool.reload();
  });
  gateway.metrics.gauge(
    'tollgate_gateway_connections_by_phase',
    'Proxy connections open now: still in their handshake (TOLLGATE_MAX_HANDSHAKES) or authenticated (TOLLGATE_MAX_CONNECTIONS)',
    ['phase'],
    () => [
      { labels: { phase: 'handshake' }, value: gateway.admission.handshaking },
      { labels: { phase: 'authenticated' }, value: gateway.admission.authenticated },
    ],
  );
  gateway.metrics.gauge('tollgate_exit_nodes', 'Exit nodes in the selection, by health', ['state'], () => {
    const members = pool.members();
    const healthy = members.filter((m) => m.healthy).length;
    return [
      { labels: { state: 'healthy' }, value: healthy },
      { labels: { state: 'unhealthy' }, value: members.length - healthy },
    ];
  });
  // The other entries share the registry, so closing an account's connections reaches every port, and the
  // connection slots and login budgets, so neither can be multiplied by spreading over ports.
  const staticExits = new StaticExitBook(platform.services.staticIps, registry, {
    policy,
    connectTimeoutMs: g.connectTimeoutMs,
    now,
  });
  const staticGateway = new Gateway({
    config: { ...g, port: g.staticPort },
    accounts: directory,
    exits: pool,
    productTypes: STATIC_ENTRY_PRODUCT_TYPES,
    logger,
    now,
    registry,
    admission: gateway.admission,
    guard: gateway.guard,
    metrics: gateway.metrics,
    rules: new StaticEntry(staticExits),
  });
  feed.onChanges((changes) => staticExits.apply(changes));

  let extraction: { gateway: Gateway; leases: LeaseBook } | undefined;
  const range = config.extract.ports;
  if (range) {
    const admissions = new ExtractionAdmissions(logger);
    const leases = new LeaseBook(storage.db, platform.services.whiteIps, admissions, { ports: range, now });
    await leases.load();
    const rules = new ExtractionEntry({
      leases,
      admissions,
      forUser: (userId, productType) => directory.forUser(userId, productType),
      connectVia: (nodeId, route, target, signal) => pool.connectVia(nodeId, route, target, signal),
      productType: EXTRACTION_TYPE,
    });
    feed.onChanges((changes) => leases.apply(changes));
    const ports: number[] = [];
    for (let p = range.from; p <= range.to; p++) ports.push(p);
    extraction = {
      leases,
      gateway: new Gateway({
        config: g,
        accounts: directory,
        exits: pool,
        productTypes: EXTRACTION_ENTRY_PRODUCT_TYPES,
        logger,
        now,
        registry,
        admission: gateway.admission,
        guard: gateway.guard,
        metrics: gateway.metrics,
        rules,
        listenOn: { host: g.extractHost, ports },
      }),
    };
  }
  // Leases, static allocations and packages that end, and local days (daily limits), are noticed within a second.
  const sweep = setInterval(() => {
    directory.rollDays();
    directory.shareDays();
    extraction?.leases.sweep();
    staticExits.sweep();
    quotas.reloadDue().catch((err) => logger.error({ err }, 'package expiry check failed; will retry'));
    quotas.returnIdle();
    quotas.shareBandwidth();
  }, 1000);
  sweep.unref();
  // Behind the feed, a second line: everything held in memory is re-read now and then (bounded staleness).
  let revalidating = false;
  const revalidate = setInterval(() => {
    if (revalidating) return;
    revalidating = true;
    const users = directory.knownUsers();
    directory
      .revalidate()
      .then(() => quotas.reloadUsers(users, false))
      .catch((err) => logger.error({ err }, 'revalidating held accounts failed; will retry'))
      .finally(() => {
        revalidating = false;
      });
  }, g.accountRevalidateMs);
  revalidate.unref();

  const live = new LiveSampler(registry, gateway.metrics, { now });
  await feed.start();
  meter.start();
  health.start();
  const startedAt = now();
  const ports = { proxy: 0, static: 0 };
  // What this gateway reports to the registry (and GET /admin/gateways without Redis), from its live stats.
  const status = (): GatewayStatus => ({
    id: g.identity.id,
    region: g.identity.region,
    host: g.identity.publicHost,
    proxyPort: ports.proxy,
    staticPort: ports.static,
    extractPorts: range ? { from: range.from, to: range.to } : null,
    version: config.version,
    ...live.current(),
    startedAt,
  });
  platform.services.gateways.attachLocal(status);
  // In the registry before the first connection: other gateways count this run's leases only while it is alive.
  if (cluster) await cluster.startHeartbeat(status);
  live.start();
  let address: AddressInfo;
  let staticAddress: AddressInfo;
  const started: Gateway[] = [];
  try {
    address = await gateway.listen();
    ports.proxy = address.port;
    started.push(gateway);
    policy.protect({ host: address.address, port: address.port });
    staticAddress = await staticGateway.listen();
    ports.static = staticAddress.port;
    started.push(staticGateway);
    policy.protect({ host: staticAddress.address, port: staticAddress.port });
    if (extraction && range) {
      await extraction.gateway.listen().catch((err: Error) => {
        throw new Error(`${err.message} (TOLLGATE_EXTRACT_PORTS=${range.from}-${range.to}: choose a free range, or "off")`, {
          cause: err,
        });
      });
      started.push(extraction.gateway);
      for (let p = range.from; p <= range.to; p++) policy.protect({ host: g.extractHost, port: p });
    }
  } catch (err) {
    clearInterval(sweep);
    clearInterval(revalidate);
    health.stop();
    live.stop();
    for (const entry of started) await entry.close();
    await meter.stop();
    await feed.stop();
    await cluster?.close();
    throw err;
  }
  await cluster?.beat();
  return {
    gateway,
    staticGateway,
    extractionGateway: extraction?.gateway,
    shared: cluster?.store,
    policy,
    address,
    staticAddress,
    directory,
    quotas,
    pool,
    meter,
    feed,
    health,
    live,
    async close() {
      clearInterval(sweep);
      clearInterval(revalidate);
      health.stop();
      live.stop();
      await feed.stop();
      for (const entry of started) await entry.close();
      await meter.stop();
      await cluster?.close();
    },
  };
}

/** Connects to Redis and builds the shared parts; close() leaves the registry and disconnects. */
async function openCluster(config: ClusterConfig, logger: Logger) {
  // Loaded here, not at the top: a single gateway never loads the Redis client.
  const { GatewayHeartbeat, RedisDailyUsage, RedisFailures, RedisSessions, RedisTunnels, SharedQuotas, SharedStore } =
    await import('./cluster/index.js');
  const store = new SharedStore(config, logger);
  await store.connect();
  let warnedAt = 0;
  let heartbeat: InstanceType<typeof GatewayHeartbeat> | undefined;
  return {
    store,
    quotas: new SharedQuotas(store, config.localAllowanceBytes),
    sessions: new RedisSessions(store),
    failures: new RedisFailures(store),
    tunnels: new RedisTunnels(store),
    daily: new RedisDailyUsage(store),
    /** Failures of the shared store on the hot path's side: logged at most every 5 s. */
    warn(err: unknown, what: string): void {
      const t = Date.now();
      if (t - warnedAt < 5_000) return;
      warnedAt = t;
      logger.warn({ err, what }, 'shared state unreachable: serving from local slices and allowances');
    },
    async startHeartbeat(status: () => GatewayStatus): Promise<void> {
      heartbeat = new GatewayHeartbeat(store, status, logger);
      await heartbeat.start();
    },
    /** Reports at once (the ports are known now). */
    async beat(): Promise<void> {
      await heartbeat?.beat();
    },
    async close(): Promise<void> {
      await heartbeat?.stop();
      await store.close();
    },
  };
}

/** For `--role gateway`: /metrics and /healthz alone, on the API's host and port. */
export async function startMetrics(
  platform: Platform,
  metrics: () => Promise<string>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/metrics') {
      metrics().then(
        (text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text),
        () => res.writeHead(500).end(),
      );
    } else if (req.method === 'GET' && req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else res.writeHead(404).end();
  });
  server.listen(platform.config.apiPort, platform.config.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = ['0.0.0.0', '::'].includes(platform.config.host) ? '127.0.0.1' : platform.config.host;
  return { url: `http://${host}:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
