import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';

const PREFIXES = ['/gateway', '/end-point', '/api-gate-way', '/pub', '/developers'];

const CUSTOMER_ROUTES: [string, 'get' | 'post'][] = [
  ['whitelist-account/list', 'get'],
  ['whitelist-account/add', 'post'],
  ['whitelist-account/delete', 'post'],
  ['whitelist-account/disable', 'post'],
  ['whitelist-account/enable', 'post'],
  ['whitelist-account/change-password', 'post'],
  ['whitelist-account/change-remark', 'post'],
  ['whitelist-account/change-limit', 'post'],
  ['proxy-account/change', 'post'],
  ['user/info', 'get'],
  ['auth/login', 'post'],
  ['user-usage-flow/total', 'get'],
  ['static-ip-region', 'get'],
  ['ip/static-ip-region', 'get'],
  ['ip/get-static-ip', 'get'],
  ['white-ip/list', 'get'],
  ['white-ip/add', 'post'],
  ['white-ip/delete', 'post'],
  ['whitelist-account/quota', 'get'],
  ['whitelist-account/quotas', 'get'],
  ['white-ip/quota', 'get'],
  ['white-ip/quotas', 'get'],
  ['proxy-ip/list', 'get'],
  ['proxy-ip/add', 'post'],
  ['proxy-ip/delete', 'post'],
  ['user-usage-flow/flow-total', 'get'],
  ['user-product/get-auto-renewal', 'post'],
  ['user-product/set-auto-renewal', 'post'],
  ['user-product/auto-renewal-logs', 'post'],
  ['ip/dynamic-citys', 'get'],
  ['ip/dynamic-citys/search', 'get'],
  ['ip/dynamic-states', 'get'],
  ['ip/dynamic-states/search', 'get'],
  ['ip/v3', 'get'],
  ['user-product/list', 'get'],
  ['user-product/summary', 'get'],
  ['payment/groups', 'get'],
  ['activity/balance-recharge-gift-ratio', 'get'],
  ['order/create', 'post'],
  ['order/close', 'post'],
  ['order/list', 'get'],
  ['order/check', 'post'],
  ['order/info', 'get'],
  ['pay/pay-check', 'post'],
  ['pay', 'post'],
  ['product', 'get'],
  ['host-pool/regions', 'get'],
  ['ip/dcl4', 'get'],
  ['ip/dsl4', 'get'],
  ['ip/dal4', 'get'],
  ['payment/list', 'get'],
  ['user-invoice/list', 'get'],
  ['user-invoice/add', 'post'],
  ['user-invoice/update', 'post'],
  ['user-invoice/delete', 'post'],
  ['user-invoice/record-list', 'get'],
  ['user-invoice/statistics', 'get'],
  ['user-invoice/invoiceable-orders', 'get'],
  ['user-invoice/apply', 'post'],
  ['user-invoice/cancel', 'post'],
  ['user-invoice/download', 'get'],
  ['team/list', 'get'],
  ['team/detail', 'get'],
  ['team/assets', 'get'],
  ['team/wallet/detail', 'get'],
  ['team/wallet/records', 'get'],
  ['api-keys', 'get'],
  ['api-keys/create', 'post'],
  ['api-keys/update', 'post'],
  ['api-keys/revoke', 'post'],
];

/** The dashboard API (newer release), once at /web_v1, Bearer tokens. */
const DASHBOARD_ROUTES: [string, string[]][] = [
  ['/web_v1/user/login', ['post']],
  ['/web_v1/user/info', ['get']],
  ['/web_v1/order/info', ['post']],
  ['/web_v1/pay', ['post']],
  ['/web_v1/ip/get-ip-v3', ['get']],
  ['/web_v1/user/mfa', ['get']],
  ['/web_v1/user/mfa/totp/setup', ['post']],
  ['/web_v1/user/mfa/totp/enable', ['post']],
  ['/web_v1/user/mfa/email/send', ['post']],
  ['/web_v1/user/mfa/email/enable', ['post']],
  ['/web_v1/user/mfa/disable', ['post']],
];

