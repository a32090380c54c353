/**
 * Fastify plumbing: builds the HTTP API from already-wired services. Holds no
 * rules: customer routes mount once, every brand prefix mapped onto them, the admin API under
 * /admin, the OpenAPI document at /openapi.json and its viewer at /docs.
 * Every answer is serialized by its route's response schema (fast-json-stringify);
 * each surface plugin registers its own error handling and documentation.
 */
import compress from '@fastify/compress';
import cookie from '@fastify/cookie';
import formBody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type {
  ApiKeysService,
  QuotasService,
  SecondFactorsService,
  SubAccountsService,
  TokenService,
  UserLimitsService,
  UsersService,
  WebSessionsService,
  WhiteIpsService,
} from '../accounts/index.js';
import type { TeamsService } from '../teams/index.js';
import type { OperatorsService } from '../operators/index.js';
import type { AuditService } from '../audit/index.js';
import type { BalanceAdjustments } from '../billing/index.js';
import type { NodesService } from '../pool/index.js';
import type { PackagesService } from '../packages/index.js';
import type { StaticIpsService } from '../static-ips/index.js';
import type { PaymentsService } from '../billing/payments/index.js';
import type { CouponsService, GiftTiersService, PaymentMethodsService, ProductsService } from '../billing/catalogue/index.js';
import type { OrdersService } from '../billing/orders/index.js';
import type { AutoRenewalService } from '../billing/auto-renewal/index.js';
import type { UsageService } from '../usage/index.js';
import type { ExtractionService } from '../extraction/index.js';
import type { ResolvedConfig } from '../config/index.js';
import { AppError } from '../errors/index.js';
import { redactUrl } from '../log-redaction.js';
import { brandPrefixRewriter } from './brand-prefixes.js';
import { registerDocsPage } from './docs-page.js';
import { clientErrorHandler, frameworkErrorHandler, registerErrorHandling } from './plugins/errors.js';
import { refuseNonFiniteNumbers } from './plugins/finite-numbers.js';
import { multipartFields } from './plugins/multipart-fields.js';
import { KeyRateLimiter } from './plugins/key-rate-limit.js';
import { adminApi } from './routes/admin/index.js';
import type { LiveSource } from './routes/admin/console.js';
import { consoleSessionRoutes } from './routes/admin/session.js';
import { customerApi } from './routes/customer/index.js';
import { DASHBOARD_PREFIX, dashboardApi } from './routes/dashboard/index.js';
import { WEB_PREFIX, webRoutes } from './routes/web/index.js';
import { lazySchemaCompilers } from './schema-compilers.js';
import { loadWebApps, registerWebApps, type WebApps } from './web/apps.js';
import { registerSecurityHeaders } from './web/security.js';
import { paymentWebhookRoutes } from './routes/payments-webhook.js';
import { TimeFormatter } from '../time/time-format.js';
import type { InvoicesService } from '../billing/invoices/index.js';
import { AttemptGuard, FailureBudget } from '../throttle/index.js';
import type { GatewayDirectory } from '../cluster/gateway-directory.js';

export interface ApiServices {
  readonly users: UsersService;
  readonly subAccounts: SubAccountsService;
  readonly tokens: TokenService;
  readonly usage: UsageService;
  readonly nodes: NodesService;
  readonly staticIps: StaticIpsService;
  readonly packages: PackagesService;
  readonly whiteIps: WhiteIpsService;
  readonly extraction: ExtractionService;
  readonly payments: PaymentsService;
  readonly products: ProductsService;
  readonly paymentMethods: PaymentMethodsService;
  readonly coupons: CouponsService;
  readonly giftTiers: GiftTiersService;
  readonly orders: OrdersService;
  readonly limits: UserLimitsService;
  readonly teams: TeamsService;
  readonly apiKeys: ApiKeysService;
  readonly secondFactors: SecondFactorsService;
  readonly invoices: InvoicesService;
  readonly quotas: QuotasService;
  readonly autoRenewals: AutoRenewalService;
  readonly operators: OperatorsService;
  readonly audit: AuditService;
  readonly balances: BalanceAdjustments;
  readonly webSessions: WebSessionsService;
  /** The gateways serving the platform (GET /admin/gateways, `ep`): the Redis registry, or this process's own. */
  readonly gateways: GatewayDirectory;
}

