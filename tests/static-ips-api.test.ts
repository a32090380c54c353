/**
 * Static IPs over HTTP: the customer's `static-ip-region` and `ip/get-static-ip` under every
 * prefix, and the operator's inventory and allocations under /admin — on every dialect, with
 * a clock the tests move.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type Answer, call, createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const PREFIXES = ['/gateway', '/end-point', '/api-gate-way', '/pub'];
const DAY = 86_400_000;
// 2024-05-13 12:14:15 in Asia/Shanghai.
const T0 = Date.UTC(2024, 4, 13, 4, 14, 15);

function assertCode(answer: Answer, code: number): void {
  assert.equal(answer.code, code, JSON.stringify(answer));
  assert.equal(answer.msg, answer.message);
}

for (const dialect of dialects()) {
  describe(`static IP API on ${dialect}`, () => {
    let tp: TestPlatform;
    let clock = T0;
    let auth: Record<string, string>;
    let port = 20_000;

    before(async () => {
      tp = await startTestPlatform(dialect, { TOLLGATE_TZ: 'Asia/Shanghai' }, { now: () => clock });
      auth = { authorization: `Bearer ${tp.platform.config.adminToken}` };
    });
    after(() => tp.close());
    beforeEach(async () => {
      clock = T0;
      await tp.platform.storage.db.deleteFrom('static_ip_allocations').execute();
      await tp.platform.storage.db.deleteFrom('static_ips').execute();
    });

    const admin = (method: 'GET' | 'POST' | 'PATCH', url: string, options: { json?: unknown; status?: number } = {}) =>
      call(tp.app, method, `/admin${url}`, { headers: auth, ...options });

    const addIp = async (country: string, productType: number, extra: Record<string, unknown> = {}) => {
      const answer = await admin('POST', '/static-ips', {
        json: { ip: '203.0.113.10', port: port++, country, product_type: productType, ...extra },
      });
      assertCode(answer, 200);
      return answer.data as { id: number; ip: string; port: number };
    };

    /** DELETE through the full stack (call() covers GET, POST and PATCH). */
    const remove = async (url: string, status = 200): Promise<Answer> => {
      const res = await tp.app.inject({ method: 'DELETE', url: `/admin${url}`, headers: auth });
      assert.equal(res.statusCode, status, res.body);
      return res.json() as Answer;
    };

    const allocate = async (userId: number, body: Record<string, unknown>, status = 200) =>
      admin('POST', `/users/${userId}/static-ips`, { json: body, status });

    const region = (prefix: string, appKey: string, query: Record<string, string | number> = {}) =>
      call(tp.app, 'GET', `${prefix}/static-ip-region`, { query: { app_key: appKey, ...query } });

    const mine = (appKey: string, query: Record<string, string | number> = {}, prefix = '/gateway') =>
      call(tp.app, 'GET', `${prefix}/ip/get-static-ip`, { query: { app_key: appKey, ...query } });

    describe('customer routes', () => {
      it('answer identically under every prefix', async () => {
        await addIp('US', 25);
        await addIp('US', 25);
        const u = await createUser(tp);
        await allocate(u.id, { country: 'US', product_type: 25, count: 1, days: 30 });
        for (const prefix of PREFIXES) {
          const counts = await region(prefix, u.appKey);
          assert.deepEqual(counts, {
            code: 200,
            msg: '操作成功',
            message: '操作成功',
            data: { list: [{ code: 'US', number: 1 }] },
          });
          const listed = await mine(u.appKey, {}, prefix);
          assertCode(listed, 200);
          assert.equal(listed.data.total_count, 1);
          assert.equal(listed.data.list[0].ip, '203.0.113.10');
          const refused = await call(tp.app, 'GET', `${prefix}/ip/get-static-ip`, { query: { app_key: 'wrong' } });
          assertCode(refused, 3);
        }
      });

      it('static-ip-region: isp 1 (default) counts residential, 0 datacenter; drops on allocation, back on expiry', async () => {
        for (let i = 0; i < 3; i++) await addIp('US', 25);
        await addIp('JP', 25);
        await addIp('DE', 14);
        await addIp('DE', 14);
        const u = await createUser(tp);
        const residential = [
          { code: 'JP', number: 1 },
          { code: 'US', number: 3 },
        ];
        assert.deepEqual((await region('/gateway', u.appKey)).data.list, residential);
        assert.deepEqual((await region('/gateway', u.appKey, { isp: 1 })).data.list, residential);
        assert.deepEqual((await region('/gateway', u.appKey, { isp: '' })).data.list, residential);
        assert.deepEqual((await region('/gateway', u.appKey, { isp: 0 })).data.list, [{ code: 'DE', number: 2 }]);
        const bad = await region('/gateway', u.appKey, { isp: 2, language: 'en' });
        assertCode(bad, 400);
        assert.ok(bad.errors?.isp, JSON.stringify(bad));

        await allocate(u.id, { country: 'US', product_type: 25, count: 2, days: 1 });
        await allocate(u.id, { country: 'DE', product_type: 14, count: 2, days: 3 });
        assert.deepEqual((await region('/gateway', u.appKey)).data.list, [
          { code: 'JP', number: 1 },
          { code: 'US', number: 1 },
        ]);
        assert.deepEqual((await region('/gateway', u.appKey, { isp: 0 })).data.list, []);
        clock = T0 + DAY;
        assert.deepEqual((await region('/gateway', u.appKey)).data.list, residential);
        assert.deepEqual((await region('/gateway', u.appKey, { isp: 0 })).data.list, []);
      });

      it('get-static-ip: every status, each filter, times in the platform zone', async () => {
        const u = await createUser(tp);
        const other = await createUser(tp);
        const us = [await addIp('US', 25), await addIp('US', 25), await addIp('US', 25), await addIp('US', 25)];
        const jp = await addIp('JP', 14);
        // valid (1), expiring (3), maintenance (4), released (2), expired (2, the JP one), and another user's.
        const [valid] = (await allocate(u.id, { country: 'US', product_type: 25, count: 1, days: 30, trade_no: 'T-A' })).data
          .list;
        const [soon] = (await allocate(u.id, { country: 'US', product_type: 25, count: 1, days: 3, trade_no: 'T-B' })).data.list;
        const [maint] = (await allocate(u.id, { country: 'US', product_type: 25, count: 1, days: 30, trade_no: 'T-B' })).data
          .list;
        const [gone] = (await allocate(u.id, { country: 'US', product_type: 25, count: 1, days: 30, trade_no: 'T-C' })).data.list;
        const [old] = (await allocate(u.id, { country: 'JP', product_type: 14, count: 1, days: 1 })).data.list;
        await admin('PATCH', `/static-ips/${maint.static_ip_id}`, { json: { maintenance: true } });
        await admin('POST', `/static-ip-allocations/${gone.id}/release`);
        clock = T0 + DAY + 1000;
        // The JP one expired: free for someone else.
        await allocate(other.id, { country: 'JP', product_type: 14, count: 1, days: 1 });
        assert.deepEqual(
          us.map((s) => s.id),
          [valid.static_ip_id, soon.static_ip_id, maint.static_ip_id, gone.static_ip_id],
        );
        assert.equal(old.static_ip_id, jp.id);

        const all = await mine(u.appKey);
        assertCode(all, 200);
        assert.deepEqual(
          { ...all.data, list: undefined },
          { list: undefined, page: 1, page_size: 20, total_count: 5, total_page: 1 },
        );
        assert.deepEqual(all.data.list[0], {
          id: valid.id,
          ip: '203.0.113.10',
          port: us[0]!.port,
          country_code: 'US',
          product_type: 25,
          asn: 0,
          trade_no: 'T-A',
          status: 1,
          created_at: '2024-05-13 12:14:15',
          expired_at: '2024-06-12 12:14:15',
        });
        const statusOf = (list: any[]) => list.map((x) => [x.id, x.status]);
        assert.deepEqual(statusOf(all.data.list), [
          [valid.id, 1],
          [soon.id, 3],
          [maint.id, 4],
          [gone.id, 2],
          [old.id, 2],
        ]);
        const ids = async (query: Record<string, string | number>) => {
          const answer = await mine(u.appKey, query);
          assertCode(answer, 200);
          assert.equal(answer.data.total_count, answer.data.list.length);
          return answer.data.list.map((x: any) => x.id);
        };
        assert.deepEqual(await ids({ status: 1 }), [valid.id]);
        assert.deepEqual(await ids({ status: 2 }), [gone.id, old.id]);
        assert.deepEqual(await ids({ status: 3 }), [soon.id]);
        assert.deepEqual(await ids({ status: 4 }), [maint.id]);
        assert.deepEqual(await ids({ country_code: 'jp' }), [old.id]);
        assert.deepEqual(await ids({ country_code: 'US', status: 2 }), [gone.id]);
        assert.deepEqual(await ids({ product_type: 14 }), [old.id]);
        assert.deepEqual(await ids({ product_type: 25 }), [valid.id, soon.id, maint.id, gone.id]);
        assert.deepEqual(await ids({ trade_no: 'T-B' }), [soon.id, maint.id]);
        assert.deepEqual(await ids({ trade_no: 'nope' }), []);
        // Empty optional fields are absent; unknown ones are ignored.
        assert.deepEqual(await ids({ status: '', product_type: '', country_code: '', trade_no: '', foo: 'bar' }), [
          valid.id,
          soon.id,
          maint.id,
          gone.id,
          old.id,
        ]);

        // Time moves: the 3-day one expires, the 30-day one starts expiring.
        clock = T0 + 27 * DAY + 1;
        assert.deepEqual(await ids({ status: 3 }), [valid.id]);
        assert.deepEqual(await ids({ status: 2 }), [soon.id, gone.id, old.id]);
        assert.deepEqual(await ids({ status: 1 }), []);

        // The other user sees only their own (a day's allocation, long expired by now).
        const theirs = await mine(other.appKey);
        assert.equal(theirs.data.total_count, 1);
        assert.deepEqual([theirs.data.list[0].port, theirs.data.list[0].status], [jp.port, 2]);
      });

      it('get-static-ip pages, and refuses a bad page, size, status or product_type', async () => {
        for (let i = 0; i < 5; i++) await addIp('US', 25);
        const u = await createUser(tp);
        const all = (await allocate(u.id, { country: 'US', product_type: 25, count: 5, days: 30 })).data.list.map(
          (a: any) => a.id,
        );
        const page = async (query: Record<string, string | number>) => (await mine(u.appKey, query)).data;
        const p1 = await page({ size: 2 });
        assert.deepEqual(
          { ...p1, list: p1.list.map((x: any) => x.id) },
          { list: all.slice(0, 2), page: 1, page_size: 2, total_count: 5, total_page: 3 },
        );
        const p3 = await page({ size: 2, page: 3 });
        assert.deepEqual(
          { ...p3, list: p3.list.map((x: any) => x.id) },
          { list: all.slice(4), page: 3, page_size: 2, total_count: 5, total_page: 3 },
        );
        const p4 = await page({ size: 2, page: 4 });
        assert.deepEqual(p4.list, []);
        assert.equal(p4.total_count, 5);
        assert.equal((await page({ size: 100 })).list.length, 5);
        for (const query of <Record<string, string | number>[]>[
          { size: 101 },
          { size: 0 },
          { page: 0 },
          { status: 5 },
          { product_type: 9 },
          { page: 'x' },
        ]) {
          const answer = await mine(u.appKey, { ...query, language: 'en' });
          assertCode(answer, 400);
          assert.equal(answer.msg.length > 0, true);
        }
      });
    });

    describe('ASN and exclusive IPs (the newer release’s static-ip-region flags)', () => {
      const newerRegion = (appKey: string, query: Record<string, string | number> = {}) =>
        call(tp.app, 'GET', '/developers/ip/static-ip-region', { query: { app_key: appKey, ...query } });

      it('the operator records an ASN on add and edit, lists by it, and bad ones are refused changing nothing', async () => {
        const a = await addIp('US', 25, { asn: 7922 });
        assert.equal((await admin('GET', '/static-ips')).data.list[0].asn, 7922);
        const b = await addIp('US', 25);
        assert.equal((await admin('GET', '/static-ips')).data.list[1].asn, 0);
        const big = await admin('PATCH', `/static-ips/${b.id}`, { json: { asn: 4_200_000_000 } });
        assertCode(big, 200);
        assert.equal(big.data.asn, 4_200_000_000);
        assert.equal(big.data.maintenance, false);
        const both = await admin('PATCH', `/static-ips/${b.id}`, { json: { asn: 3356, maintenance: true } });
        assert.deepEqual([both.data.asn, both.data.maintenance], [3356, true]);
        const byAsn = await call(tp.app, 'GET', '/admin/static-ips', { headers: auth, query: { asn: 7922 } });
        assert.deepEqual(
          byAsn.data.list.map((s: any) => s.id),
          [a.id],
        );
        const none = await call(tp.app, 'GET', '/admin/static-ips', { headers: auth, query: { asn: 0 } });
        assert.deepEqual(none.data.list, []);

        for (const asn of [23_456, 65_535]) {
          const reserved = await admin('PATCH', `/static-ips/${a.id}`, { json: { asn }, status: 400 });
          assertCode(reserved, 400);
          assert.deepEqual(Object.keys(reserved.errors ?? {}), ['asn']);
          const addReserved = await admin('POST', '/static-ips', {
            json: { ip: '192.0.2.9', port: 1, country: 'US', product_type: 25, asn },
            status: 400,
          });
          assert.deepEqual(Object.keys(addReserved.errors ?? {}), ['asn']);
        }
        for (const asn of [-1, 4_294_967_295, 1.5, '7922x']) {
          const bad = await admin('PATCH', `/static-ips/${a.id}`, { json: { asn }, status: 400 });
          assert.ok(bad.errors?.asn, JSON.stringify(bad));
        }
        const empty = await admin('PATCH', `/static-ips/${a.id}`, { json: {}, status: 400 });
        assertCode(empty, 400);
        const badList = await call(tp.app, 'GET', '/admin/static-ips', { headers: auth, query: { asn: 65_535 }, status: 400 });
        assert.ok(badList.errors?.asn, JSON.stringify(badList));
        // Nothing changed by the refused calls, and no IP was added.
        const after = (await admin('GET', '/static-ips')).data.list;
        assert.deepEqual(
          after.map((s: any) => [s.id, s.asn, s.maintenance]),
          [
            [a.id, 7922, false],
            [b.id, 3356, true],
          ],
        );
        assertCode(await admin('PATCH', '/static-ips/999999', { json: { asn: 1 }, status: 404 }), 6401);
      });

      it('asn: 1 counts per country and ASN under /developers/ip/static-ip-region and the documents’ path', async () => {
        await addIp('US', 25, { asn: 7922 });
        await addIp('US', 25, { asn: 7922 });
        await addIp('US', 25, { asn: 701 });
        await addIp('US', 25);
        await addIp('JP', 25, { asn: 2516 });
        await addIp('DE', 14, { asn: 3320 });
        const u = await createUser(tp);
        const perCountry = [
          { code: 'JP', number: 1 },
          { code: 'US', number: 4 },
        ];
        const perAsn = [
          { code: 'JP', asn: 2516, number: 1 },
          { code: 'US', asn: 0, number: 1 },
          { code: 'US', asn: 701, number: 1 },
          { code: 'US', asn: 7922, number: 2 },
        ];
        assert.deepEqual((await newerRegion(u.appKey)).data.list, perCountry);
        assert.deepEqual((await newerRegion(u.appKey, { asn: 0 })).data.list, perCountry);
        assert.deepEqual((await newerRegion(u.appKey, { asn: 1 })).data.list, perAsn);
        assert.deepEqual((await region('/gateway', u.appKey, { asn: 1 })).data.list, perAsn);
        assert.deepEqual((await newerRegion(u.appKey, { asn: 1, isp: 0 })).data.list, [{ code: 'DE', asn: 3320, number: 1 }]);
        // Allocation and maintenance take IPs out of their group.
        await allocate(u.id, { country: 'JP', product_type: 25, count: 1, days: 30 });
        const [ip701] = (await admin('GET', '/static-ips')).data.list.filter((s: any) => s.asn === 701);
        await admin('PATCH', `/static-ips/${ip701.id}`, { json: { maintenance: true } });
        assert.deepEqual((await newerRegion(u.appKey, { asn: 1 })).data.list, [
          { code: 'US', asn: 0, number: 1 },
          { code: 'US', asn: 7922, number: 2 },
        ]);
        const bad = await newerRegion(u.appKey, { asn: 7922 });
        assertCode(bad, 400);
        assert.ok(bad.errors?.asn);
        assertCode(await call(tp.app, 'GET', '/developers/ip/static-ip-region', { query: { app_key: 'wrong' } }), 3);
      });

      it('exclusive: 1 counts only IPs no customer ever held, and allocation hands those out first', async () => {
        const [a, b, c] = [await addIp('US', 25), await addIp('US', 25), await addIp('US', 25)];
        const u = await createUser(tp);
        const other = await createUser(tp);
        assert.deepEqual((await newerRegion(u.appKey, { exclusive: 1 })).data.list, [{ code: 'US', number: 3 }]);
        // u holds a for a day; once it expires a is free again but no longer exclusive.
        const [first] = (await allocate(u.id, { country: 'US', product_type: 25, count: 1, days: 1 })).data.list;
        assert.equal(first.static_ip_id, a.id);
        assert.deepEqual((await newerRegion(u.appKey, { exclusive: 1 })).data.list, [{ code: 'US', number: 2 }]);
        clock = T0 + DAY + 1000;
        assert.deepEqual((await newerRegion(u.appKey)).data.list, [{ code: 'US', number: 3 }]);
        assert.deepEqual((await newerRegion(u.appKey, { exclusive: 0 })).data.list, [{ code: 'US', number: 3 }]);
        assert.deepEqual((await newerRegion(u.appKey, { exclusive: 1 })).data.list, [{ code: 'US', number: 2 }]);
        assert.deepEqual((await newerRegion(u.appKey, { exclusive: 1, asn: 1 })).data.list, [{ code: 'US', asn: 0, number: 2 }]);
        // The next buyer gets a never-held IP although a has the lower id; then the held one.
        const [second] = (await allocate(other.id, { country: 'US', product_type: 25, count: 1, days: 30 })).data.list;
        assert.equal(second.static_ip_id, b.id);
        const rest = (await allocate(other.id, { country: 'US', product_type: 25, count: 2, days: 30 })).data.list;
        assert.deepEqual(
          rest.map((r: any) => r.static_ip_id),
          [c.id, a.id],
        );
        assert.deepEqual((await newerRegion(u.appKey, { exclusive: 1 })).data.list, []);
        const bad = await newerRegion(u.appKey, { exclusive: 2 });
        assertCode(bad, 400);
        assert.ok(bad.errors?.exclusive);
      });

      it('get-static-ip shows each IP’s ASN', async () => {
        await addIp('US', 25, { asn: 7922 });
        const u = await createUser(tp);
        await allocate(u.id, { country: 'US', product_type: 25, count: 1, days: 30 });
        const listed = await call(tp.app, 'GET', '/developers/ip/get-static-ip', { query: { app_key: u.appKey } });
        assert.equal(listed.data.list[0].asn, 7922);
      });
    });

    describe('admin routes', () => {
      it('add, list, maintenance, remove', async () => {
        const added = await admin('POST', '/static-ips', {
          json: {
            ip: '2001:DB8::1',
            port: 8080,
            country: 'us',
            state: 'CA',
            city: 'San_Jose',
            product_type: 14,
            url: 'http://alice:secret@proxy.example.com:3128',
          },
        });
        assertCode(added, 200);
        assert.deepEqual(added.data, {
          id: added.data.id,
          ip: '2001:db8::1',
          port: 8080,
          country: 'US',
          state: 'ca',
          city: 'san_jose',
          product_type: 14,
          url: 'http://alice:***@proxy.example.com:3128',
          maintenance: false,
          asn: 0,
          created_at: new Date(T0).toISOString(),
          allocation: null,
        });
        const dup = await admin('POST', '/static-ips', {
          json: { ip: '2001:db8:0::1', port: 8080, country: 'US', product_type: 25 },
          status: 409,
        });
        assertCode(dup, 6402);
        const bad = await admin('POST', '/static-ips', {
          json: { ip: 'nope', port: 1, country: 'US', product_type: 25, url: 'direct://example.com' },
          status: 400,
        });
        assertCode(bad, 400);
        assert.deepEqual(Object.keys(bad.errors ?? {}).sort(), ['ip', 'url']);
        const badType = await admin('POST', '/static-ips', {
          json: { ip: '192.0.2.1', port: 1, country: 'US', product_type: 9 },
          status: 400,
        });
        assert.ok(badType.errors?.product_type);

        const other = await addIp('JP', 25);
        const listed = await admin('GET', '/static-ips');
        assert.deepEqual(
          listed.data.list.map((s: any) => s.id),
          [added.data.id, other.id],
        );
        const filtered = await call(tp.app, 'GET', '/admin/static-ips', { headers: auth, query: { country: 'jp' } });
        assert.deepEqual(
          filtered.data.list.map((s: any) => s.id),
          [other.id],
        );

        const on = await admin('PATCH', `/static-ips/${other.id}`, { json: { maintenance: true } });
        assert.equal(on.data.maintenance, true);
        const off = await admin('PATCH', `/static-ips/${other.id}`, { json: { maintenance: false } });
        assert.equal(off.data.maintenance, false);
        assertCode(await admin('PATCH', '/static-ips/999999', { json: { maintenance: true }, status: 404 }), 6401);

        const removed = await remove(`/static-ips/${other.id}`);
        assertCode(removed, 200);
        assertCode(await remove(`/static-ips/${other.id}`, 404), 6401);
        assert.equal((await admin('GET', '/static-ips')).data.list.length, 1);
        assertCode(await call(tp.app, 'GET', '/admin/static-ips', { status: 401 }), 1004);
      });

      it('allocate (all or none), release, and remove refused while allocated', async () => {
        const a = await addIp('US', 25);
        await addIp('US', 25);
        const u = await createUser(tp);
        const none = await allocate(u.id, { country: 'US', product_type: 25, count: 3, days: 30 }, 409);
        assertCode(none, 6404);
        assert.deepEqual(none.data, { region: 'US:3', available: 2 });
        assert.equal(none.msg, '库存不足:US:3');
        assert.deepEqual(
          (await admin('GET', '/static-ips')).data.list.map((s: any) => s.allocation),
          [null, null],
        );
        assertCode(await allocate(999_999, { country: 'US', product_type: 25, count: 1, days: 1 }, 404), 3001);
        assertCode(await allocate(u.id, { country: 'US', product_type: 25, count: 0, days: 1 }, 400), 400);

        const given = await allocate(u.id, { country: 'US', product_type: 25, count: 1, days: 30, trade_no: 'T-1' });
        const [alloc] = given.data.list;
        assert.deepEqual(alloc, {
          id: alloc.id,
          static_ip_id: a.id,
          user_id: u.id,
          ip: '203.0.113.10',
          port: a.port,
          country: 'US',
          product_type: 25,
          asn: 0,
          trade_no: 'T-1',
          created_at: new Date(T0).toISOString(),
          expired_at: new Date(T0 + 30 * DAY).toISOString(),
          released_at: null,
        });
        const listed = await admin('GET', '/static-ips');
        assert.deepEqual(listed.data.list[0].allocation, {
          id: alloc.id,
          user_id: u.id,
          trade_no: 'T-1',
          created_at: new Date(T0).toISOString(),
          expired_at: new Date(T0 + 30 * DAY).toISOString(),
        });
        assertCode(await remove(`/static-ips/${a.id}`, 409), 6403);

        const renewed = await admin('POST', `/static-ip-allocations/${alloc.id}/renew`, { json: { days: 7 } });
        assert.equal(renewed.data.expired_at, new Date(T0 + 37 * DAY).toISOString(), 'renewal adds to the expiry');
        assertCode(await admin('POST', `/static-ip-allocations/${alloc.id}/renew`, { json: { days: 0 }, status: 400 }), 400);
        assertCode(await admin('POST', '/static-ip-allocations/999999/renew', { json: { days: 1 }, status: 404 }), 6405);

        clock = T0 + 5000;
        const released = await admin('POST', `/static-ip-allocations/${alloc.id}/release`);
        assert.equal(released.data.released_at, new Date(T0 + 5000).toISOString());
        assertCode(await admin('POST', `/static-ip-allocations/${alloc.id}/release`, { status: 404 }), 6405);
        assert.equal((await admin('GET', '/static-ips')).data.list[0].allocation, null);
        const status = await mine(u.appKey);
        assert.equal(status.data.list[0].status, 2);
        assertCode(await remove(`/static-ips/${a.id}`), 200);
      });
    });
  });
}
