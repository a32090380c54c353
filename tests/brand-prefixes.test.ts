/**
 * The brands' prefixes (TOLLGATE_API_PREFIXES) onto one registration of the customer API
 * (src/api/brand-prefixes.ts): the rewrite as a pure function, then a real platform on every dialect where the
 * same route answers byte for byte the same under every configured prefix (success, refusals, bad input, unknown
 * endpoints), an unconfigured prefix is the root's 404, logs name the URL the client asked for, and the per-IP
 * rate limit counts every prefix together. One case goes over a real loopback socket.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { brandPrefixRewriter } from '../src/api/brand-prefixes.js';
import { createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

/** One nested in another (/api, /api/v2): the longer wins, as separate registrations would route. */
const PREFIXES = ['/gateway', '/api', '/api/v2', '/pub', '/developers'];

describe('brandPrefixRewriter', () => {
  const rewrite = brandPrefixRewriter(PREFIXES);
  const url = (u: string) => rewrite({ url: u } as IncomingMessage);

  it('maps every configured prefix onto the first and leaves everything else as it came', () => {
    const table: [string, string][] = [
      ['/gateway/user/info', '/gateway/user/info'],
      ['/api/user/info?app_key=k', '/gateway/user/info?app_key=k'],
      ['/api/v2/user/info', '/gateway/user/info'],
      ['/api/v2', '/gateway'],
      ['/api/v2?x=1', '/gateway?x=1'],
      ['/api/v3/user/info', '/gateway/v3/user/info'],
      ['/pub', '/gateway'],
      ['/pub/', '/gateway/'],
      ['/pub?language=en', '/gateway?language=en'],
      ['/developers/order/list', '/gateway/order/list'],
      // Not a prefix: a longer segment, another case, elsewhere in the path, other surfaces.
      ['/public/user/info', '/public/user/info'],
      ['/pubx', '/pubx'],
      ['/PUB/user/info', '/PUB/user/info'],
      ['/x/pub/user/info', '/x/pub/user/info'],
      ['/admin/users', '/admin/users'],
      ['/docs', '/docs'],
      ['/', '/'],
      ['', ''],
      ['//pub/user/info', '//pub/user/info'],
    ];
    for (const [from, to] of table) assert.equal(url(from), to, from);
  });

  it('leaves URLs alone with a single prefix', () => {
    const one = brandPrefixRewriter(['/only']);
    assert.equal(one({ url: '/only/user/info' } as IncomingMessage), '/only/user/info');
    assert.equal(one({ url: '/other/user/info' } as IncomingMessage), '/other/user/info');
  });
});

/** Raw answers, for byte-for-byte comparison across prefixes. */
async function raw(tp: TestPlatform, method: 'GET' | 'POST', url: string, payload?: Record<string, unknown>) {
  const res = await tp.app.inject({
    method,
    url,
    ...(payload ? { headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload) } : {}),
  });
  return { status: res.statusCode, type: res.headers['content-type'], body: res.body };
}