export interface BuildApiOptions {
  readonly config: ResolvedConfig;
  readonly services: ApiServices;
  readonly logger: Logger;
  /** Prometheus text of the gateway running in this process, served at /metrics. */
  readonly metrics?: (() => Promise<string>) | undefined;
  /** The gateway's view of node health (ExitPool.isHealthy) when this process runs it. */
  readonly nodeHealth?: ((nodeId: number) => boolean | undefined) | undefined;
  /**
   * When the gateway runs in this process: resolves once it has applied every change committed so far
   * (ChangeFeed.sync). A request that may have changed something waits for it before its answer is sent, so a
   * client that uses what it was just given (a lease, a white IP, a new or enabled account) is never refused.
   */
  readonly applied?: (() => Promise<void>) | undefined;
  /** The gateway running in this process, for the console's live view (GET /admin/live). */
  readonly live?: LiveSource | undefined;
  /** Where customers connect to the proxy (the running gateway's address); else TOLLGATE_PUBLIC_HOST and the proxy port. */
  readonly proxyEndpoint?: (() => { host: string; port: number }) | undefined;
}

const HealthSchema = Type.Object({ status: Type.Literal('ok') });

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A read that changes what the gateway enforces (ip/v3's leases): answered once the gateway has applied it. */
    changes?: boolean;
  }
}

/** Whether a request may have changed what the gateway enforces: every write, and reads that lease (ip/v3). */
function mayChange(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return true;
  return request.routeOptions.config?.changes === true;
}

/**
 * The sign-in failure budgets of TOLLGATE_LOGIN_* and TOLLGATE_ADMIN_FAIL_PER_IP: auth/login per client address
 * and per email (a source that signed in to the email before is held to its own budget only), the admin token
 * per client address. One window of TOLLGATE_LOGIN_BLOCK_SECONDS counts failures and is how long a spent
 * budget refuses.
 */
export function signInGuards(config: ResolvedConfig): {
  loginGuard: AttemptGuard;
  codeGuard: AttemptGuard;
  adminGuard: AttemptGuard;
} {
  const { failPerEmail, failPerIp, adminFailPerIp, blockSeconds } = config.signIn;
  const window = { windowMs: blockSeconds * 1000, blockMs: blockSeconds * 1000 };
  return {
    loginGuard: new AttemptGuard({
      bySource: new FailureBudget({ max: failPerIp, ...window }),
      byAccount: new FailureBudget({ max: failPerEmail, ...window }),
    }),
    // Wrong second-factor codes, per user from every address together: TOLLGATE_LOGIN_FAIL_PER_EMAIL per window.
    codeGuard: new AttemptGuard({ bySource: new FailureBudget({ max: failPerEmail, ...window }) }),
    adminGuard: new AttemptGuard({ bySource: new FailureBudget({ max: adminFailPerIp, ...window }) }),
  };
}