const ADMIN_ROUTES: [string, string[]][] = [
  ['/admin/users', ['get', 'post']],
  ['/admin/users/{id}', ['get', 'patch']],
  ['/admin/users/{id}/rotate-key', ['post']],
  ['/admin/users/{id}/limits', ['get', 'patch']],
  ['/admin/users/{id}/sub-accounts', ['get']],
  ['/admin/users/{id}/sub-accounts/{account}', ['patch']],
  ['/admin/nodes', ['get', 'post']],
  ['/admin/nodes/{id}', ['delete', 'get', 'patch']],
  ['/admin/nodes/{id}/enable', ['post']],
  ['/admin/nodes/{id}/disable', ['post']],
  ['/admin/static-ips', ['get', 'post']],
  ['/admin/static-ips/{id}', ['delete', 'patch']],
  ['/admin/users/{id}/static-ips', ['post']],
  ['/admin/static-ip-allocations/{id}/release', ['post']],
  ['/admin/static-ip-allocations/{id}/renew', ['post']],
  ['/admin/users/{id}/packages', ['get', 'post']],
  ['/admin/packages/{id}', ['delete']],
  ['/admin/products', ['get', 'post']],
  ['/admin/products/{id}', ['get', 'patch']],
  ['/admin/products/{id}/disable', ['post']],
  ['/admin/products/{id}/skus', ['post']],
  ['/admin/products/{id}/skus/{sku_id}', ['delete', 'patch']],
  ['/admin/payment-methods', ['get', 'post']],
  ['/admin/payment-methods/{id}', ['get', 'patch']],
  ['/admin/payment-methods/{id}/rotate-secret', ['post']],
  ['/admin/coupons', ['get', 'post']],
  ['/admin/coupons/{id}', ['get', 'patch']],
  ['/admin/gift-tiers', ['get', 'post']],
  ['/admin/gift-tiers/{id}', ['delete', 'patch']],
  ['/admin/orders', ['get']],
  ['/admin/orders/{id}/mark-paid', ['post']],
  ['/admin/orders/{id}/refund', ['post']],
  ['/admin/invoices', ['get']],
  ['/admin/invoices/{id}', ['get']],
  ['/admin/invoices/{id}/issue', ['post']],
  ['/admin/invoices/{id}/reject', ['post']],
  ['/admin/invoices/{id}/void', ['post']],
  ['/admin/invoices/{id}/pdf', ['get']],
  ['/admin/users/{id}/mfa/reset', ['post']],
  ['/admin/teams', ['get', 'post']],
  ['/admin/teams/{team_id}', ['get', 'patch']],
  ['/admin/teams/{team_id}/members', ['post']],
  ['/admin/teams/{team_id}/members/{user_id}', ['delete', 'patch']],
  ['/admin/teams/{team_id}/owner', ['post']],
  ['/admin/operators', ['get']],
  ['/admin/audit', ['get']],
  ['/admin/live', ['get']],
  ['/admin/gateways', ['get']],
  ['/admin/users/{id}/detail', ['get']],
  ['/admin/users/{id}/ledger', ['get']],
  ['/admin/users/{id}/balance', ['post']],
  ['/admin/users/{id}/status', ['post']],
  ['/admin/users/{id}/password', ['post']],
];

/** The operator console's sign-in, beside the admin API: no credentials needed to call it. */
const CONSOLE_SESSION_METHODS = ['delete', 'get', 'post'];

/** The portal's own routes (web consoles), at /web. */
const WEB_ROUTES: [string, string[]][] = [
  ['/web/session', ['get', 'post']],
  ['/web/session/end', ['post']],
  ['/web/sign-up', ['post']],
  ['/web/usage', ['get']],
  ['/web/products', ['get']],
  ['/web/app-key', ['get']],
  ['/web/app-key/rotate', ['post']],
];

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

let tp: TestPlatform;
let doc: any;

before(async () => {
  tp = await startTestPlatform('sqlite');
  const res = await tp.app.inject({ method: 'GET', url: '/openapi.json' });
  assert.equal(res.statusCode, 200, res.body);
  assert.match(String(res.headers['content-type']), /^application\/json/);
  doc = res.json();
});

