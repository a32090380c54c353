/**
 * The newer release's account endpoints on every dialect (issue 17): quotas of proxy accounts and whitelisted IPs
 * per product type, `proxy-ip/*` (product types, type-11 packages, deletion confirmed by a second factor), and
 * `user-usage-flow/flow-total` — success, every error path, and `team_id` scoping (a member without the
 * permission is refused and nothing changes; a team's call never touches the personal space).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Team } from '../src/teams/index.js';
import { grantTestPackage } from './helpers/gateway.js';
import { totp } from './helpers/mailbox.js';
import { type Answer, call, createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const D = '/developers';
const GB = 1024 ** 3;

interface Person {
  id: number;
  appKey: string;
  email: string;
}

for (const dialect of dialects()) {
  describe(`newer account endpoints on ${dialect}`, () => {
    let tp: TestPlatform;
    let clock = Date.UTC(2026, 0, 10, 4, 0, 0);
    let owner: Person;
    let reader: Person;
    let manager: Person;
    let outsider: Person;
    let team: Team;

    const get = (who: Person, route: string, query: Record<string, string | number> = {}) =>
      call(tp.app, 'GET', `${D}/${route}`, { query: { app_key: who.appKey, language: 'en', ...query } });
    const post = (who: Person, route: string, json: Record<string, unknown> = {}, query: Record<string, string> = {}) =>
      call(tp.app, 'POST', `${D}/${route}`, { query: { app_key: who.appKey, language: 'en', ...query }, json });
    const ok = (answer: Answer) => {
      assert.equal(answer.code, 200, JSON.stringify(answer));
      return answer.data;
    };
    const refused = (answer: Answer, code: number) => {
      assert.equal(answer.code, code, JSON.stringify(answer));
      return answer;
    };
    const db = () => tp.platform.storage.db;
    const whiteIpsOf = async (userId: number) =>
      (await db().selectFrom('white_ips').select('ip').where('user_id', '=', userId).orderBy('ip').execute()).map((r) => r.ip);

    before(async () => {
      tp = await startTestPlatform(
        dialect,
        { TOLLGATE_TZ: 'Asia/Shanghai', TOLLGATE_WHITE_IP_MAX: '5', TOLLGATE_SUB_ACCOUNT_MAX: '6' },
        { now: () => clock },
      );
      const s = tp.platform.services;
      [owner, reader, manager, outsider] = (await Promise.all(
        ['owner', 'reader', 'manager', 'outsider'].map((n) => createUser(tp, { email: `${n}-na-${dialect}@example.com` })),
      )) as [Person, Person, Person, Person];
      team = await s.teams.create({ ownerUserId: owner.id, name: 'Quota team', publicId: 'Quot4s' });
      await s.teams.addMember(team.publicId, reader.id, []);
      await s.teams.addMember(team.publicId, manager.id, ['manage_accounts']);
    });
    after(() => tp?.close());

    it('answers the proxy-account quota per product type and for every type, from the shared cap', async () => {
      const u = await createUser(tp);
      ok(await post(u, 'whitelist-account/add', { accounts: 'qa1:pass1234,qa2:pass1234', product_type: 9 }));
      ok(await post(u, 'whitelist-account/add', { accounts: 'qa3:pass1234', product_type: 12 }));
      assert.deepEqual(ok(await get(u, 'whitelist-account/quota', { product_type: 9 })), {
        product_type: 9,
        used: 2,
        allowed: 6,
        remaining: 3,
      });
      assert.deepEqual(ok(await get(u, 'whitelist-account/quota', { product_type: 14 })), {
        product_type: 14,
        used: 0,
        allowed: 6,
        remaining: 3,
      });
      const all = ok(await get(u, 'whitelist-account/quotas'));
      assert.deepEqual({ allowed: all.allowed, used: all.used, remaining: all.remaining }, { allowed: 6, used: 3, remaining: 3 });
      assert.deepEqual(
        all.list.map((q: any) => [q.product_type, q.used]),
        [
          [9, 2],
          [11, 0],
          [12, 1],
          [14, 0],
          [25, 0],
        ],
      );
      // The operator's override is what is allowed.
      await tp.platform.services.limits.set(u.id, { sub_accounts: 2 });
      assert.deepEqual(ok(await get(u, 'whitelist-account/quota', { product_type: 12 })), {
        product_type: 12,
        used: 1,
        allowed: 2,
        remaining: 0,
      });
      // Bad input: a missing type, a type without sub-accounts, not a number.
      for (const query of [{}, { product_type: 3 }, { product_type: 'x' }] as Record<string, string | number>[]) {
        const answer = refused(await get(u, 'whitelist-account/quota', query), 400);
        assert.ok(answer.errors?.product_type, JSON.stringify(answer));
      }
      refused(await get({ ...u, appKey: 'wrong' }, 'whitelist-account/quotas'), 3);
    });

    it('answers the white-IP quota per product type and for every type', async () => {
      const u = await createUser(tp);
      ok(await post(u, 'white-ip/add', { ips: '198.51.100.1' }));
      ok(await post(u, 'proxy-ip/add', { ips: '198.51.100.2,198.51.100.3', product_type: 12 }));
      assert.deepEqual(ok(await get(u, 'white-ip/quota', { product_type: 12 })), {
        product_type: 12,
        used: 2,
        allowed: 5,
        remaining: 2,
      });
      assert.deepEqual(ok(await get(u, 'white-ip/quota', { product_type: 9 })).used, 1);
      const all = ok(await get(u, 'white-ip/quotas'));
      assert.equal(all.used, 3);
      assert.equal(all.remaining, 2);
      assert.equal(all.list.find((q: any) => q.product_type === 12).used, 2);
      refused(await get(u, 'white-ip/quota', { product_type: 19 }), 400);
      // Under the brands' prefixes too.
      const old = await call(tp.app, 'GET', '/gateway/white-ip/quotas', { query: { app_key: u.appKey } });
      assert.equal(old.code, 200);
      assert.equal(old.msg, '操作成功');
    });

    it('whitelists by product type with proxy-ip/add, lists by type and keeps one whitelist with white-ip/*', async () => {
      const u = await createUser(tp);
      const added = ok(await post(u, 'proxy-ip/add', { ips: '203.0.113.10, 2001:DB8::a', product_type: 9, remark: 'office' }));
      assert.deepEqual(added.list, [
        {
          id: added.list[0].id,
          ip: '203.0.113.10',
          product_type: 9,
          user_product_id: 0,
          remark: 'office',
          created_at: '2026-01-10 12:00:00',
        },
        {
          id: added.list[1].id,
          ip: '2001:db8::a',
          product_type: 9,
          user_product_id: 0,
          remark: 'office',
          created_at: '2026-01-10 12:00:00',
        },
      ]);
      // Type 11 needs one of the caller's valid time packages.
      const timed = await tp.platform.services.packages.grant({
        userId: u.id,
        productType: 11,
        bandwidthMbps: 10,
        concurrency: 5,
        days: 30,
      });
      const noPackage = refused(await post(u, 'proxy-ip/add', { ips: '203.0.113.11', product_type: 11 }), 400);
      assert.ok(noPackage.errors?.user_product_id);
      const traffic = await grantTestPackage(tp, u.id, GB);
      const wrong = refused(
        await post(u, 'proxy-ip/add', { ips: '203.0.113.11', product_type: 11, user_product_id: traffic }),
        8322,
      );
      assert.equal(wrong.msg, `user_product_id is not one of your valid time packages: ${traffic}`);
      const others = await tp.platform.services.packages.grant({
        userId: outsider.id,
        productType: 11,
        bandwidthMbps: 10,
        concurrency: 5,
        days: 30,
      });
      refused(await post(u, 'proxy-ip/add', { ips: '203.0.113.11', product_type: 11, user_product_id: others.id }), 8322);
      const withPackage = ok(await post(u, 'proxy-ip/add', { ips: '203.0.113.11', product_type: 11, user_product_id: timed.id }));
      assert.equal(withPackage.list[0].user_product_id, timed.id);
      // user_product_id is for type 11 only; types without sub-accounts are refused.
      refused(await post(u, 'proxy-ip/add', { ips: '203.0.113.12', product_type: 9, user_product_id: timed.id }), 400);
      refused(await post(u, 'proxy-ip/add', { ips: '203.0.113.12', product_type: 3 }), 400);
      refused(await post(u, 'proxy-ip/add', { ips: '203.0.113.12' }), 400);
      // Invalid addresses, duplicates (one owner platform-wide) and the cap, as white-ip/add.
      refused(await post(u, 'proxy-ip/add', { ips: 'example.com', product_type: 9 }), 6101);
      refused(await post(outsider, 'proxy-ip/add', { ips: '203.0.113.10', product_type: 9 }), 6102);
      refused(await post(u, 'proxy-ip/add', { ips: '203.0.113.13,203.0.113.14,203.0.113.15', product_type: 12 }), 6103);
      assert.deepEqual(await whiteIpsOf(u.id), ['2001:db8::a', '203.0.113.10', '203.0.113.11']);

      const list = ok(await get(u, 'proxy-ip/list'));
      assert.deepEqual(
        list.list.map((e: any) => [e.ip, e.product_type]),
        [
          ['203.0.113.11', 11],
          ['2001:db8::a', 9],
          ['203.0.113.10', 9],
        ],
      );
      assert.deepEqual(
        ok(await get(u, 'proxy-ip/list', { product_type: 11 })).list.map((e: any) => e.ip),
        ['203.0.113.11'],
      );
      // white-ip/list shows the same whitelist.
      assert.equal(ok(await get(u, 'white-ip/list')).list.length, 3);

      // Deleting without a second factor needs no code; an unknown address deletes nothing.
      refused(await post(u, 'proxy-ip/delete', { ips: '203.0.113.10,192.0.2.99' }), 6104);
      assert.equal((await whiteIpsOf(u.id)).length, 3);
      ok(await post(u, 'proxy-ip/delete', { ips: '203.0.113.10,2001:db8::a', verify_type: '', verify_code: '' }));
      assert.deepEqual(await whiteIpsOf(u.id), ['203.0.113.11']);
      refused(await post(u, 'proxy-ip/delete', {}), 400);
    });

    it('confirms proxy-ip/delete with the caller’s second factor when they have one', async () => {
      const u = await createUser(tp);
      const s = tp.platform.services;
      const { secret } = await s.secondFactors.beginTotp(await s.users.get(u.id));
      await s.secondFactors.confirmTotp(u.id, totp(secret, clock));
      clock += 30_000;
      ok(await post(u, 'proxy-ip/add', { ips: '192.0.2.40,192.0.2.41', product_type: 9 }));

      const missing = refused(await post(u, 'proxy-ip/delete', { ips: '192.0.2.40' }), 8321);
      assert.deepEqual(missing.data, { verify_type: ['totp'] });
      refused(await post(u, 'proxy-ip/delete', { ips: '192.0.2.40', verify_type: 'phone', verify_code: '123456' }), 1007);
      refused(await post(u, 'proxy-ip/delete', { ips: '192.0.2.40', verify_type: 'email', verify_code: '123456' }), 1007);
      const good = totp(secret, clock);
      const bad = good === '000000' ? '111111' : '000000';
      refused(await post(u, 'proxy-ip/delete', { ips: '192.0.2.40', verify_type: 'totp', verify_code: bad }), 1006);
      assert.deepEqual(await whiteIpsOf(u.id), ['192.0.2.40', '192.0.2.41']);
      ok(await post(u, 'proxy-ip/delete', { ips: '192.0.2.40', verify_type: 'totp', verify_code: good }));
      assert.deepEqual(await whiteIpsOf(u.id), ['192.0.2.41']);
      // A code is good once.
      refused(await post(u, 'proxy-ip/delete', { ips: '192.0.2.41', verify_type: 'totp', verify_code: good }), 1006);
      assert.deepEqual(await whiteIpsOf(u.id), ['192.0.2.41']);
    });

    it('answers flow-total of the valid traffic packages in the unit asked', async () => {
      const u = await createUser(tp);
      const empty = ok(await get(u, 'user-usage-flow/flow-total'));
      assert.deepEqual(empty, {
        unit: 'KB',
        total: 0,
        used: 0,
        remaining: 0,
        list: [
          { product_type: 9, package_count: 0, total: 0, used: 0, remaining: 0 },
          { product_type: 12, package_count: 0, total: 0, used: 0, remaining: 0 },
        ],
      });
      const a = await grantTestPackage(tp, u.id, 3 * GB);
      await grantTestPackage(tp, u.id, GB, { productType: 12 });
      // Expired, not started and withdrawn packages do not count.
      await grantTestPackage(tp, u.id, 50 * GB, { expiresAt: clock - 1 });
      await grantTestPackage(tp, u.id, 50 * GB, { startsAt: clock + 86_400_000 });
      const gone = await grantTestPackage(tp, u.id, 50 * GB);
      await tp.platform.services.packages.revoke(gone);
      await db()
        .updateTable('user_packages')
        .set({ used_bytes: GB / 2 })
        .where('id', '=', a)
        .execute();
      const gb = ok(await get(u, 'user-usage-flow/flow-total', { unit: 'GB' }));
      assert.deepEqual(gb, {
        unit: 'GB',
        total: 4,
        used: 0.5,
        remaining: 3.5,
        list: [
          { product_type: 9, package_count: 1, total: 3, used: 0.5, remaining: 2.5 },
          { product_type: 12, package_count: 1, total: 1, used: 0, remaining: 1 },
        ],
      });
      assert.equal(ok(await get(u, 'user-usage-flow/flow-total', { unit: 'MB' })).remaining, 3584);
      assert.equal(ok(await get(u, 'user-usage-flow/flow-total', { unit: 'KB' })).total, 4 * 1024 * 1024);
      assert.equal(ok(await get(u, 'user-usage-flow/flow-total', { unit: 'TB' })).total, 0);
      assert.equal(ok(await get(u, 'user-usage-flow/flow-total', { unit: 'PB' })).remaining, 0);
      refused(await get(u, 'user-usage-flow/flow-total', { unit: 'EB' }), 400);
    });

    it('acts for a team with team_id: reads with membership, writes with manage_accounts, never the personal space', async () => {
      const teamId = team.publicId;
      const space = team.backingUserId;
      // The reader sees the team's quotas and list, not their own.
      ok(await post(reader, 'proxy-ip/add', { ips: '192.0.2.60', product_type: 9 }));
      ok(await post(manager, 'proxy-ip/add', { ips: '192.0.2.61', product_type: 12 }, { team_id: teamId }));
      assert.deepEqual(await whiteIpsOf(space), ['192.0.2.61']);
      assert.deepEqual(await whiteIpsOf(manager.id), []);
      assert.deepEqual(
        ok(await get(reader, 'proxy-ip/list', { team_id: teamId })).list.map((e: any) => e.ip),
        ['192.0.2.61'],
      );
      assert.equal(ok(await get(reader, 'white-ip/quota', { team_id: teamId, product_type: 12 })).used, 1);
      assert.equal(ok(await get(reader, 'white-ip/quota', { product_type: 9 })).used, 1, 'the reader’s own');
      assert.equal(ok(await get(reader, 'whitelist-account/quotas', { team_id: teamId })).used, 0);
      await grantTestPackage(tp, space, 2 * GB);
      assert.equal(ok(await get(reader, 'user-usage-flow/flow-total', { team_id: teamId, unit: 'GB' })).total, 2);
      assert.equal(ok(await get(reader, 'user-usage-flow/flow-total', { unit: 'GB' })).total, 0);

      // Without manage_accounts: refused, nothing changes anywhere.
      const denied = refused(
        await post(reader, 'proxy-ip/add', { ips: '192.0.2.62', product_type: 9 }, { team_id: teamId }),
        8002,
      );
      assert.deepEqual(denied.data, { permission: 'manage_accounts' });
      refused(await post(reader, 'proxy-ip/delete', { ips: '192.0.2.61' }, { team_id: teamId }), 8002);
      assert.deepEqual(await whiteIpsOf(space), ['192.0.2.61']);
      assert.deepEqual(await whiteIpsOf(reader.id), ['192.0.2.60']);
      // Non-members and unknown teams: 8001, the same answer; a malformed team_id: 400.
      for (const route of ['whitelist-account/quotas', 'white-ip/quotas', 'proxy-ip/list', 'user-usage-flow/flow-total']) {
        refused(await get(outsider, route, { team_id: teamId }), 8001);
        refused(await get(owner, route, { team_id: 'Nobody1' }), 8001);
        refused(await get(owner, route, { team_id: '1abc' }), 400);
      }
      refused(await post(outsider, 'proxy-ip/add', { ips: '192.0.2.63', product_type: 9 }, { team_id: teamId }), 8001);
      // The manager deletes the team's address; the personal one stays.
      ok(await post(manager, 'proxy-ip/delete', { ips: '192.0.2.61' }, { team_id: teamId }));
      assert.deepEqual(await whiteIpsOf(space), []);
      assert.deepEqual(await whiteIpsOf(reader.id), ['192.0.2.60']);
    });

    it('confirms a team deletion with the calling member’s own second factor', async () => {
      const s = tp.platform.services;
      const member = await createUser(tp);
      await s.teams.addMember(team.publicId, member.id, ['manage_accounts']);
      const { secret } = await s.secondFactors.beginTotp(await s.users.get(member.id));
      await s.secondFactors.confirmTotp(member.id, totp(secret, clock));
      clock += 30_000;
      ok(await post(member, 'proxy-ip/add', { ips: '192.0.2.70', product_type: 9 }, { team_id: team.publicId }));
      refused(await post(member, 'proxy-ip/delete', { ips: '192.0.2.70' }, { team_id: team.publicId }), 8321);
      ok(
        await post(
          member,
          'proxy-ip/delete',
          { ips: '192.0.2.70', verify_type: 'totp', verify_code: totp(secret, clock) },
          { team_id: team.publicId },
        ),
      );
      assert.deepEqual(await whiteIpsOf(team.backingUserId), []);
    });
  });
}
