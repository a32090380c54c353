/**
 * Every route's real answers against its response schema. Each documented operation (read from
 * /openapi.json, so a new route is found without editing this file's route list) is called for real —
 * customer routes under every brand prefix, the admin API, the payment webhook — and every answer is
 * checked twice: the body validates against the route's schema (types, formats, required fields), and
 * it equals what the handler returned, JSON.stringify'd (so the serializer dropped, renamed or coerced
 * nothing). Error answers validate against the error envelope. A route with no sample call below fails
 * the test by name: add one when you add a route.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SIGNATURE_HEADER, signWebhook } from '../src/billing/payments/index.js';
import { ErrorEnvelope } from '../src/api/schemas/common.js';
import { changeBalance } from '../src/billing/index.js';
import { grantTestPackage } from './helpers/gateway.js';
import { codeIn, type Mailbox, startMailbox, totp } from './helpers/mailbox.js';
import { dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

interface Recorded {
  readonly method: string;
  /** The route as Fastify registered it, e.g. /gateway/user/info or /admin/users/:id. */
  readonly route: string;
  readonly status: number;
  readonly body: string;
  /** What the handler returned, as JSON.stringify would have sent it; undefined for errors. */
  readonly returned: unknown;
  readonly schema: unknown;
  /** A file sent as bytes (an invoice PDF): checked by exercise(), counted as answered. */
  readonly binary?: boolean;
}

/**
 * The route as the client called it: a customer route is registered once, under the first brand prefix, and a
 * request under another prefix is rewritten onto it (src/api/brand-prefixes.ts); here it is named under the prefix
 * the client used (request.brandPrefix), so that every prefix must be exercised.
 */
function routeAsCalled(request: FastifyRequest): string {
  const route = request.routeOptions.url ?? '';
  if (!request.brandPrefix) return route;
  // The rewritten URL is the first prefix followed by what followed the client's prefix.
  const first = request.url.slice(0, request.url.length - (request.originalUrl.length - request.brandPrefix.length));
  return route.startsWith(first) ? request.brandPrefix + route.slice(first.length) : route;
}

/** Records every answer: the handler's payload before serialization and the bytes sent. */
function recordAnswers(app: FastifyInstance, into: Recorded[]): void {
  const returned = new WeakMap<FastifyRequest, unknown>();
  app.addHook('preSerialization', async (request, _reply, payload) => {
    returned.set(request, JSON.parse(JSON.stringify(payload)));
    return payload;
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const schemas = (request.routeOptions.schema?.response ?? {}) as Record<string, unknown>;
    if (Buffer.isBuffer(payload)) {
      const route = routeAsCalled(request);
      into.push({
        method: request.method,
        route,
        status: reply.statusCode,
        body: '',
        returned: undefined,
        schema: undefined,
        binary: true,
      });
      return payload;
    }
    if (typeof payload !== 'string') return payload;
    into.push({
      method: request.method,
      route: routeAsCalled(request),
      status: reply.statusCode,
      body: payload,
      returned: returned.get(request),
      schema: schemas[String(reply.statusCode)],
    });
    return payload;
  });
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);
const validators = new WeakMap<object, ValidateFunction>();
function validatorOf(schema: object): ValidateFunction {
  let v = validators.get(schema);
  if (!v) {
    v = ajv.compile(schema);
    validators.set(schema, v);
  }
  return v;
}
const validateError = validatorOf(ErrorEnvelope);

const HTTP_METHODS = ['get', 'post', 'patch', 'delete', 'put'];