after(async () => {
  await tp?.close();
});

function methodsOf(path: string): string[] {
  return Object.keys(doc.paths[path] ?? {})
    .filter((k) => HTTP_METHODS.includes(k))
    .sort();
}

describe('/openapi.json', () => {
  it('is a valid OpenAPI 3.0 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc);
    assert.deepEqual(result, { valid: true }, JSON.stringify(result.errors, null, 2));
    assert.equal(validator.version, '3.0');
    assert.equal(doc.openapi, '3.0.3');
    assert.equal(doc.info.title, 'Tollgate API');
  });

  it('is what the validator rejects once broken (the check can fail)', async () => {
    const broken = structuredClone(doc);
    delete broken.info;
    broken.paths['/user/info'].get.responses = 'none';
    const result = await new Validator().validate(broken);
    assert.equal(result.valid, false);
  });

  for (const [route, method] of CUSTOMER_ROUTES) {
    it(`documents ${method.toUpperCase()} /${route} once, under the {prefix} server, and only that method`, () => {
      const path = `/${route}`;
      assert.deepEqual(methodsOf(path), [method], `${path} in ${Object.keys(doc.paths).join(', ')}`);
      const op = doc.paths[path][method];
      assert.ok(op.responses?.['200']?.content?.['application/json']?.schema, `${path} has no 200 JSON schema`);
      assert.deepEqual(op.servers, [
        {
          url: '{prefix}',
          description: 'The brand path prefix; every customer route answers under each of them',
          variables: { prefix: { enum: PREFIXES, default: '/gateway' } },
        },
      ]);
    });
  }

  it('names no brand prefix in any path: the prefix is the server variable', () => {
    for (const path of Object.keys(doc.paths)) {
      for (const prefix of PREFIXES) assert.ok(!path.startsWith(`${prefix}/`), path);
    }
  });

  it('stays small: one operation per route, not one per route and prefix', () => {
    const operations = Object.values(doc.paths).flatMap((item: any) => Object.keys(item).filter((k) => HTTP_METHODS.includes(k)));
    const expected =
      CUSTOMER_ROUTES.length +
      [...ADMIN_ROUTES, ...DASHBOARD_ROUTES, ...WEB_ROUTES].reduce((n, [, methods]) => n + methods.length, 0) +
      CONSOLE_SESSION_METHODS.length +
      1;
    assert.equal(operations.length, expected);
    // Per operation, so the bound holds as routes are added: about 2.3 kB each once described over every prefix;
    // one copy per prefix would be 5×.
    const bytes = Buffer.byteLength(JSON.stringify(doc));
    assert.ok(bytes < 2_600 * operations.length, `the document is ${bytes} bytes for ${operations.length} operations`);
  });

  it('lists prefixes that really serve every customer operation', async () => {
    for (const [route, method] of CUSTOMER_ROUTES) {
      const op = doc.paths[`/${route}`][method];
      for (const prefix of op.servers[0].variables.prefix.enum as string[]) {
        const res = await tp.app.inject({
          method: method.toUpperCase() as 'GET' | 'POST',
          url: `${prefix}/${route}?language=en`,
        });
        assert.equal(res.statusCode, 200, `${prefix}/${route}`);
        assert.notEqual(res.json().code, 404, `${prefix}/${route} is not a route`);
      }
    }
  });

  it('documents exactly the customer, admin paths and nothing else', () => {
    const expected = [
      ...CUSTOMER_ROUTES.map(([route]) => `/${route}`),
      ...ADMIN_ROUTES.map(([path]) => path),
      ...DASHBOARD_ROUTES.map(([path]) => path),
      '/admin/session',
      ...WEB_ROUTES.map(([path]) => path),
      '/payments/webhook/{method}',
    ].sort();
    assert.deepEqual(Object.keys(doc.paths).sort(), expected);
  });

  it('bounds every integer and number a request may carry by safe integers', () => {
    const unbounded: string[] = [];
    const walk = (schema: any, where: string) => {
      if (!schema || typeof schema !== 'object') return;
      const numeric = schema.type === 'integer' || schema.type === 'number';
      if (numeric && schema.enum === undefined && schema.const === undefined) {
        const bounded = (v: unknown) => typeof v === 'number' && Math.abs(v) <= Number.MAX_SAFE_INTEGER;
        if (!bounded(schema.minimum) || !bounded(schema.maximum)) unbounded.push(where);
      }
      for (const [key, value] of Object.entries(schema)) if (key !== 'examples') walk(value, `${where}.${key}`);
    };
    for (const [path, item] of Object.entries<any>(doc.paths)) {
      for (const method of methodsOf(path)) {
        const op = item[method];
        for (const p of op.parameters ?? []) walk(p.schema, `${method} ${path} ${p.name}`);
        walk(op.requestBody?.content?.['application/json']?.schema, `${method} ${path} body`);
      }
    }
    assert.deepEqual(unbounded, []);
  });

  it('documents POST /payments/webhook/{method}, signed rather than authenticated', () => {
    assert.deepEqual(methodsOf('/payments/webhook/{method}'), ['post']);
    assert.deepEqual(doc.paths['/payments/webhook/{method}'].post.security, []);
  });

  for (const [path, methods] of DASHBOARD_ROUTES) {
    it(`documents ${methods.join('/').toUpperCase()} ${path} with Bearer tokens, sign-in without`, () => {
      assert.deepEqual(methodsOf(path), [...methods].sort());
      for (const method of methods) {
        assert.deepEqual(doc.paths[path][method].security, path === '/web_v1/user/login' ? undefined : [{ bearer: [] }]);
      }
    });
  }

  for (const [path, methods] of ADMIN_ROUTES) {
    it(`documents ${methods.join('/').toUpperCase()} ${path} behind the admin token or a console session`, () => {
      assert.deepEqual(methodsOf(path), [...methods].sort());
      for (const method of methods) {
        assert.deepEqual(doc.paths[path][method].security, [{ adminToken: [] }, { consoleSession: [] }]);
      }
    });
  }

  it('documents the console sign-in as open: no credentials to call it', () => {
    assert.deepEqual(methodsOf('/admin/session'), CONSOLE_SESSION_METHODS);
    for (const method of CONSOLE_SESSION_METHODS) assert.deepEqual(doc.paths['/admin/session'][method].security, []);
  });

  it('documents the {id} path parameter of the admin user routes', () => {
    for (const path of ['/admin/users/{id}', '/admin/users/{id}/rotate-key']) {
      for (const method of methodsOf(path)) {
        const params = doc.paths[path][method].parameters as any[];
        const id = params.find((p) => p.name === 'id');
        assert.deepEqual(
          { in: id?.in, required: id?.required, type: id?.schema?.type },
          { in: 'path', required: true, type: 'integer' },
        );
      }
    }
  });

  it('requires app_key or Bearer on customer routes, nothing on auth/login', () => {
    for (const [route, method] of CUSTOMER_ROUTES) {
      const security = doc.paths[`/${route}`][method].security;
      if (route === 'auth/login') assert.equal(security, undefined, route);
      else assert.deepEqual(security, [{ appKey: [] }, { bearer: [] }], route);
    }
    assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), [
      'adminToken',
      'appKey',
      'bearer',
      'consoleSession',
      'webSession',
    ]);
    assert.deepEqual(doc.components.securitySchemes.appKey, {
      type: 'apiKey',
      in: 'query',
      name: 'app_key',
      description: 'Also accepted in a JSON or form body',
    });
  });

  it('documents the fields of a whitelist-account/list item', () => {
    {
      const schema = doc.paths['/whitelist-account/list'].get.responses['200'].content['application/json'].schema;
      assert.deepEqual([...schema.required].sort(), ['code', 'data', 'message', 'msg']);
      const list = schema.properties.data.properties.list;
      assert.equal(list.type, 'array');
      const item = list.items;
      const fields = [
        'id',
        'username',
        'password',
        'created_at',
        'remark',
        'product_type',
        'usage_flow',
        'limit_flow',
        'status',
        'daily_limit',
        'udp',
      ];
      assert.deepEqual(Object.keys(item.properties).sort(), [...fields].sort());
      assert.deepEqual([...item.required].sort(), [...fields].sort());
      const types = Object.fromEntries(fields.map((f) => [f, item.properties[f].type]));
      assert.deepEqual(types, {
        id: 'integer',
        username: 'string',
        password: 'string',
        created_at: 'string',
        remark: 'string',
        product_type: 'integer',
        usage_flow: 'integer',
        limit_flow: 'integer',
        status: 'integer',
        daily_limit: 'integer',
        udp: 'integer',
      });
    }
  });
});

