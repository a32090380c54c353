/**
 * IP extraction (`ip/v3`) through the API: every parameter, every refusal,
 * atomic leases of ports from the configured range, expiry returning ports —
 * on every dialect, under every prefix.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeSeparator } from '../src/api/routes/customer/extraction.js';
import { grantTestPackage } from './helpers/gateway.js';
import { type Answer, call, createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const PREFIXES = ['/gateway', '/end-point', '/api-gate-way', '/pub'];

function assertCode(answer: Answer, code: number): void {
  assert.equal(answer.code, code, JSON.stringify(answer));
}

describe('lb separators', () => {
  it('reads the usual escapes and defaults to CR LF', () => {
    assert.equal(decodeSeparator(undefined), '\r\n');
    assert.equal(decodeSeparator('\\r\\n'), '\r\n');
    assert.equal(decodeSeparator('\\n'), '\n');
    assert.equal(decodeSeparator('\\t'), '\t');
    assert.equal(decodeSeparator(','), ',');
    assert.equal(decodeSeparator('<br>'), '<br>');
    assert.equal(decodeSeparator('\\\\'), '\\');
  });
});

for (const dialect of dialects()) {
  describe(`ip/v3 on ${dialect}`, () => {
    let clock = Date.parse('2026-11-23T12:00:00Z');
    let tp: TestPlatform;
    let user: { id: number; appKey: string };

    before(async () => {
      tp = await startTestPlatform(
        dialect,
        {
          TOLLGATE_EXTRACT_PORTS: '21000-21009',
          // These tests run one user out of the range; the per-user cap has tests of its own (abuse-api.test.ts).
          TOLLGATE_EXTRACT_LEASE_MAX: '100',
          TOLLGATE_EXTRACT_ENTRIES: 'us=us.gw.example.com,hk=hk.gw.example.com',
          TOLLGATE_EXTRACT_NUM_MAX: '8',
          TOLLGATE_EXTRACT_LIFE_MAX: '60',
        },
        { now: () => clock },
      );
      const nodes = tp.platform.services.nodes;
      await nodes.add({ url: 'direct://127.0.0.2', country: 'US', state: 'ca', city: 'losangeles', types: [9] });
      await nodes.add({ url: 'direct://127.0.0.3', country: 'US', state: 'ny', city: 'newyork', types: [9] });
      await nodes.add({ url: 'direct://127.0.0.4', country: 'DE', types: [11] });
      user = await createUser(tp);
      await grantTestPackage(tp, user.id, 1024 ** 3);
      await tp.platform.services.whiteIps.add(user.id, '127.0.0.9', '');
    });
    after(() => tp.close());

    const extract = (query: Record<string, string | number>, appKey = user.appKey, prefix = '/gateway') =>
      call(tp.app, 'GET', `${prefix}/ip/v3`, { query: { app_key: appKey, ...query } });
    const leases = () => tp.platform.storage.db.selectFrom('extract_leases').selectAll().orderBy('port').execute();
    const live = async () => (await leases()).filter((l) => Number(l.expires_at) > clock);

    it('leases one port by default, bound to a matching exit, for the default life, in the documents’ nesting', async () => {
      const answer = await extract({ cc: 'us', state: 'CA', city: 'Los Angeles' });
      assertCode(answer, 200);
      assert.equal(answer.data.list.length, 1);
      assert.equal(answer.data.list[0].length, 1);
      const [endpoint] = answer.data.list[0];
      assert.match(endpoint, /^us\.gw\.example\.com:210\d\d$/, 'the first entry region when ep is absent');
      const port = Number(endpoint.split(':')[1]);
      const row = (await leases()).find((l) => l.port === port);
      assert.ok(row);
      assert.equal(Number(row.user_id), user.id);
      assert.equal(row.country, 'US');
      assert.equal(row.state, 'ca');
      assert.equal(row.city, 'losangeles');
      assert.equal(Number(row.expires_at), clock + 10 * 60_000);
      const node = (await tp.platform.services.nodes.list()).find((n) => n.id === Number(row.node_id));
      assert.equal(node?.city, 'losangeles');
      const changes = await tp.platform.storage.db
        .selectFrom('change_log')
        .select('entity_id')
        .where('entity', '=', 'extract_lease')
        .execute();
      assert.ok(
        changes.some((c) => Number(c.entity_id) === port),
        'the gateway hears of the lease',
      );
    });

    it('num, life, ep and the text format with lb', async () => {
      const answer = await extract({ num: 3, life: 30, ep: 'HK', cc: 'US' });
      assertCode(answer, 200);
      const list: string[] = answer.data.list[0];
      assert.equal(list.length, 3);
      assert.equal(new Set(list).size, 3, 'distinct ports');
      for (const e of list) assert.match(e, /^hk\.gw\.example\.com:210\d\d$/);
      const res = await tp.app.inject({
        method: 'GET',
        url: `/pub/ip/v3?app_key=${user.appKey}&format=text&num=2&lb=%5Cn`,
      });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/plain/);
      const lines = res.body.split('\n');
      assert.equal(lines.length, 2, res.body);
      for (const l of lines) assert.match(l, /^us\.gw\.example\.com:210\d\d$/);
      const crlf = await tp.app.inject({ method: 'GET', url: `/pub/ip/v3?app_key=${user.appKey}&format=text&num=2` });
      assert.equal(crlf.body.split('\r\n').length, 2, 'default separator CR LF');
      assert.equal((await live()).length, 1 + 3 + 2 + 2);
    });

    it('refuses bad parameters with clear codes and leases nothing', async () => {
      const before = (await live()).length;
      const cases: [Record<string, string | number>, number, RegExp?][] = [
        [{ num: 9 }, 400, /num/],
        [{ num: 0 }, 400],
        [{ num: 'x' }, 400],
        [{ life: 61 }, 400, /life/],
        [{ life: 0 }, 400],
        [{ format: 'xml' }, 400],
        [{ ep: 'mars' }, 6206],
        [{ cc: 'ZZ' }, 6201],
        [{ cc: 'FR' }, 6201],
        [{ cc: 'US', state: 'tx' }, 6201],
        [{ cc: 'US', city: 'chicago' }, 6201],
        [{ cc: 'DE' }, 6202],
      ];
      for (const [query, code, field] of cases) {
        const answer = await extract(query);
        assertCode(answer, code);
        if (field) assert.match(JSON.stringify(answer.errors), field);
      }
      const en = await extract({ cc: 'DE', language: 'en' });
      assert.equal(en.msg, 'No exit available for DE/*/*');
      assert.equal((await live()).length, before, 'nothing leased');
    });

    it('refuses a caller without a valid package; a whitelisted IP is not demanded', async () => {
      const bare = await createUser(tp);
      assertCode(await extract({}, bare.appKey), 6204);
      await grantTestPackage(tp, bare.id, 1000, { expiresAt: clock - 1 });
      assertCode(await extract({}, bare.appKey), 6204);
      const used = await grantTestPackage(tp, bare.id, 1000);
      await tp.platform.storage.db.updateTable('user_packages').set({ used_bytes: 1000 }).where('id', '=', used).execute();
      assertCode(await extract({}, bare.appKey), 6204);
      assertCode(await extract({}, 'wrong-key'), 3);
      // No whitelisted IP: the lease is still made (the lessee's sub-account credentials open it).
      await grantTestPackage(tp, bare.id, 1000);
      const leased = await extract({}, bare.appKey);
      assertCode(leased, 200);
      assert.equal(leased.data.list.length, 1);
    });

    it('is atomic when the range runs short, and expired leases return their ports', async () => {
      const leased = (await live()).length;
      const free = 10 - leased;
      assert.ok(free > 0 && free < 8);
      assertCode(await extract({ num: free + 1 }), 6203);
      assert.equal((await live()).length, leased, 'nothing leased when the range runs short');
      assertCode(await extract({ num: free }), 200);
      assertCode(await extract({}), 6203);
      clock += 61 * 60_000;
      assert.equal((await live()).length, 0);
      const again = await extract({ num: 8, life: 1 });
      assertCode(again, 200);
      assert.equal(again.data.list[0].length, 8, 'expired ports are leased again');
    });

    it('answers under every prefix', async () => {
      clock += 2 * 60_000;
      for (const prefix of PREFIXES) assertCode(await extract({}, user.appKey, prefix), 200);
    });
  });
}

describe('ip/v3 when extraction is off', () => {
  it('answers 6207', async () => {
    const tp = await startTestPlatform('sqlite', { TOLLGATE_EXTRACT_PORTS: 'off' });
    try {
      const user = await createUser(tp);
      assertCode(await call(tp.app, 'GET', '/gateway/ip/v3', { query: { app_key: user.appKey } }), 6207);
    } finally {
      await tp.close();
    }
  });
});