for (const dialect of dialects()) {
  describe(`every route's answers on ${dialect}`, () => {
    let tp: TestPlatform;
    let doc: any;
    const recorded: Recorded[] = [];

    let mailbox: Mailbox;

    before(async () => {
      mailbox = await startMailbox();
      tp = await startTestPlatform(
        dialect,
        {
          TOLLGATE_EXTRACT_PORTS: '22000-22049',
          TOLLGATE_SMTP_URL: `smtp://127.0.0.1:${mailbox.port}`,
          TOLLGATE_SMTP_FROM: 'no-reply@tollgate.test',
          TOLLGATE_SMTP_REQUIRE_TLS: '0',
          TOLLGATE_SIGNUP: 'open',
        },
        { beforeReady: (app) => recordAnswers(app, recorded) },
      );
      doc = (await tp.app.inject({ method: 'GET', url: '/openapi.json' })).json();
      await exercise(tp, mailbox);
    });
    after(async () => {
      await tp?.close();
      await mailbox?.close();
    });

    /** Every documented operation as `METHOD /fastify/route`, customer ones under each of their prefixes. */
    function operations(): string[] {
      const out: string[] = [];
      for (const [path, item] of Object.entries<any>(doc.paths)) {
        for (const method of Object.keys(item).filter((k) => HTTP_METHODS.includes(k))) {
          const route = path.replace(/\{(\w+)\}/g, ':$1');
          const prefixes: string[] = item[method].servers?.[0]?.variables?.prefix?.enum ?? [''];
          for (const prefix of prefixes) out.push(`${method.toUpperCase()} ${prefix}${route}`);
        }
      }
      return out.sort();
    }

    it('calls every documented operation, customer ones under every prefix, with a successful answer', () => {
      const answered = new Set(
        recorded
          .filter((r) => r.status === 200 && (r.binary || JSON.parse(r.body).code === 200))
          .map((r) => `${r.method} ${r.route}`),
      );
      const missing = operations().filter((op) => !answered.has(op));
      assert.deepEqual(missing, [], 'operations without a successful sample call: add one to exercise() below');
      assert.ok(operations().length >= 4 * 28 + 45, `${operations().length} operations`);
    });

    it('sends exactly what each handler returned, valid by the route’s response schema', () => {
      const failures: string[] = [];
      let checked = 0;
      for (const r of recorded) {
        if (r.route === '/openapi.json' || r.route === '/healthz' || r.binary) continue;
        const body = JSON.parse(r.body);
        if (body.code !== 200) {
          if (!validateError(body)) failures.push(`${r.method} ${r.route} error: ${ajv.errorsText(validateError.errors)}`);
          continue;
        }
        checked += 1;
        if (!r.schema) {
          failures.push(`${r.method} ${r.route}: no response schema for ${r.status}`);
          continue;
        }
        assert.deepEqual(body, r.returned, `${r.method} ${r.route}: the serializer changed the answer`);
        const validate = validatorOf(r.schema as object);
        if (!validate(body)) failures.push(`${r.method} ${r.route}: ${ajv.errorsText(validate.errors)}`);
      }
      assert.deepEqual(failures, []);
      assert.ok(checked >= 150, `${checked} successful answers checked`);
    });
  });
}