export async function buildApi({
  config,
  services,
  logger,
  metrics,
  nodeHealth,
  applied,
  live,
  proxyEndpoint,
}: BuildApiOptions): Promise<FastifyInstance> {
  // Schemas compile on first use and, once listening, in the background: start-up does not wait for them.
  const schemas = lazySchemaCompilers();
  const app = Fastify({
    loggerInstance: logger.child(
      {},
      {
        serializers: {
          // originalUrl: what the client asked for, its brand prefix included (src/api/brand-prefixes.ts).
          req: (req: { method: string; url: string; originalUrl?: string; ip?: string }) => ({
            method: req.method,
            url: redactUrl(req.originalUrl ?? req.url),
            ip: req.ip,
          }),
        },
      },
    ) as FastifyBaseLogger,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    // HEAD is answered where a client may ask for it: /healthz, /metrics, /openapi.json, the docs and the web
    // consoles' pages and assets (each route says so). The JSON APIs' 170 GET routes do not each get a HEAD twin:
    // a third of all route registrations, about 20 ms of start-up (npm run bench:startup).
    exposeHeadRoutes: false,
    rewriteUrl: brandPrefixRewriter(config.apiPrefixes),
    clientErrorHandler,
    frameworkErrors: frameworkErrorHandler(config.bodyLimit),
    schemaController: { compilersFactory: schemas.factory },
    ajv: {
      customOptions: {
        // Form bodies and query strings carry text: "9" is the integer 9.
        coerceTypes: true,
        useDefaults: true,
        removeAdditional: false,
        allErrors: true,
      },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  schemas.warmAfterListen(app);

  // The root context: admin API, webhooks and unknown paths answer with the catalogue's HTTP status; a browser
  // navigating to a console's page gets the page (src/api/web/apps.ts).
  let webApps: WebApps | undefined;
  registerErrorHandling(app, {
    bodyLimit: config.bodyLimit,
    alwaysHttp200: false,
    notFoundFallback: (request, reply) => webApps?.fallback(request, reply) ?? false,
  });
  await registerSecurityHeaders(app);
  // Cookies: the portal's session (src/api/web/cookies.ts).
  await app.register(cookie);
  // Answers of 1 KiB and more are compressed for clients that ask (Accept-Encoding: browsers always do; curl
  // with --compressed): a 10,000-row sub-account list is 1.9 MB of JSON and 87 KB in gzip, for about 10 ms of the
  // server's CPU (Brotli's 25 KB costs three times that, so gzip is offered first). The hook is added to each
  // route after its own hooks, so the audit log and the like still read the JSON. Request bodies are never
  // decompressed (no client of these APIs sends compressed bodies).
  await app.register(compress, { encodings: ['gzip', 'br'], globalDecompression: false });

  if (applied) {
    // Read your own writes: anything but a read (and the reads that lease, like ip/v3) waits until the gateway
    // beside it has applied what the request committed.
    app.addHook('onSend', async (request) => {
      if (!mayChange(request)) return;
      await applied().catch((err: unknown) => request.log.warn({ err }, 'the gateway could not apply the change feed'));
    });
  }

  // JSON with an empty body (a POST whose parameters are all in the query) is `{}`.
  const defaultJson = app.getDefaultJsonParser('error', 'ignore');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, {});
    defaultJson(request, body as string, done);
  });
  await app.register(formBody, { bodyLimit: config.bodyLimit });
  // PHP's curl sends array POSTFIELDS as multipart/form-data: take its fields, refuse files.
  await app.register(multipart, { limits: { files: 0, fields: 100, parts: 100, fieldSize: config.bodyLimit } });
  app.addHook('preValidation', multipartFields);
  app.addHook('preHandler', refuseNonFiniteNumbers);
  // Some HTTP clients label JSON or form bodies text/plain: read them as what they hold.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (request, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, {});
    if (text.startsWith('{')) return defaultJson(request, text, done);
    done(null, Object.fromEntries(new URLSearchParams(text)));
  });

  if (config.rateLimitPerIp > 0) {
    await app.register(rateLimit, {
      max: config.rateLimitPerIp,
      timeWindow: 1000,
      hook: 'onRequest',
      errorResponseBuilder: (_request, context) =>
        new AppError('TG_ERR_RATE_LIMITED', {
          params: { after: context.after, seconds: Math.max(1, Math.ceil(context.ttl / 1000)) },
        }),
    });
  }

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Tollgate API',
        version: '0.1.0',
        description: `Customer API compatible with the published proxy-platform documents, mounted under each brand prefix (${config.apiPrefixes.join(', ')}): each customer operation is described once, its path relative to the \`{prefix}\` server variable. Operator API under /admin. Every customer answer is HTTP 200 with {code, msg, message, data}.`,
      },
      components: {
        securitySchemes: {
          appKey: { type: 'apiKey', in: 'query', name: 'app_key', description: 'Also accepted in a JSON or form body' },
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'From auth/login' },
          webSession: { type: 'apiKey', in: 'cookie', name: 'tg_session', description: 'The portal session (POST /web/session)' },
          adminToken: { type: 'http', scheme: 'bearer', description: 'The operator token (TOLLGATE_ADMIN_TOKEN)' },
          consoleSession: {
            type: 'apiKey',
            in: 'cookie',
            name: 'tollgate_console',
            description: 'An operator’s console session (POST /admin/session); writes also need X-CSRF-Token',
          },
        },
      },
    },
  });
  // Swagger UI, loaded when /docs is first opened (src/api/docs-page.ts).
  registerDocsPage(app);

  app.get('/openapi.json', { exposeHeadRoute: true, schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { exposeHeadRoute: true, schema: { hide: true, response: { 200: HealthSchema } } }, async () => ({
    status: 'ok' as const,
  }));
  if (metrics) {
    app.get('/metrics', { exposeHeadRoute: true, schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/plain; version=0.0.4; charset=utf-8').send(await metrics()),
    );
  }

  const time = new TimeFormatter(config.timeZone);
  const keyLimiter = new KeyRateLimiter(config.rateLimitPerKey);
  const { loginGuard, codeGuard, adminGuard } = signInGuards(config);
  // Once, under the first prefix; the others are rewritten onto it before routing (src/api/brand-prefixes.ts).
  await app.register(customerApi, {
    prefix: config.apiPrefixes[0],
    prefixes: config.apiPrefixes,
    bodyLimit: config.bodyLimit,
    ...services,
    time,
    keyLimiter,
    loginGuard,
    codeGuard,
    requireRealName: config.requireRealName,
  });
  // The newer release's dashboard API: Bearer tokens from its user/login.
  await app.register(dashboardApi, {
    prefix: DASHBOARD_PREFIX,
    bodyLimit: config.bodyLimit,
    ...services,
    keyLimiter,
    loginGuard,
    codeGuard,
    requireRealName: config.requireRealName,
    time,
  });
  await app.register(adminApi, {
    prefix: '/admin',
    adminToken: config.adminToken,
    guard: adminGuard,
    limits: services.limits,
    users: services.users,
    nodes: services.nodes,
    staticIps: services.staticIps,
    packages: services.packages,
    time,
    nodeHealth,
    payments: services.payments,
    products: services.products,
    paymentMethods: services.paymentMethods,
    coupons: services.coupons,
    giftTiers: services.giftTiers,
    teams: services.teams,
    secondFactors: services.secondFactors,
    invoices: services.invoices,
    operators: services.operators,
    audit: services.audit,
    balances: services.balances,
    subAccounts: services.subAccounts,
    whiteIps: services.whiteIps,
    usage: services.usage,
    live,
    gateways: services.gateways,
    now: Date.now,
  });
  // The operator console's sign-in, beside the admin API and outside its authentication.
  await app.register(consoleSessionRoutes, {
    prefix: '/admin',
    operators: services.operators,
    audit: services.audit,
    loginGuard,
    sessionTtlSeconds: config.consoleSessionTtlSeconds,
  });
  // The portal's sessions, sign-up and chart series (the web consoles).
  await app.register(webRoutes, {
    prefix: WEB_PREFIX,
    bodyLimit: config.bodyLimit,
    users: services.users,
    secondFactors: services.secondFactors,
    webSessions: services.webSessions,
    usage: services.usage,
    products: services.products,
    teams: services.teams,
    audit: services.audit,
    loginGuard,
    codeGuard,
    signupOpen: config.web.signupOpen,
    prefixes: config.apiPrefixes,
    timeZone: config.timeZone,
    proxyEndpoint: proxyEndpoint ?? (() => ({ host: config.extract.publicHost, port: config.gateway.port })),
  });
  // Payment providers' notifications: at the root, signed instead of authenticated.
  await app.register(paymentWebhookRoutes, { payments: services.payments });

  // The web consoles, when built (TOLLGATE_WEB_DIR): the portal at /, the operator console at /console.
  const pages = config.web.dir === undefined ? undefined : loadWebApps(config.web.dir);
  if (config.web.dir !== undefined && pages) {
    webApps = await registerWebApps(app, { dir: config.web.dir, pages, apiPrefixes: config.apiPrefixes });
  } else if (config.web.dir !== undefined) {
    app.log.warn({ dir: config.web.dir }, 'the web consoles are not built there (npm run build): serving the API alone');
  }

  return app;
}
