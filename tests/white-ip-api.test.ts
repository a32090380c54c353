/**
 * The customer API's whitelisted IPs (`white-ip/*`, the documents' WhiteIp
 * object): add, list, delete, every rule and error, under every prefix — on
 * every dialect.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Answer, call, createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const PREFIXES = ['/gateway', '/end-point', '/api-gate-way', '/pub'];
const P = '/gateway';

function assertCode(answer: Answer, code: number): void {
  assert.equal(answer.code, code, JSON.stringify(answer));
  assert.equal(answer.msg, answer.message);
}

for (const dialect of dialects()) {
  describe(`white-ip API on ${dialect}`, () => {
    let tp: TestPlatform;
    let clock = Date.UTC(2024, 4, 13, 4, 14, 15); // 2024-05-13 12:14:15 in Asia/Shanghai

    before(async () => {
      tp = await startTestPlatform(dialect, { TOLLGATE_TZ: 'Asia/Shanghai', TOLLGATE_WHITE_IP_MAX: '4' }, { now: () => clock });
    });
    after(() => tp.close());

    const add = (appKey: string, body: Record<string, unknown>, query: Record<string, string> = {}) =>
      call(tp.app, 'POST', `${P}/white-ip/add`, { query: { app_key: appKey, ...query }, json: body });
    const del = (appKey: string, body: Record<string, unknown>, query: Record<string, string> = {}) =>
      call(tp.app, 'POST', `${P}/white-ip/delete`, { query: { app_key: appKey, ...query }, json: body });
    async function list(appKey: string, prefix = P): Promise<any[]> {
      const answer = await call(tp.app, 'GET', `${prefix}/white-ip/list`, { query: { app_key: appKey } });
      assertCode(answer, 200);
      return answer.data.list;
    }
    const ips = async (appKey: string) => (await list(appKey)).map((e) => e.ip);
    const changeCount = async (userId: number) =>
      (
        await tp.platform.storage.db
          .selectFrom('change_log')
          .select('id')
          .where('entity', '=', 'white_ip')
          .where('entity_id', '=', userId)
          .execute()
      ).length;

    it('adds, lists newest first and deletes, with canonical addresses and Y-m-d H:i:s times', async () => {
      const u = await createUser(tp);
      assert.deepEqual(await list(u.appKey), []);

      const added = await add(u.appKey, { ips: '203.0.113.7, 2001:DB8::0001 ,::ffff:1.2.3.4,', remark: 'office' });
      assert.equal(added.code, 200, JSON.stringify(added));
      assert.equal(added.msg, '操作成功');
      const [a, b, c] = added.data.list;
      assert.deepEqual(added.data.list, [
        { id: a.id, ip: '203.0.113.7', remark: 'office', created_at: '2024-05-13 12:14:15' },
        { id: b.id, ip: '2001:db8::1', remark: 'office', created_at: '2024-05-13 12:14:15' },
        { id: c.id, ip: '1.2.3.4', remark: 'office', created_at: '2024-05-13 12:14:15' },
      ]);
      clock += 60_000;
      const second = await add(u.appKey, { ips: '198.51.100.9', remark: '' });
      assertCode(second, 200);
      assert.deepEqual(second.data.list, [
        { id: second.data.list[0].id, ip: '198.51.100.9', remark: '', created_at: '2024-05-13 12:15:15' },
      ]);
      assert.deepEqual(await list(u.appKey), [...second.data.list, c, b, a]);
      assert.equal(await changeCount(u.id), 2);

      const byId = await del(u.appKey, { ids: `${a.id},${second.data.list[0].id}` });
      assert.deepEqual(byId, { code: 200, msg: '操作成功', message: '操作成功', data: null });
      assert.deepEqual(await ips(u.appKey), ['1.2.3.4', '2001:db8::1']);
      assertCode(await del(u.appKey, { ips: '::FFFF:1.2.3.4,2001:db8:0::1' }), 200);
      assert.deepEqual(await list(u.appKey), []);
      assert.equal(await changeCount(u.id), 4);
    });

    it('names invalid entries (code 6101) and stores nothing', async () => {
      const u = await createUser(tp);
      const zh = await add(u.appKey, { ips: '192.0.2.1,example.com,10.0.0.0/8,fe80::1%eth0' });
      assertCode(zh, 6101);
      assert.equal(zh.msg, 'IP 地址无效:example.com, 10.0.0.0/8, fe80::1%eth0');
      assert.deepEqual(zh.data, { ips: ['example.com', '10.0.0.0/8', 'fe80::1%eth0'] });
      const en = await add(u.appKey, { ips: '192.0.2.1,300.1.1.1' }, { language: 'en' });
      assertCode(en, 6101);
      assert.equal(en.msg, 'Invalid IP address(es): 300.1.1.1');
      assert.deepEqual(await list(u.appKey), []);
      assert.equal(await changeCount(u.id), 0);
      // Missing or blank ips: a parameter error.
      assertCode(await add(u.appKey, {}), 400);
      assertCode(await add(u.appKey, { ips: ' , ' }), 400);
      assertCode(await add(u.appKey, { ips: '192.0.2.1', remark: 'x'.repeat(65) }), 400);
      assert.deepEqual(await list(u.appKey), []);
    });

    it('refuses duplicates in the batch, the user’s own and another user’s (code 6102)', async () => {
      const u = await createUser(tp);
      const other = await createUser(tp);
      const inBatch = await add(u.appKey, { ips: '192.0.2.10,192.0.2.11,::ffff:192.0.2.10' }, { language: 'en' });
      assertCode(inBatch, 6102);
      assert.equal(inBatch.msg, 'IP address(es) already whitelisted: 192.0.2.10');
      assert.deepEqual(inBatch.data, { ips: ['192.0.2.10'] });
      assert.deepEqual(await list(u.appKey), []);

      assertCode(await add(u.appKey, { ips: '192.0.2.10' }), 200);
      const own = await add(u.appKey, { ips: '192.0.2.12,192.0.2.10' });
      assertCode(own, 6102);
      assert.deepEqual(own.data, { ips: ['192.0.2.10'] });
      const theirs = await add(other.appKey, { ips: '192.0.2.10' });
      assertCode(theirs, 6102);
      assert.deepEqual(await ips(u.appKey), ['192.0.2.10']);
      assert.deepEqual(await list(other.appKey), []);
      assert.equal(await changeCount(other.id), 0);
    });

    it('holds each user to TOLLGATE_WHITE_IP_MAX, counting existing addresses (code 6103)', async () => {
      const u = await createUser(tp);
      assertCode(await add(u.appKey, { ips: '198.18.0.1,198.18.0.2,198.18.0.3' }), 200);
      const over = await add(u.appKey, { ips: '198.18.0.4,198.18.0.5' }, { language: 'en' });
      assertCode(over, 6103);
      assert.equal(over.msg, 'At most 4 whitelisted IPs per user');
      assert.equal((await list(u.appKey)).length, 3);
      assertCode(await add(u.appKey, { ips: '198.18.0.4' }), 200);
      assertCode(await add(u.appKey, { ips: '198.18.0.5' }), 6103);
      // Another user has a limit of their own.
      const other = await createUser(tp);
      assertCode(await add(other.appKey, { ips: '198.18.1.1,198.18.1.2,198.18.1.3,198.18.1.4' }), 200);
    });

    it('deletes nothing when any id or address is unknown or another user’s (code 6104)', async () => {
      const u = await createUser(tp);
      const other = await createUser(tp);
      const mine = (await add(u.appKey, { ips: '203.0.113.20,203.0.113.21' })).data.list;
      const [theirs] = (await add(other.appKey, { ips: '203.0.113.29' })).data.list;
      const changes = await changeCount(u.id);

      const unknownId = await del(u.appKey, { ids: `${mine[0].id},${theirs.id}` }, { language: 'en' });
      assertCode(unknownId, 6104);
      assert.equal(unknownId.msg, `No such whitelisted IP: ${theirs.id}`);
      assert.deepEqual(unknownId.data, { ids: [theirs.id], ips: [] });
      const unknownIp = await del(u.appKey, { ips: '203.0.113.20,203.0.113.29,203.0.113.99' });
      assertCode(unknownIp, 6104);
      assert.deepEqual(unknownIp.data, { ids: [], ips: ['203.0.113.29', '203.0.113.99'] });
      assertCode(await del(u.appKey, { ids: '1,x' }), 400);
      assertCode(await del(u.appKey, { ips: 'nope' }), 6101);
      assertCode(await del(u.appKey, {}), 400);
      assertCode(await del(u.appKey, { ids: '', ips: '' }), 400);

      assert.equal((await list(u.appKey)).length, 2);
      assert.deepEqual(await ips(other.appKey), ['203.0.113.29']);
      assert.equal(await changeCount(u.id), changes);

      // ids and ips together.
      assertCode(await del(u.appKey, { ids: String(mine[0].id), ips: '203.0.113.21' }), 200);
      assert.deepEqual(await list(u.appKey), []);
      assert.equal(await changeCount(u.id), changes + 1);
    });

    it('takes app_key in the query with a JSON or form body, ignores unknown and empty fields', async () => {
      const u = await createUser(tp);
      const form = await call(tp.app, 'POST', `${P}/white-ip/add`, {
        query: { app_key: u.appKey },
        form: { ips: '192.0.2.40', remark: '', extra: 'ignored' },
      });
      assertCode(form, 200);
      assert.equal(form.data.list[0].remark, '');
      const inBody = await call(tp.app, 'POST', `${P}/white-ip/add`, {
        json: { app_key: u.appKey, ips: '192.0.2.41', remark: null },
      });
      assertCode(inBody, 200);
      // An empty optional field counts as absent.
      assertCode(await del(u.appKey, { ids: '', ips: '192.0.2.40', remark: 'unknown field' }), 200);
      assert.deepEqual(await ips(u.appKey), ['192.0.2.41']);
      assertCode(await call(tp.app, 'GET', `${P}/white-ip/list`), 3);
      assertCode(
        await call(tp.app, 'POST', `${P}/white-ip/add`, { query: { app_key: 'wrong' }, json: { ips: '192.0.2.42' } }),
        3,
      );
      assert.deepEqual(await ips(u.appKey), ['192.0.2.41']);
    });

    it('answers identically under every prefix', async () => {
      const u = await createUser(tp);
      for (const [i, prefix] of PREFIXES.entries()) {
        const added = await call(tp.app, 'POST', `${prefix}/white-ip/add`, {
          query: { app_key: u.appKey, language: 'en' },
          json: { ips: `192.0.2.${100 + i}` },
        });
        assert.equal(added.code, 200, JSON.stringify(added));
        assert.equal(added.msg, 'Success');
        assert.deepEqual(
          (await list(u.appKey, prefix)).map((e) => e.ip),
          PREFIXES.slice(0, i + 1)
            .map((_, j) => `192.0.2.${100 + j}`)
            .reverse(),
        );
      }
      for (const [i, prefix] of PREFIXES.entries()) {
        const deleted = await call(tp.app, 'POST', `${prefix}/white-ip/delete`, {
          query: { app_key: u.appKey },
          json: { ips: `192.0.2.${100 + i}` },
        });
        assertCode(deleted, 200);
      }
      assert.deepEqual(await list(u.appKey), []);
    });
  });

  describe(`white-ip API gates on ${dialect}`, () => {
    it('requires real-name verification for add and delete when TOLLGATE_REQUIRE_REAL_NAME is on (code 156)', async () => {
      const tp = await startTestPlatform(dialect, { TOLLGATE_REQUIRE_REAL_NAME: '1' });
      try {
        const unverified = await createUser(tp);
        const verified = await createUser(tp, { isRealName: true });
        const post = (path: string, appKey: string, body: Record<string, string>) =>
          call(tp.app, 'POST', `${P}/white-ip/${path}`, { query: { app_key: appKey }, json: body });
        assertCode(await post('add', unverified.appKey, { ips: '192.0.2.1' }), 156);
        assertCode(await post('delete', unverified.appKey, { ips: '192.0.2.1' }), 156);
        const listed = await call(tp.app, 'GET', `${P}/white-ip/list`, { query: { app_key: unverified.appKey } });
        assertCode(listed, 200);
        assert.deepEqual(listed.data.list, []);
        assertCode(await post('add', verified.appKey, { ips: '192.0.2.1' }), 200);
        assertCode(await post('delete', verified.appKey, { ips: '192.0.2.1' }), 200);
      } finally {
        await tp.close();
      }
    });
  });
}