/** Real calls to every route, in an order that gives each something to show. */
async function exercise(tp: TestPlatform, mailbox: Mailbox): Promise<void> {
  const app = tp.app;
  const adminAuth = { authorization: `Bearer ${tp.platform.config.adminToken}` };

  async function send(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<any> {
    const res = await app.inject({
      method: method as 'GET',
      url,
      headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    const answer = res.json();
    assert.equal(answer.code, 200, `${method} ${url}: ${res.body}`);
    return answer.data;
  }
  const admin = (method: string, url: string, body?: unknown) => send(method, `/admin${url}`, body, adminAuth);

  // Operator side: users, nodes, static IPs, packages, catalogue.
  const created = await admin('POST', '/users', { email: 'every-route@example.com', password: 'password123' });
  const userId: number = created.user.id;
  const appKey: string = created.app_key;
  const other = await admin('POST', '/users', { email: 'other@example.com' });
  await admin('GET', '/users');
  await admin('GET', `/users/${userId}`);
  await admin('PATCH', `/users/${userId}`, { phone: '+1 555 0100' });
  await admin('POST', `/users/${other.user.id}/rotate-key`);
  await admin('PATCH', `/users/${other.user.id}/limits`, { sub_accounts: 50, white_ips: null });
  await admin('GET', `/users/${other.user.id}/limits`);
  await tp.platform.services.subAccounts.add(other.user.id, 'opacct1:pass1234', '', 9);
  await admin('GET', `/users/${other.user.id}/sub-accounts`);
  await admin('PATCH', `/users/${other.user.id}/sub-accounts/opacct1`, { daily_limit: 3, udp: 1 });
  await admin('POST', `/users/${other.user.id}/mfa/reset`);

  // Teams: the caller owns one; `other` joins it and leaves.
  const team = await admin('POST', '/teams', { owner_user_id: userId, name: 'Every route', team_id: 'EVERY1' });
  await admin('GET', '/teams');
  await admin('GET', `/teams/${team.team_id}`);
  await admin('PATCH', `/teams/${team.team_id}`, { name: 'Every route team' });
  await admin('POST', `/teams/${team.team_id}/members`, { user_id: other.user.id, permissions: ['view_billing'] });
  await admin('PATCH', `/teams/${team.team_id}/members/${other.user.id}`, { permissions: ['pay'] });
  await admin('POST', `/teams/${team.team_id}/owner`, { user_id: other.user.id });
  await admin('POST', `/teams/${team.team_id}/owner`, { user_id: userId });
  await admin('DELETE', `/teams/${team.team_id}/members/${other.user.id}`);

  const node = await admin('POST', '/nodes', {
    url: 'direct://127.0.0.2',
    country: 'US',
    state: 'ca',
    city: 'losangeles',
    types: [9],
  });
  const spare = await admin('POST', '/nodes', { url: 'socks5://u:p@203.0.113.5:1080', country: 'DE', types: [9, 11] });
  await admin('GET', '/nodes');
  await admin('GET', `/nodes/${node.id}`);
  await admin('PATCH', `/nodes/${node.id}`, { weight: 2 });
  await admin('POST', `/nodes/${spare.id}/disable`);
  await admin('POST', `/nodes/${spare.id}/enable`);
  await admin('DELETE', `/nodes/${spare.id}`);

  const held = await admin('POST', '/static-ips', { ip: '127.0.0.20', port: 8000, country: 'US', product_type: 25 });
  await admin('POST', '/static-ips', { ip: '127.0.0.21', port: 8000, country: 'US', product_type: 25, asn: 7922 });
  const gone = await admin('POST', '/static-ips', { ip: '127.0.0.22', port: 8000, country: 'DE', product_type: 14 });
  await admin('PATCH', `/static-ips/${gone.id}`, { maintenance: true });
  await admin('PATCH', `/static-ips/${held.id}`, { asn: 3356 });
  await admin('DELETE', `/static-ips/${gone.id}`);
  const allocated = await admin('POST', `/users/${userId}/static-ips`, { country: 'US', product_type: 25, count: 1, days: 30 });
  await admin('POST', `/static-ip-allocations/${allocated.list[0].id}/renew`, { days: 1 });
  await admin('GET', '/static-ips');
  assert.ok(held.id);

  await admin('POST', `/users/${userId}/packages`, { product_type: 9, gb: 1, days: 30, title: 'Starter' });
  const revoked = await admin('POST', `/users/${userId}/packages`, { product_type: 12, kb: 1024, days: 1 });
  await admin('DELETE', `/packages/${revoked.id}`);
  await admin('GET', `/users/${userId}/packages`);
  await grantTestPackage(tp, userId, 1024 ** 3);
  await tp.platform.services.whiteIps.add(userId, '127.0.0.9', '');

  const product = await admin('POST', '/products', { title: 'Traffic', product_type: 9, price: 10, unit_gb: 1, unit_days: 30 });
  const timed = await admin('POST', '/products', {
    title: 'Timed',
    product_type: 11,
    price: '0',
    unit_days: 30,
    skus: [{ kind: 'bandwidth', value: 100, price: '20.00', title: '100 Mbps' }],
  });
  const withSku = await admin('POST', `/products/${timed.id}/skus`, { kind: 'concurrency', value: 10, price: 5 });
  const skuId = withSku.skus.find((s: { kind: string }) => s.kind === 'concurrency').id;
  await admin('PATCH', `/products/${timed.id}/skus/${skuId}`, { price: 6 });
  await admin('DELETE', `/products/${timed.id}/skus/${skuId}`);
  await admin('PATCH', `/products/${product.id}`, { price: '9.99' });
  await admin('POST', `/products/${timed.id}/disable`);
  await admin('GET', '/products');
  await admin('GET', `/products/${product.id}`);

  const external = await admin('POST', '/payment-methods', {
    kind: 'external',
    title: 'Card',
    pay_url: 'https://pay.example.com/?o={trade_no}&a={amount}',
  });
  const manual = await admin('POST', '/payment-methods', { kind: 'manual', title: 'Bank' });
  await admin('GET', '/payment-methods');
  await admin('GET', `/payment-methods/${manual.payment_method.id}`);
  await admin('PATCH', `/payment-methods/${manual.payment_method.id}`, { sort: 1 });
  const rotated = await admin('POST', `/payment-methods/${external.payment_method.id}/rotate-secret`, {});

  const coupon = await admin('POST', '/coupons', {
    code: 'SPRING',
    kind: 'percent',
    discount: 10,
    expire_time: '2099-01-01 00:00:00',
  });
  await admin('GET', '/coupons');
  await admin('GET', `/coupons/${coupon.id}`);
  await admin('PATCH', `/coupons/${coupon.id}`, { name: 'Spring' });

  const tier = await admin('POST', '/gift-tiers', { amount: 100, ratio: 1.2 });
  const dropped = await admin('POST', '/gift-tiers', { amount: 50, ratio: 1.1 });
  await admin('PATCH', `/gift-tiers/${tier.id}`, { ratio: 1.3 });
  await admin('DELETE', `/gift-tiers/${dropped.id}`);
  await admin('GET', '/gift-tiers');

  // Customer side, under every prefix.
  const key = encodeURIComponent(appKey);
  const customer = (prefix: string, method: 'GET' | 'POST', route: string, params: Record<string, unknown> = {}) =>
    method === 'GET'
      ? send('GET', `${prefix}/${route}?${new URLSearchParams({ app_key: appKey, ...(params as Record<string, string>) })}`)
      : send('POST', `${prefix}/${route}?app_key=${key}`, params);

  for (const [i, prefix] of tp.platform.config.apiPrefixes.entries()) {
    const a = `acct${i}a`;
    const b = `acct${i}b`;
    await customer(prefix, 'POST', 'whitelist-account/add', { accounts: `${a}:pass1234,${b}:pass1234`, remark: 'r' });
    await customer(prefix, 'GET', 'whitelist-account/list');
    await customer(prefix, 'POST', 'whitelist-account/disable', { accounts: a });
    await customer(prefix, 'POST', 'whitelist-account/enable', { accounts: a });
    await customer(prefix, 'POST', 'whitelist-account/change-password', { account: a, password: 'newpass99' });
    await customer(prefix, 'POST', 'whitelist-account/change-remark', { account: a, remark: 'changed' });
    await customer(prefix, 'POST', 'whitelist-account/change-limit', { account: a, limit: 5 });
    await customer(prefix, 'POST', 'proxy-account/change', { account: a, daily_limit: 2, udp: 1, remark: 'both' });
    await customer(prefix, 'POST', 'whitelist-account/delete', { accounts: b });
    await customer(prefix, 'GET', 'user/info');
    await send('POST', `${prefix}/auth/login`, { email: 'every-route@example.com', password: 'password123' });
    await customer(prefix, 'GET', 'user-usage-flow/total');
    await customer(prefix, 'GET', 'static-ip-region');
    await customer(prefix, 'GET', 'ip/static-ip-region', { asn: 1, exclusive: 1 });
    await customer(prefix, 'GET', 'ip/get-static-ip');
    await customer(prefix, 'POST', 'white-ip/add', { ips: `203.0.113.${10 + i}`, remark: 'office' });
    await customer(prefix, 'GET', 'white-ip/list');
    await customer(prefix, 'POST', 'white-ip/delete', { ips: `203.0.113.${10 + i}` });
    await customer(prefix, 'GET', 'whitelist-account/quota', { product_type: '9' });
    await customer(prefix, 'GET', 'whitelist-account/quotas');
    await customer(prefix, 'GET', 'white-ip/quota', { product_type: '9' });
    await customer(prefix, 'GET', 'white-ip/quotas');
    await customer(prefix, 'POST', 'proxy-ip/add', { ips: `203.0.113.${60 + i}`, product_type: 9, remark: 'office' });
    await customer(prefix, 'GET', 'proxy-ip/list', { product_type: '9' });
    await customer(prefix, 'POST', 'proxy-ip/delete', { ips: `203.0.113.${60 + i}` });
    await customer(prefix, 'GET', 'user-usage-flow/flow-total', { unit: 'GB' });
    await customer(prefix, 'POST', 'user-product/get-auto-renewal', { user_product_id: revoked.id });
    await customer(prefix, 'POST', 'user-product/set-auto-renewal', { user_product_id: revoked.id, status: 0 });
    await customer(prefix, 'POST', 'user-product/auto-renewal-logs', { page: 1, size: 10 });
    await customer(prefix, 'GET', 'ip/dynamic-citys');
    await customer(prefix, 'GET', 'ip/dynamic-states');
    await customer(prefix, 'GET', 'ip/dynamic-citys/search', { country_code: 'US', state: 'ca' });
    await customer(prefix, 'GET', 'ip/dynamic-states/search', { country_code: 'US' });
    await customer(prefix, 'GET', 'host-pool/regions');
    await customer(prefix, 'GET', 'ip/dcl4', { username: a });
    await customer(prefix, 'GET', 'ip/dsl4', { username: a });
    await customer(prefix, 'GET', 'ip/dal4', { username: a });
    await customer(prefix, 'GET', 'ip/v3', { num: '2', cc: 'us' });
    await customer(prefix, 'GET', 'user-product/list');
    await customer(prefix, 'GET', 'user-product/summary');
    await customer(prefix, 'GET', 'payment/groups');
    await customer(prefix, 'GET', 'activity/balance-recharge-gift-ratio');
    const order = await customer(prefix, 'POST', 'order/create', { pid: product.id, pm_id: external.payment_method.id });
    await customer(prefix, 'GET', 'order/list');
    await customer(prefix, 'POST', 'order/close', { trade_no: order.trade_no });
    await customer(prefix, 'POST', 'order/check', { pid: product.id, pm_id: external.payment_method.id, amount: 2 });
    const toCheck = await customer(prefix, 'POST', 'order/create', { pid: product.id, pm_id: external.payment_method.id });
    await customer(prefix, 'GET', 'order/info', { trade_no: toCheck.trade_no });
    await customer(prefix, 'POST', 'pay/pay-check', { trade_no: toCheck.trade_no });
    await customer(prefix, 'POST', 'pay', { trade_no: toCheck.trade_no, pm_id: manual.payment_method.id });
    await customer(prefix, 'GET', 'product');
    await customer(prefix, 'GET', 'payment/list');
    const profile = await customer(prefix, 'POST', 'user-invoice/add', { kind: 'personal', title: `Profile ${i}` });
    await customer(prefix, 'POST', 'user-invoice/update', { id: profile.id, kind: 'personal', title: `Renamed ${i}` });
    await customer(prefix, 'GET', 'user-invoice/list');
    await customer(prefix, 'GET', 'user-invoice/invoiceable-orders');
    await customer(prefix, 'GET', 'user-invoice/statistics');
    await customer(prefix, 'GET', 'user-invoice/record-list');
    const invoiced = await customer(prefix, 'POST', 'order/create', { pid: product.id, pm_id: manual.payment_method.id });
    await admin('POST', `/orders/${invoiced.id}/mark-paid`);
    const withdrawn = await customer(prefix, 'POST', 'user-invoice/apply', {
      profile_id: profile.id,
      trade_nos: invoiced.trade_no,
    });
    await customer(prefix, 'POST', 'user-invoice/cancel', { id: withdrawn.id });
    const issued = await customer(prefix, 'POST', 'user-invoice/apply', {
      profile_id: profile.id,
      trade_nos: [invoiced.trade_no],
    });
    await admin('POST', `/invoices/${issued.id}/issue`, {});
    const pdf = await app.inject({ method: 'GET', url: `${prefix}/user-invoice/download?app_key=${key}&id=${issued.id}` });
    assert.equal(pdf.headers['content-type'], 'application/pdf', pdf.body.slice(0, 200));
    await customer(prefix, 'POST', 'user-invoice/delete', { id: profile.id });
    await customer(prefix, 'GET', 'team/list');
    await customer(prefix, 'GET', 'team/detail', { team_id: team.team_id });
    await customer(prefix, 'GET', 'team/assets', { team_id: team.team_id });
    await customer(prefix, 'GET', 'team/wallet/detail', { team_id: team.team_id });
    await customer(prefix, 'GET', 'team/wallet/records', { team_id: team.team_id });
    const apiKey = await customer(prefix, 'POST', 'api-keys/create', { name: `key ${i}` });
    await customer(prefix, 'GET', 'api-keys');
    await customer(prefix, 'POST', 'api-keys/update', { id: apiKey.id, name: `renamed ${i}` });
    await customer(prefix, 'POST', 'api-keys/revoke', { id: apiKey.id });
  }

  // The dashboard API, with a Bearer token from its sign-in.
  const signedIn = await send('POST', '/web_v1/user/login', {
    type: 1,
    email: 'every-route@example.com',
    password: 'password123',
  });
  const bearer = { authorization: `Bearer ${signedIn.access_token}` };
  const web = (method: string, route: string, body?: unknown) => send(method, `/web_v1/${route}`, body, bearer);
  await web('GET', 'user/info');
  await web('GET', 'user/mfa');
  await web('GET', 'ip/get-ip-v3?num=1&cc=us');
  const toPay = await customer(tp.platform.config.apiPrefixes[0] ?? '', 'POST', 'order/create', {
    pid: product.id,
    pm_id: external.payment_method.id,
  });
  await web('POST', 'order/info', { trade_no: toPay.trade_no });
  await tp.platform.storage.db
    .transaction()
    .execute((trx) => changeBalance(trx, { userId, deltaCents: 10_000, reason: 'adjust', now: Date.now() }));
  await web('POST', 'pay', { trade_no: toPay.trade_no, pay_method: 7 });
  const enrolment = await web('POST', 'user/mfa/totp/setup', {});
  await web('POST', 'user/mfa/totp/enable', { verify_code: totp(enrolment.secret, Date.now()) });
  await web('POST', 'user/mfa/disable', { verify_type: 'totp', verify_code: totp(enrolment.secret, Date.now() + 30_000) });
  await web('POST', 'user/mfa/email/send', { purpose: 'enrol' });
  await web('POST', 'user/mfa/email/enable', { verify_code: codeIn(await mailbox.next()) });
  await web('POST', 'user/mfa/email/send', { purpose: 'confirm' });
  await web('POST', 'user/mfa/disable', { verify_type: 'email', verify_code: codeIn(await mailbox.next()) });

  // The customer portal (web-portal): a cookie session with its CSRF token, then the portal's own routes.
  {
    const first = await app.inject({ method: 'GET', url: '/web/session' });
    assert.equal(first.json().code, 200, first.body);
    const preCsrf = first.cookies.find((c) => c.name === 'tg_csrf')?.value ?? '';
    const portal = async (method: string, url: string, cookies: Record<string, string>, body?: unknown) => {
      const res = await app.inject({
        method: method as 'GET',
        url,
        cookies,
        headers: { 'x-csrf-token': cookies.tg_csrf ?? '', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
      });
      assert.equal(res.json().code, 200, `${method} ${url}: ${res.body}`);
      return Object.fromEntries(res.cookies.map((c) => [c.name, c.value]));
    };
    const signedUp = await portal(
      'POST',
      '/web/sign-up',
      { tg_csrf: preCsrf },
      { email: 'portal-signup@example.com', password: 'password123' },
    );
    await portal('POST', '/web/session/end', signedUp);
    const session = await portal(
      'POST',
      '/web/session',
      { tg_csrf: preCsrf },
      { email: 'portal-signup@example.com', password: 'password123' },
    );
    await portal('GET', '/web/session', session);
    await portal('GET', '/web/usage?range=24h', session);
    await portal('GET', '/web/products', session);
    await portal('GET', '/web/app-key', session);
    await portal('POST', '/web/app-key/rotate', session);
  }

  // Orders the operator settles, the webhook, and what is left to release.
  const manualOrder = await customer(tp.platform.config.apiPrefixes[0] ?? '', 'POST', 'order/create', {
    pid: product.id,
    pm_id: manual.payment_method.id,
  });
  await admin('POST', `/orders/${manualOrder.id}/mark-paid`);
  // Invoices: the operator lists, shows, issues (and downloads), voids, rejects.
  const first = tp.platform.config.apiPrefixes[0] ?? '';
  const invoiceProfile = await customer(first, 'POST', 'user-invoice/add', { kind: 'company', title: 'ACME', tax_no: 'T1' });
  const apply = () =>
    customer(first, 'POST', 'user-invoice/apply', { profile_id: invoiceProfile.id, trade_nos: manualOrder.trade_no });
  const invoice = await apply();
  await admin('GET', '/invoices');
  await admin('GET', `/invoices/${invoice.id}`);
  await admin('POST', `/invoices/${invoice.id}/issue`, {});
  const pdf = await app.inject({ method: 'GET', url: `/admin/invoices/${invoice.id}/pdf`, headers: adminAuth });
  assert.equal(pdf.rawPayload.subarray(0, 5).toString(), '%PDF-');
  await admin('POST', `/invoices/${invoice.id}/void`, { reason: 'test' });
  await admin('POST', `/invoices/${(await apply()).id}/reject`, { reason: 'test' });
  await admin('POST', `/orders/${manualOrder.id}/refund`);
  await admin('GET', '/orders');

  const paid = await customer(tp.platform.config.apiPrefixes[0] ?? '', 'POST', 'order/create', {
    pid: product.id,
    pm_id: external.payment_method.id,
  });
  const notice = JSON.stringify({ trade_no: paid.trade_no, amount: paid.pay_fee, status: 'paid', event_id: 'evt-1' });
  const webhook = await app.inject({
    method: 'POST',
    url: `/payments/webhook/${external.payment_method.id}`,
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(rotated.secret, notice) },
    payload: notice,
  });
  assert.equal(webhook.json().data?.result, 'paid', webhook.body);
  await admin('POST', `/static-ip-allocations/${allocated.list[0].id}/release`);

  // Operator console (web-console): session, operators, audit, live view, the console's user routes.
  await tp.platform.services.operators.create({ email: 'every-route-ops@example.com', password: 'ops password 1' });
  const consoleSignIn = await app.inject({
    method: 'POST',
    url: '/admin/session',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ email: 'every-route-ops@example.com', password: 'ops password 1' }),
  });
  assert.equal(consoleSignIn.json().code, 200, consoleSignIn.body);
  const consoleCookie = /^(tollgate_console=[^;]+)/.exec(String(consoleSignIn.headers['set-cookie']))?.[1] ?? '';
  const consoleAuth = { cookie: consoleCookie, 'x-csrf-token': consoleSignIn.json().data.csrf_token as string };
  await send('GET', '/admin/session', undefined, consoleAuth);
  await send('GET', '/admin/operators', undefined, consoleAuth);
  await send('GET', '/admin/live', undefined, consoleAuth);
  await send('GET', '/admin/gateways', undefined, consoleAuth);
  await send('POST', `/admin/users/${other.user.id}/balance`, { amount_cents: 500, reason: 'every route' }, consoleAuth);
  await send('GET', `/admin/users/${other.user.id}/ledger`, undefined, consoleAuth);
  await send('GET', `/admin/users/${other.user.id}/detail`, undefined, consoleAuth);
  await send('POST', `/admin/users/${other.user.id}/password`, { password: 'new password 1' }, consoleAuth);
  await send('POST', `/admin/users/${other.user.id}/status`, { status: 1 }, consoleAuth);
  await send('GET', '/admin/audit', undefined, consoleAuth);
  await send('DELETE', '/admin/session', undefined, consoleAuth);
}
