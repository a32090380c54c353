/**
 * Bad input is a client error in the envelope, never code 500: integers past any bound, malformed
 * multipart bodies on every POST, and the errors Fastify and Node raise themselves (431 for a URL past
 * 16 KB, 413, 415, bad JSON), each with its catalogue code and in the language asked for. Customer routes
 * answer HTTP 200 because their error handler lives in the customer plugin's context, not because of
 * their URL: a brand prefix that shares a first segment with another surface changes nothing there.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { ERRORS } from '../src/errors/index.js';
import { createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const P = '/gateway';

const CUSTOMER_POSTS = [
  'whitelist-account/add',
  'whitelist-account/delete',
  'whitelist-account/disable',
  'whitelist-account/enable',
  'whitelist-account/change-password',
  'whitelist-account/change-remark',
  'whitelist-account/change-limit',
  'proxy-account/change',
  'auth/login',
  'white-ip/add',
  'white-ip/delete',
  'order/create',
  'order/close',
];

/** multipart/form-data bodies that do not parse: no boundary, a truncated part, a part without headers. */
const BAD_MULTIPART: { contentType: string; payload: string }[] = [
  { contentType: 'multipart/form-data', payload: 'ips=1.2.3.4' },
  {
    contentType: 'multipart/form-data; boundary=xx',
    payload: '--xx\r\nContent-Disposition: form-data; name="ips"\r\n\r\n1.2.3.4\r\n',
  },
  { contentType: 'multipart/form-data; boundary=xx', payload: '--xx\r\ngarbage\r\n--xx--\r\n' },
  { contentType: 'multipart/form-data; boundary=xx', payload: 'not multipart at all' },
];

async function inject(app: FastifyInstance, method: 'GET' | 'POST', url: string, headers = {}, payload?: string) {
  const res = await app.inject({ method, url, headers, ...(payload !== undefined ? { payload } : {}) });
  const body = res.json();
  assert.deepEqual(Object.keys(body).slice(0, 4), ['code', 'msg', 'message', 'data'], res.body);
  assert.doesNotMatch(res.body, /\bat .*\.(ts|js):\d+/, 'no stack trace');
  return { status: res.statusCode, body };
}

/** A raw HTTP/1.1 exchange on a real socket: Node's own parser must see the request. */
function rawGet(port: number, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; contentType: string; body: string }>((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
  });
}

