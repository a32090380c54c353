/**
 * Fastify plumbing: builds the HTTP API from already-wired services. Holds no
 * rules: customer routes mount once per brand prefix, the admin API under
 * /admin, the OpenAPI document at /openapi.json and its viewer at /docs.
 */
import formBody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { SubAccountsService, TokenService, UsersService, WhiteIpsService } from '../accounts/index.js';
import type { NodesService } from '../pool/index.js';
import type { PackagesService } from '../packages/index.js';
import type { StaticIpsService } from '../static-ips/index.js';
import type { PaymentsService } from '../billing/payments/index.js';
import type { CouponsService, GiftTiersService, PaymentMethodsService, ProductsService } from '../billing/catalogue/index.js';
import type { OrdersService } from '../billing/orders/index.js';
import type { UsageService } from '../usage/index.js';
import type { ExtractionService } from '../extraction/index.js';
import type { ResolvedConfig } from '../config/index.js';
import { AppError } from '../errors/index.js';
import { registerErrorHandling } from './plugins/errors.js';
import { KeyRateLimiter } from './plugins/key-rate-limit.js';
import { adminApi } from './routes/admin/index.js';
import { customerApi } from './routes/customer/index.js';
import { lazySchemaCompilers } from './schema-compilers.js';
import { paymentWebhookRoutes } from './routes/payments-webhook.js';
import { TimeFormatter } from '../time/time-format.js';

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
}

export interface BuildApiOptions {
  readonly config: ResolvedConfig;
  readonly services: ApiServices;
  readonly logger: Logger;
  /** Prometheus text of the gateway running in this process, served at /metrics. */
  readonly metrics?: (() => Promise<string>) | undefined;
  /** The gateway's view of node health (ExitPool.isHealthy) when this process runs it. */
  readonly nodeHealth?: ((nodeId: number) => boolean | undefined) | undefined;
}

/** Removes credentials from a URL before it is logged. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:app_key|password|token)=)[^&#]*/gi, '$1[redacted]');
}

export async function buildApi({ config, services, logger, metrics, nodeHealth }: BuildApiOptions): Promise<FastifyInstance> {
  // Schemas compile on first use and, once listening, in the background: start-up does not wait for them.
  const schemas = lazySchemaCompilers();
  const app = Fastify({
    loggerInstance: logger.child(
      {},
      {
        serializers: {
          req: (req: { method: string; url: string; ip?: string }) => ({
            method: req.method,
            url: redactUrl(req.url),
            ip: req.ip,
          }),
        },
      },
    ) as FastifyBaseLogger,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
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

  registerErrorHandling(app, { customerPrefixes: config.apiPrefixes, bodyLimit: config.bodyLimit });
  // Response schemas document the API; handlers build exact objects. JSON.stringify is 4× faster than the
  // schema-compiled serializer on string-heavy answers (a 10,000-account list: 8 ms against 35 ms).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  // JSON with an empty body (a POST whose parameters are all in the query) is `{}`.
  const defaultJson = app.getDefaultJsonParser('error', 'ignore');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, {});
    defaultJson(request, body as string, done);
  });
  await app.register(formBody, { bodyLimit: config.bodyLimit });
  // PHP's curl sends array POSTFIELDS as multipart/form-data: take its fields, refuse files.
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { files: 0, fields: 100, parts: 100, fieldSize: config.bodyLimit },
  });
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
        description: `Customer API compatible with the published proxy-platform documents, mounted under ${config.apiPrefixes.join(', ')}; operator API under /admin. Every customer answer is HTTP 200 with {code, msg, message, data}.`,
      },
      components: {
        securitySchemes: {
          appKey: { type: 'apiKey', in: 'query', name: 'app_key', description: 'Also accepted in a JSON or form body' },
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'From auth/login' },
          adminToken: { type: 'http', scheme: 'bearer', description: 'The operator token (TOLLGATE_ADMIN_TOKEN)' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  // Security requirements in the document, per surface.
  app.addHook('onRoute', (route) => {
    const url = route.url;
    const schema = (route.schema ?? {}) as Record<string, unknown>;
    if (schema.hide) return;
    // A copy: route schemas are shared module constants, and other app instances read them too.
    if (url.startsWith('/admin')) route.schema = { ...schema, security: [{ adminToken: [] }] };
    else if (url.startsWith('/payments/')) route.schema = { ...schema, security: [] };
    else if (!url.endsWith('/auth/login')) route.schema = { ...schema, security: [{ appKey: [] }, { bearer: [] }] };
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  if (metrics) {
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
      reply.type('text/plain; version=0.0.4; charset=utf-8').send(await metrics()),
    );
  }

  const time = new TimeFormatter(config.timeZone);
  const keyLimiter = new KeyRateLimiter(config.rateLimitPerKey);
  for (const prefix of config.apiPrefixes) {
    await app.register(customerApi, {
      prefix,
      ...services,
      time,
      keyLimiter,
      requireRealName: config.requireRealName,
    });
  }
  await app.register(adminApi, {
    prefix: '/admin',
    adminToken: config.adminToken,
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
  });
  // Payment providers' notifications: at the root, signed instead of authenticated.
  await app.register(paymentWebhookRoutes, { payments: services.payments });

  return app;
}
