/** Traffic packages over the API on every dialect: `user-product/list` and `summary`, and the operator's grants. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const PREFIXES = ['/gateway', '/end-point', '/api-gate-way', '/pub'];
const DAY = 86_400_000;
const KB = 1024;
const GB = 1024 ** 3;
/** 2026-11-23 12:00:00 UTC, 20:00:00 in Asia/Shanghai. */
const T = Date.UTC(2026, 10, 23, 12, 0, 0);

for (const dialect of dialects()) {
  describe(`packages API on ${dialect}`, () => {
    let tp: TestPlatform;
    let clock = T;
    let admin: Record<string, string>;

    before(async () => {
      tp = await startTestPlatform(dialect, { TOLLGATE_TZ: 'Asia/Shanghai' }, { now: () => clock });
      admin = { authorization: `Bearer ${tp.platform.config.adminToken}` };
    });
    after(() => tp.close());

    const packages = () => tp.platform.services.packages;
    const setUsed = (id: number, bytes: number) =>
      tp.platform.storage.db.updateTable('user_packages').set({ used_bytes: bytes }).where('id', '=', id).execute();
    const inject = async (method: 'DELETE', url: string, status: number) => {
      const res = await tp.app.inject({ method, url, headers: admin });
      assert.equal(res.statusCode, status, res.body);
      return res.json();
    };

    describe('user-product/list', () => {
      let user: { id: number; appKey: string };
      let ids: number[];

      before(async () => {
        clock = T;
        user = await createUser(tp);
        ids = [];
        for (let i = 0; i < 25; i++) {
          const p = await packages().grant({
            userId: user.id,
            productType: i === 3 ? 12 : 9,
            totalBytes: (i + 1) * GB,
            days: 30,
            startsAt: T - i * DAY,
            tradeNo: i === 7 ? '2022051312134339861461465434' : undefined,
            title: i === 0 ? '入门级' : undefined,
          });
          ids.push(p.id);
        }
        await setUsed(ids[0]!, 3 * KB + 1000);
        // Someone else's package, and a withdrawn one: neither is listed.
        const stranger = await createUser(tp);
        await packages().grant({ userId: stranger.id, productType: 9, totalBytes: GB, days: 1 });
        const withdrawn = await packages().grant({ userId: user.id, productType: 9, totalBytes: GB, days: 1 });
        await packages().revoke(withdrawn.id);
      });

      it('answers the documents’ shape with defaults page 1, size 20, newest first', async () => {
        const answer = await call(tp.app, 'GET', '/api-gate-way/user-product/list', { query: { app_key: user.appKey } });
        assert.equal(answer.code, 200);
        assert.deepEqual(
          { ...answer.data, list: answer.data.list.length },
          { list: 20, page: 1, page_size: 20, total_count: 25, total_page: 2 },
        );
        assert.deepEqual(
          answer.data.list.map((p: { id: number }) => p.id),
          [...ids].reverse().slice(0, 20),
        );
        const first = answer.data.list.at(-1);
        assert.match(first.trade_no, /^20261123200000\d{14}$/);
        assert.deepEqual(first, {
          id: ids[5],
          created_at: '2026-11-18 20:00:00',
          expired_at: '2026-12-18 20:00:00',
          product_type: 9,
          trade_no: first.trade_no,
          total: 6 * 1024 * 1024,
          used: 0,
          bandwidth_mbps: 0,
          concurrency: 0,
          order: { created_at: '2026-11-23 20:00:00', pay_at: '2026-11-23 20:00:00', title: 'Granted by operator' },
        });
      });

      it('pages, filters by exact trade_no and product_type, and reads empty parameters as absent', async () => {
        const page = await call(tp.app, 'GET', '/pub/user-product/list', {
          query: { app_key: user.appKey, page: 2, size: 10, trade_no: '', product_type: '' },
        });
        assert.deepEqual(
          page.data.list.map((p: { id: number }) => p.id),
          [...ids].reverse().slice(10, 20),
        );
        assert.deepEqual([page.data.page, page.data.page_size, page.data.total_count, page.data.total_page], [2, 10, 25, 3]);
        const last = await call(tp.app, 'GET', '/pub/user-product/list', { query: { app_key: user.appKey, page: 3, size: 10 } });
        const oldest = last.data.list.at(-1);
        assert.deepEqual([oldest.id, oldest.total, oldest.used, oldest.order.title], [ids[0], 1024 * 1024, 3, '入门级']);
        const beyond = await call(tp.app, 'GET', '/pub/user-product/list', { query: { app_key: user.appKey, page: 9 } });
        assert.deepEqual([beyond.data.list, beyond.data.total_count], [[], 25]);

        const byTrade = await call(tp.app, 'GET', '/gateway/user-product/list', {
          query: { app_key: user.appKey, trade_no: '2022051312134339861461465434' },
        });
        assert.deepEqual(
          byTrade.data.list.map((p: { id: number }) => p.id),
          [ids[7]],
        );
        const partial = await call(tp.app, 'GET', '/gateway/user-product/list', {
          query: { app_key: user.appKey, trade_no: '20220513121343' },
        });
        assert.equal(partial.data.total_count, 0);
        const type12 = await call(tp.app, 'GET', '/end-point/user-product/list', {
          query: { app_key: user.appKey, product_type: 12 },
        });
        assert.deepEqual(
          type12.data.list.map((p: { id: number; product_type: number }) => [p.id, p.product_type]),
          [[ids[3], 12]],
        );
        const type11 = await call(tp.app, 'GET', '/end-point/user-product/list', {
          query: { app_key: user.appKey, product_type: 11 },
        });
        assert.deepEqual([type11.code, type11.data.total_count, type11.data.total_page], [200, 0, 0]);
      });

      it('refuses bad page, size and product_type with code 400 naming each, in English on request', async () => {
        for (const [query, fields] of [
          [{ page: 0 }, ['page']],
          [{ size: 101 }, ['size']],
          [{ size: 0, page: 'x' }, ['page', 'size']],
          [{ product_type: 13 }, ['product_type']],
        ] as const) {
          const answer = await call(tp.app, 'GET', '/pub/user-product/list', { query: { app_key: user.appKey, ...query } });
          assert.equal(answer.code, 400, JSON.stringify(query));
          assert.equal(answer.msg, '参数错误');
          assert.deepEqual(Object.keys(answer.errors ?? {}).sort(), [...fields]);
        }
        const en = await call(tp.app, 'GET', '/pub/user-product/list', {
          query: { app_key: user.appKey, size: 500, language: 'en' },
        });
        assert.deepEqual([en.code, en.msg, en.message, en.data], [400, 'Invalid parameters', 'Invalid parameters', null]);
        assert.match(en.errors?.size ?? '', /100/);
        const noKey = await call(tp.app, 'GET', '/pub/user-product/list', { query: { language: 'en' } });
        assert.deepEqual([noKey.code, noKey.msg], [3, 'Invalid or missing app_key']);
      });

      for (const prefix of PREFIXES) {
        it(`answers the same under ${prefix}`, async () => {
          const answer = await call(tp.app, 'GET', `${prefix}/user-product/list`, { query: { app_key: user.appKey, size: 1 } });
          assert.deepEqual([answer.code, answer.data.list[0].id, answer.data.total_count], [200, ids.at(-1), 25]);
          const summary = await call(tp.app, 'GET', `${prefix}/user-product/summary`, { query: { app_key: user.appKey } });
          assert.deepEqual([summary.code, summary.data.total_count], [200, 24]);
        });
      }
    });

    describe('user-product/summary', () => {
      let user: { id: number; appKey: string };

      before(async () => {
        clock = T;
        user = await createUser(tp);
        const stranger = await createUser(tp);
        const grant = async (kb: number, startsAt: number, days: number, usedBytes = 0, productType = 9, userId = user.id) => {
          const p = await packages().grant({ userId, productType, totalBytes: kb * KB, days, startsAt });
          if (usedBytes > 0) await setUsed(p.id, usedBytes);
          return p;
        };
        await grant(589_824, T, 30, 233_472 * KB); // valid
        await grant(131_072, T - 27 * DAY, 30, 28_672 * KB); // valid, expiring in 3 days
        await grant(65_536, T, 60); // valid, unused
        await grant(262_144, T - 31 * DAY, 30, 210_944 * KB); // expired yesterday with leftovers
        await packages().revoke((await grant(1_000_000, T, 30)).id); // withdrawn
        await grant(999, T, 30, 0, 9, stranger.id); // someone else's
        await grant(2_048, T - 40 * DAY, 30, 1 * KB, 12); // another product type, expired
      });

      it('pins the figures in KB at the platform’s clock, type 9 by default', async () => {
        const answer = await call(tp.app, 'GET', '/api-gate-way/user-product/summary', { query: { app_key: user.appKey } });
        assert.equal(answer.code, 200);
        assert.deepEqual(answer.data, {
          total: 1_048_576,
          total_count: 4,
          effective: 524_288,
          effective_count: 3,
          effective_total: 786_432,
          effective_used: 262_144,
          temporary: 102_400,
          temporary_count: 1,
          expired: 51_200,
          expired_count: 1,
          used: 473_088,
        });
        const type12 = await call(tp.app, 'GET', '/api-gate-way/user-product/summary', {
          query: { app_key: user.appKey, product_type: 12 },
        });
        assert.deepEqual(type12.data, {
          total: 2_048,
          total_count: 1,
          effective: 0,
          effective_count: 0,
          effective_total: 0,
          effective_used: 0,
          temporary: 0,
          temporary_count: 0,
          expired: 2_047,
          expired_count: 1,
          used: 1,
        });
      });

      it('moves packages with the clock: four days on, the 3-day one has expired', async () => {
        clock = T + 4 * DAY;
        try {
          const answer = await call(tp.app, 'GET', '/pub/user-product/summary', {
            query: { app_key: user.appKey, product_type: 9 },
          });
          assert.deepEqual(
            [
              answer.data.effective_count,
              answer.data.effective,
              answer.data.temporary_count,
              answer.data.expired_count,
              answer.data.expired,
            ],
            [2, 421_888, 0, 2, 153_600],
          );
        } finally {
          clock = T;
        }
      });

      it('accepts only product_type 9 or 12 (code 400)', async () => {
        for (const productType of [11, 14, 25, 0, 'x']) {
          const answer = await call(tp.app, 'GET', '/pub/user-product/summary', {
            query: { app_key: user.appKey, product_type: productType, language: 'en' },
          });
          assert.deepEqual([answer.code, answer.msg], [400, 'Invalid parameters'], String(productType));
          assert.ok(answer.errors?.product_type, String(productType));
        }
        const empty = await call(tp.app, 'GET', '/pub/user-product/summary', {
          query: { app_key: user.appKey, product_type: '' },
        });
        assert.equal(empty.data.total, 1_048_576);
      });

      it('answers in well under 50 ms (p50) over 1,000 packages', async () => {
        const many = await createUser(tp);
        const rows = Array.from({ length: 1000 }, (_, i) => ({
          user_id: many.id,
          product_type: 9,
          total_bytes: GB,
          used_bytes: i * KB,
          starts_at: T - (i % 60) * DAY,
          expires_at: T + (30 - (i % 60)) * DAY,
          trade_no: `BULK${i}`,
          title: 'bulk',
          order_created_at: T,
          order_pay_at: T,
          status: 1,
          created_at: T,
          updated_at: T,
        }));
        await tp.platform.storage.db.insertInto('user_packages').values(rows).execute();
        const times: number[] = [];
        let data: { total_count?: number; effective_count?: number; expired_count?: number } = {};
        for (let i = 0; i < 21; i++) {
          const started = performance.now();
          data = (await call(tp.app, 'GET', '/pub/user-product/summary', { query: { app_key: many.appKey } })).data;
          times.push(performance.now() - started);
        }
        times.sort((a, b) => a - b);
        const p50 = times[10]!;
        assert.equal(data.total_count, 1000);
        // Expired: i % 60 in 30..59 (ends at or before now): 16 × 30 + 10.
        assert.deepEqual([data.effective_count, data.expired_count], [510, 490]);
        assert.ok(p50 < 50, `p50 ${p50.toFixed(1)} ms`);
      });
    });

    describe('admin grants', () => {
      it('grants by gb (fractional) or kb, defaults and given fields, and lists withdrawn ones too', async () => {
        clock = T;
        const user = await createUser(tp);
        const half = await call(tp.app, 'POST', `/admin/users/${user.id}/packages`, {
          headers: admin,
          json: { gb: 0.5, days: 30 },
        });
        assert.equal(half.code, 200);
        assert.match(half.data.trade_no, /^20261123200000\d{14}$/);
        assert.deepEqual(
          { ...half.data, id: 0, trade_no: '' },
          {
            id: 0,
            user_id: user.id,
            product_type: 9,
            total_bytes: GB / 2,
            used_bytes: 0,
            total: 512 * 1024,
            used: 0,
            bandwidth_mbps: 0,
            concurrency: 0,
            starts_at: '2026-11-23T12:00:00.000Z',
            expires_at: '2026-12-23T12:00:00.000Z',
            trade_no: '',
            title: 'Granted by operator',
            status: 1,
            order_created_at: '2026-11-23T12:00:00.000Z',
            order_pay_at: '2026-11-23T12:00:00.000Z',
            created_at: '2026-11-23T12:00:00.000Z',
          },
        );
        const local = await call(tp.app, 'POST', `/admin/users/${user.id}/packages`, {
          headers: admin,
          json: {
            product_type: 12,
            kb: 100,
            days: 7,
            title: 'Trial',
            trade_no: `ADM-${user.id}`,
            starts_at: '2026-12-01 08:00:00',
          },
        });
        assert.deepEqual(
          [local.data.product_type, local.data.total_bytes, local.data.title, local.data.trade_no, local.data.starts_at],
          [12, 100 * KB, 'Trial', `ADM-${user.id}`, '2026-12-01T00:00:00.000Z'],
        );
        const iso = await call(tp.app, 'POST', `/admin/users/${user.id}/packages`, {
          headers: admin,
          json: { kb: 1, days: 1, starts_at: '2026-12-01T08:00:00+08:00' },
        });
        assert.equal(iso.data.starts_at, '2026-12-01T00:00:00.000Z');

        // The customer sees the grants at once.
        const list = await call(tp.app, 'GET', '/pub/user-product/list', { query: { app_key: user.appKey } });
        assert.equal(list.data.total_count, 3);

        const revoked = await inject('DELETE', `/admin/packages/${half.data.id}`, 200);
        assert.deepEqual([revoked.code, revoked.data.id, revoked.data.status], [200, half.data.id, 0]);
        const afterRevoke = await call(tp.app, 'GET', '/pub/user-product/list', { query: { app_key: user.appKey } });
        assert.equal(afterRevoke.data.total_count, 2);
        const adminList = await call(tp.app, 'GET', `/admin/users/${user.id}/packages`, { headers: admin });
        assert.deepEqual(
          adminList.data.list.map((p: { id: number; status: number }) => [p.id, p.status]),
          [
            [iso.data.id, 1],
            [local.data.id, 1],
            [half.data.id, 0],
          ],
        );
        assert.deepEqual([adminList.data.page, adminList.data.page_size, adminList.data.total_count], [1, 20, 3]);
        const filtered = await call(tp.app, 'GET', `/admin/users/${user.id}/packages`, {
          headers: admin,
          query: { trade_no: `ADM-${user.id}` },
        });
        assert.deepEqual(
          filtered.data.list.map((p: { id: number }) => p.id),
          [local.data.id],
        );
      });

      it('grants a time package (11): bandwidth_mbps and concurrency, no size', async () => {
        const user = await createUser(tp);
        const granted = await call(tp.app, 'POST', `/admin/users/${user.id}/packages`, {
          headers: admin,
          json: { product_type: 11, bandwidth_mbps: 20, concurrency: 3, days: 30, title: 'Time 20M x3' },
        });
        assert.deepEqual(
          [granted.data.product_type, granted.data.total_bytes, granted.data.bandwidth_mbps, granted.data.concurrency],
          [11, 0, 20, 3],
        );
        const listed = await call(tp.app, 'GET', '/pub/user-product/list', {
          query: { app_key: user.appKey, product_type: 11 },
        });
        assert.deepEqual(
          [listed.data.list[0].total, listed.data.list[0].bandwidth_mbps, listed.data.list[0].concurrency],
          [0, 20, 3],
        );
      });

      it('refuses bad grants, unknown users and packages, and a missing admin token, changing nothing', async () => {
        const user = await createUser(tp);
        const url = `/admin/users/${user.id}/packages`;
        for (const [json, field] of [
          [{ gb: 1, kb: 1, days: 1 }, 'gb'],
          [{ days: 1 }, 'gb'],
          [{ gb: 0, days: 1 }, 'gb'],
          [{ gb: -1, days: 1 }, 'gb'],
          [{ gb: 1, days: 0 }, 'days'],
          [{ gb: 1, days: 1, product_type: 13 }, 'product_type'],
          [{ gb: 1, days: 1, product_type: 11, bandwidth_mbps: 20, concurrency: 3 }, 'size'],
          [{ days: 1, product_type: 11, concurrency: 3 }, 'bandwidth_mbps'],
          [{ days: 1, product_type: 11, bandwidth_mbps: 20 }, 'concurrency'],
          [{ gb: 1, days: 1, bandwidth_mbps: 20 }, 'bandwidth_mbps'],
          [{ gb: 1, days: 1, trade_no: 'a b' }, 'trade_no'],
          [{ gb: 1, days: 1, starts_at: 'tomorrow' }, 'starts_at'],
          [{ gb: 1e-12, days: 1 }, 'gb'],
        ] as const) {
          const answer = await call(tp.app, 'POST', url, { headers: admin, json, status: 400 });
          assert.equal(answer.code, 400, JSON.stringify(json));
          assert.ok(answer.errors?.[field], `${JSON.stringify(json)}: ${JSON.stringify(answer.errors)}`);
        }
        await call(tp.app, 'POST', url, { headers: admin, json: { gb: 1, days: 1, trade_no: `DUP${user.id}` } });
        const dup = await call(tp.app, 'POST', url, {
          headers: admin,
          json: { gb: 1, days: 1, trade_no: `DUP${user.id}` },
          status: 400,
        });
        assert.match(dup.errors?.trade_no ?? '', /already used/);
        assert.equal((await packages().list(user.id, { includeWithdrawn: true })).total, 1);

        const unknown = await call(tp.app, 'POST', '/admin/users/999999/packages', {
          headers: admin,
          json: { gb: 1, days: 1 },
          status: 404,
        });
        assert.deepEqual([unknown.code, unknown.msg], [3001, '用户不存在']);
        assert.equal((await call(tp.app, 'GET', '/admin/users/999999/packages', { headers: admin, status: 404 })).code, 3001);
        assert.equal((await inject('DELETE', '/admin/packages/999999', 404)).code, 6001);
        assert.equal((await call(tp.app, 'POST', url, { json: { gb: 1, days: 1 }, status: 401 })).code, 1004);
        assert.equal((await packages().list(user.id, { includeWithdrawn: true })).total, 1);
      });
    });
  });
}