for (const dialect of dialects()) {
  describe(`bad input on ${dialect}`, () => {
    let tp: TestPlatform;
    let key: string;

    before(async () => {
      tp = await startTestPlatform(dialect);
      key = encodeURIComponent((await createUser(tp)).appKey);
    });
    after(() => tp.close());

    describe('integers past any bound', () => {
      const cases: [string, string, string][] = [
        ['user-product/list', 'page', '18446744073709551616'],
        ['user-product/list', 'size', 'Infinity'],
        ['ip/get-static-ip', 'page', '18446744073709551616'],
        ['ip/get-static-ip', 'size', '1e400'],
        ['order/list', 'page_no', '18446744073709551616'],
        ['order/list', 'page_size', 'Infinity'],
        ['user-usage-flow/total', 'product_type', '99999999999999999999'],
        ['ip/v3', 'num', '18446744073709551616'],
      ];
      for (const [route, field, value] of cases) {
        it(`${route}?${field}=${value} is code 400 naming ${field}`, async () => {
          const { status, body } = await inject(tp.app, 'GET', `${P}/${route}?app_key=${key}&${field}=${value}&language=en`);
          assert.equal(status, 200);
          assert.equal(body.code, 400, JSON.stringify(body));
          assert.ok(body.errors?.[field], JSON.stringify(body));
          assert.equal(body.msg, 'Invalid parameters');
        });
      }

      it('order/create with ids past 32 bits is code 400, not a database error', async () => {
        const payload = `{"pid":1e300,"pm_id":99999999999999999999,"upids":[${2 ** 60}]}`;
        const { body } = await inject(
          tp.app,
          'POST',
          `${P}/order/create?app_key=${key}`,
          { 'content-type': 'application/json' },
          payload,
        );
        assert.equal(body.code, 400);
        assert.ok(body.errors?.pid && body.errors?.pm_id, JSON.stringify(body));
      });

      it('the admin API refuses them with HTTP 400', async () => {
        const auth = { authorization: `Bearer ${tp.platform.config.adminToken}` };
        const { status, body } = await inject(tp.app, 'GET', '/admin/users?page=18446744073709551616', auth);
        assert.deepEqual([status, body.code], [400, 400]);
        const byId = await inject(tp.app, 'GET', '/admin/users/99999999999999999999', auth);
        assert.deepEqual([byId.status, byId.body.code], [400, 400]);
      });
    });

    describe('malformed multipart/form-data', () => {
      for (const route of CUSTOMER_POSTS) {
        it(`POST ${route} answers code 400 for every malformed body`, async () => {
          for (const { contentType, payload } of BAD_MULTIPART) {
            const url = `${P}/${route}?app_key=${key}&language=en`;
            const { status, body } = await inject(tp.app, 'POST', url, { 'content-type': contentType }, payload);
            assert.equal(status, 200);
            assert.equal(body.code, 400, `${contentType} ${JSON.stringify(payload)}: ${JSON.stringify(body)}`);
          }
        });
      }

      it('the admin API answers HTTP 400', async () => {
        const headers = { authorization: `Bearer ${tp.platform.config.adminToken}` };
        for (const { contentType, payload } of BAD_MULTIPART) {
          const { status, body } = await inject(
            tp.app,
            'POST',
            '/admin/users',
            { ...headers, 'content-type': contentType },
            payload,
          );
          assert.deepEqual([status, body.code], [400, 400], `${contentType}: ${JSON.stringify(body)}`);
        }
      });

      it('still reads a well-formed multipart form, and refuses a file in it', async () => {
        const form = (parts: string) => ({
          contentType: 'multipart/form-data; boundary=xx',
          payload: `${parts}--xx--\r\n`,
        });
        const field = (name: string, value: string) =>
          `--xx\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
        const ok = form(field('ips', '203.0.113.77') + field('remark', 'multi'));
        const added = await inject(
          tp.app,
          'POST',
          `${P}/white-ip/add?app_key=${key}`,
          { 'content-type': ok.contentType },
          ok.payload,
        );
        assert.equal(added.body.code, 200, JSON.stringify(added.body));
        assert.deepEqual(
          added.body.data.list.map((w: { ip: string; remark: string }) => [w.ip, w.remark]),
          [['203.0.113.77', 'multi']],
        );
        const file = form(
          `--xx\r\nContent-Disposition: form-data; name="ips"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\n1.2.3.4\r\n`,
        );
        const refused = await inject(
          tp.app,
          'POST',
          `${P}/white-ip/add?app_key=${key}`,
          { 'content-type': file.contentType },
          file.payload,
        );
        assert.equal(refused.body.code, 400);
        assert.equal(refused.body.errors?.body, 'file uploads are not accepted');
      });
    });

    describe("Fastify's and Node's own client errors", () => {
      it('a body past the limit is code 413, in the language asked for', async () => {
        const payload = JSON.stringify({ ips: 'x'.repeat(tp.platform.config.bodyLimit) });
        const { status, body } = await inject(
          tp.app,
          'POST',
          `${P}/white-ip/add?app_key=${key}`,
          { 'content-type': 'application/json', language: 'en' },
          payload,
        );
        assert.deepEqual([status, body.code], [200, 413]);
        assert.match(body.msg, /^Request body too large/);
      });

      it('an unknown body type is code 415; bad JSON is code 400', async () => {
        const url = `${P}/white-ip/add?app_key=${key}&language=en`;
        const xml = await inject(tp.app, 'POST', url, { 'content-type': 'application/xml' }, '<ips/>');
        assert.deepEqual([xml.status, xml.body.code], [200, 415]);
        const json = await inject(tp.app, 'POST', url, { 'content-type': 'application/json' }, '{"ips":');
        assert.deepEqual([json.status, json.body.code, json.body.errors], [200, 400, { body: 'is not valid JSON' }]);
        const admin = await inject(
          tp.app,
          'POST',
          '/admin/users',
          {
            'content-type': 'application/json',
            authorization: `Bearer ${tp.platform.config.adminToken}`,
          },
          '{"email":',
        );
        assert.deepEqual([admin.status, admin.body.code], [400, 400]);
      });

      it('an unknown path is code 404: HTTP 200 under a prefix, HTTP 404 elsewhere', async () => {
        const customer = await inject(tp.app, 'GET', `${P}/no-such-thing?language=en`);
        assert.deepEqual([customer.status, customer.body.code, customer.body.msg], [200, 404, 'No such endpoint']);
        const root = await inject(tp.app, 'GET', '/no-such-thing');
        assert.deepEqual([root.status, root.body.code], [404, 404]);
      });

      describe('on a real socket', () => {
        let port: number;
        before(async () => {
          await tp.app.listen({ host: '127.0.0.1', port: 0 });
          port = (tp.app.server.address() as AddressInfo).port;
        });

        it('a 20 KB query string is HTTP 431 with the envelope, code 431, in the language asked for', async () => {
          const long = 'x'.repeat(20 * 1024);
          const en = await rawGet(port, `${P}/user/info?language=en&app_key=${key}&pad=${long}`);
          assert.equal(en.status, 431);
          assert.match(en.contentType, /^application\/json/);
          const body = JSON.parse(en.body);
          assert.deepEqual(body, {
            code: 431,
            msg: 'Request headers or URL too large',
            message: 'Request headers or URL too large',
            data: null,
          });
          const zh = await rawGet(port, `${P}/user/info?pad=${long}`);
          assert.equal(JSON.parse(zh.body).msg, '请求头或 URL 过长');
          const header = await rawGet(port, `${P}/user/info?pad=${long.slice(0, 15_000)}`, {
            language: 'en',
            'x-pad': long.slice(0, 3000),
          });
          assert.equal(header.status, 431);
          assert.equal(JSON.parse(header.body).msg, 'Request headers or URL too large');
        });

        it('a bad percent-encoding in the path is code 400 in the envelope', async () => {
          const res = await rawGet(port, `${P}/%zz?language=en`);
          assert.equal(res.status, 400);
          assert.equal(JSON.parse(res.body).code, 400);
        });
      });
    });
  });
}

describe('error handling belongs to where a route is registered', () => {
  let tp: TestPlatform;
  before(async () => {
    // A brand prefix whose first segment is the webhook's: URL matching would answer webhook errors with HTTP 200.
    tp = await startTestPlatform('sqlite', { TOLLGATE_API_PREFIXES: '/payments,/gateway' });
  });
  after(() => tp.close());

  it('webhook errors keep their HTTP status under a brand prefix of the same name', async () => {
    const res = await tp.app.inject({
      method: 'POST',
      url: '/payments/webhook/999999',
      payload: '{}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.statusCode, 404, res.body);
    assert.equal(res.json().code, ERRORS.TG_ERR_PAYMENT_METHOD_NOT_FOUND.code);
  });

  it('customer routes under that prefix still answer HTTP 200', async () => {
    const res = await tp.app.inject({ method: 'GET', url: '/payments/user/info' });
    assert.deepEqual([res.statusCode, res.json().code], [200, 3]);
  });
});