for (const dialect of dialects()) {
  describe(`brand prefixes on ${dialect}`, () => {
    let tp: TestPlatform;
    const lines: Record<string, any>[] = [];
    before(async () => {
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line));
          done();
        },
      });
      tp = await startTestPlatform(
        dialect,
        { TOLLGATE_API_PREFIXES: PREFIXES.join(','), TOLLGATE_RATE_LIMIT_PER_IP: '0' },
        { logger: pino({ level: 'info' }, sink) },
      );
    });
    after(() => tp.close());

    it('answers the same route identically under every prefix', async () => {
      const u = await createUser(tp);
      const added = await raw(tp, 'POST', `/gateway/whitelist-account/add?app_key=${u.appKey}`, { accounts: 'same1:pass1234' });
      assert.equal(JSON.parse(added.body).code, 200, added.body);
      const cases: [string, (prefix: string) => Promise<{ status: number; type: unknown; body: string }>][] = [
        ['user/info', (p) => raw(tp, 'GET', `${p}/user/info?app_key=${u.appKey}`)],
        ['whitelist-account/list', (p) => raw(tp, 'GET', `${p}/whitelist-account/list?app_key=${u.appKey}&language=en`)],
        ['a wrong app_key', (p) => raw(tp, 'GET', `${p}/user/info?app_key=nope`)],
        [
          'bad input',
          (p) => raw(tp, 'POST', `${p}/whitelist-account/add?app_key=${u.appKey}`, { accounts: 'x', product_type: 'no' }),
        ],
        ['an unknown endpoint', (p) => raw(tp, 'GET', `${p}/no-such-thing?language=en`)],
        ['the prefix alone', (p) => raw(tp, 'GET', p)],
      ];
      for (const [name, send] of cases) {
        const answers = [];
        for (const prefix of PREFIXES) answers.push(await send(prefix));
        const first = answers[0]!;
        assert.equal(first.status, 200, `${name}: the customer API answers HTTP 200`);
        assert.match(String(first.type), /^application\/json/, name);
        JSON.parse(first.body);
        for (const [i, answer] of answers.entries()) assert.deepEqual(answer, first, `${name} under ${PREFIXES[i]}`);
      }
      const unknown = JSON.parse((await raw(tp, 'GET', '/pub/no-such-thing')).body);
      assert.equal(unknown.code, 404);
    });

    it('a write under one prefix is seen under every other', async () => {
      const u = await createUser(tp);
      for (const [i, prefix] of PREFIXES.entries()) {
        const added = await raw(tp, 'POST', `${prefix}/whitelist-account/add?app_key=${u.appKey}`, {
          accounts: `pf${i}:pass1234`,
        });
        assert.equal(JSON.parse(added.body).code, 200, added.body);
      }
      for (const prefix of PREFIXES) {
        const listed = JSON.parse((await raw(tp, 'GET', `${prefix}/whitelist-account/list?app_key=${u.appKey}`)).body);
        assert.deepEqual(
          listed.data.list.map((a: { username: string }) => a.username).sort(),
          PREFIXES.map((_, i) => `pf${i}`),
        );
      }
    });

    it('answers an unconfigured prefix with the root 404, not the customer envelope', async () => {
      const u = await createUser(tp);
      for (const url of [
        '/end-point/user/info',
        '/gatewayx/user/info',
        '/api-v2/user/info',
        '/PUB/user/info',
        '/x/pub/user/info',
      ]) {
        const res = await tp.app.inject({ method: 'GET', url: `${url}?app_key=${u.appKey}` });
        assert.equal(res.statusCode, 404, url);
        assert.equal(res.json().code, 404, url);
      }
    });

    it('logs the URL the client asked for, its prefix included', async () => {
      const u = await createUser(tp);
      await raw(tp, 'GET', `/developers/user/info?app_key=${u.appKey}`);
      const logged = lines.filter((l) => l.msg === 'incoming request').map((l) => String(l.req?.url));
      assert.ok(
        logged.some((url) => url.startsWith('/developers/user/info?')),
        logged.slice(-3).join(', '),
      );
      // The app_key is redacted as everywhere else.
      assert.ok(!logged.some((url) => url.includes(u.appKey)));
    });

    it('answers over a real socket under every prefix', async () => {
      const u = await createUser(tp);
      const address = await tp.app.listen({ host: '127.0.0.1', port: 0 });
      const bodies = [];
      for (const prefix of PREFIXES) {
        const res = await fetch(`${address}${prefix}/user/info?app_key=${u.appKey}`);
        assert.equal(res.status, 200);
        bodies.push(await res.text());
      }
      assert.equal(JSON.parse(bodies[0]!).data.email, u.email);
      for (const body of bodies) assert.equal(body, bodies[0]);
    });
  });
}

describe('the per-IP rate limit counts every prefix together', () => {
  let tp: TestPlatform;
  before(async () => {
    tp = await startTestPlatform('sqlite', { TOLLGATE_API_PREFIXES: PREFIXES.join(','), TOLLGATE_RATE_LIMIT_PER_IP: '3' });
  });
  after(() => tp.close());

  it('refuses the fourth call in a second whichever prefix each used', async () => {
    const codes = [];
    for (const prefix of ['/gateway', '/api', '/api/v2', '/pub']) {
      const res = await tp.app.inject({ method: 'GET', url: `${prefix}/user/info?app_key=nope&language=en` });
      codes.push(res.json().code);
    }
    assert.notEqual(codes[0], 429);
    assert.equal(codes.at(-1), 429, codes.join(','));
  });
});