describe('/docs', () => {
  let html: string;
  let base: string;

  /** Whether Swagger UI's module is loaded in this process. */
  const swaggerUiLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((p) => p.includes('@fastify/swagger-ui'));

  before(async () => {
    // Built on the first request (src/api/docs-page.ts): a server that is never asked for /docs never loads it.
    assert.equal(swaggerUiLoaded(), false, 'Swagger UI is loaded before /docs was asked for');
    let res = await tp.app.inject({ method: 'GET', url: '/docs' });
    assert.equal(swaggerUiLoaded(), true);
    base = '/docs/';
    for (let hops = 0; res.statusCode >= 300 && res.statusCode < 400 && hops < 5; hops++) {
      base = new URL(String(res.headers.location), 'http://localhost/docs').pathname;
      res = await tp.app.inject({ method: 'GET', url: base });
    }
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    html = res.body;
  });

  /** Paths of the scripts and stylesheets the page loads, resolved against the page. */
  function assets(): string[] {
    const refs = [...html.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
    return refs.map((ref) => new URL(ref, `http://localhost${base.endsWith('/') ? base : `${base}/`}`).pathname);
  }

  it('is the Swagger UI page', () => {
    assert.match(html, /<div id="swagger-ui"><\/div>/);
    const scripts = assets().filter((p) => p.endsWith('.js'));
    assert.ok(scripts.includes('/docs/static/swagger-ui-bundle.js'), scripts.join(', '));
    assert.ok(scripts.includes('/docs/static/swagger-initializer.js'), scripts.join(', '));
  });

  it('serves every asset the page references', async () => {
    const paths = assets();
    assert.ok(paths.length >= 3, paths.join(', '));
    for (const path of paths) {
      const res = await tp.app.inject({ method: 'GET', url: path });
      assert.equal(res.statusCode, 200, path);
      assert.ok(res.body.length > 0, path);
      if (path.endsWith('.js')) assert.match(String(res.headers['content-type']), /javascript/, path);
      if (path.endsWith('.css')) assert.match(String(res.headers['content-type']), /^text\/css/, path);
    }
    const bundle = await tp.app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
    assert.ok(bundle.body.length > 100_000, 'the bundle is the real Swagger UI');
  });

  it('points the viewer at the JSON document, which is /openapi.json', async () => {
    const init = await tp.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
    assert.equal(init.statusCode, 200);
    assert.match(init.body, /SwaggerUIBundle\(/);
    const match = /\burl:\s*(?:resolveUrl\(\s*)?['"]([^'"]+)['"]/.exec(init.body);
    assert.ok(match?.[1], 'the initializer names no spec url');
    // resolveUrl() resolves against the page URL with a trailing slash.
    const specPath = new URL(match[1], 'http://localhost/docs/').pathname;
    assert.equal(specPath, '/docs/json');
    const spec = await tp.app.inject({ method: 'GET', url: specPath });
    assert.equal(spec.statusCode, 200);
    assert.match(String(spec.headers['content-type']), /^application\/json/);
    assert.deepEqual(spec.json(), doc);
  });

  it('answers a missing file under /docs with the API not-found envelope', async () => {
    const res = await tp.app.inject({ method: 'GET', url: '/docs/static/no-such-file.js' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().code, 404);
    const head = await tp.app.inject({ method: 'HEAD', url: '/docs/static/swagger-ui.css' });
    assert.equal(head.statusCode, 200);
    assert.ok(Number(head.headers['content-length']) > 1000, String(head.headers['content-length']));
  });
});
