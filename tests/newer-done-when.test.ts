/**
 * The error paths and team_id scoping of the newer release's endpoints that the endpoint suites leave out
 * (issue 17's "Done when"): team/assets and team/wallet/* for outsiders, unknown teams and bad pages; API keys'
 * refusals (names, the cap, another's or a team's key without the permission), each changing nothing; every
 * membership route refusing an outsider and an unknown team alike; the view_billing routes refusing a plain
 * member; ip/get-static-ip and ip/static-ip-region for a team; and /web_v1 with team_id (user/info and the
 * second-factor routes never act for a team, ip/get-ip-v3 needs manage_accounts). On every dialect.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { API_KEYS_MAX } from '../src/accounts/index.js';
import { changeBalance } from '../src/billing/index.js';
import type { Team } from '../src/teams/index.js';
import { grantTestPackage } from './helpers/gateway.js';
import { type Answer, call, createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const D = '/developers';
const GB = 1024 ** 3;

interface Person {
  id: number;
  appKey: string;
  email: string;
}

for (const dialect of dialects()) {
  describe(`newer API error paths and team scoping on ${dialect}`, () => {
    let tp: TestPlatform;
    let owner: Person;
    let reader: Person;
    let manager: Person;
    let billing: Person;
    let outsider: Person;
    let team: Team;
    const clock = Date.UTC(2026, 11, 3, 10, 0, 0);

    const get = (who: Person, route: string, query: Record<string, string | number> = {}) =>
      call(tp.app, 'GET', `${D}/${route}`, { query: { app_key: who.appKey, language: 'en', ...query } });
    const post = (who: Person, route: string, json: Record<string, unknown> = {}) =>
      call(tp.app, 'POST', `${D}/${route}`, { query: { app_key: who.appKey, language: 'en' }, json });
    const ok = (answer: Answer) => {
      assert.equal(answer.code, 200, JSON.stringify(answer));
      return answer.data;
    };
    const refused = (answer: Answer, code: number) => {
      assert.equal(answer.code, code, JSON.stringify(answer));
      return answer;
    };
    const db = () => tp.platform.storage.db;
    const fund = (userId: number, cents: number) =>
      db()
        .transaction()
        .execute((trx) => changeBalance(trx, { userId, deltaCents: cents, reason: 'adjust', now: clock }));
    const keysOf = async (userId: number) =>
      (
        await db()
          .selectFrom('api_keys')
          .select(['id', 'name', 'team_id'])
          .where('user_id', '=', userId)
          .where('revoked_at', 'is', null)
          .orderBy('id')
          .execute()
      ).map((k) => [Number(k.id), k.name, k.team_id === null ? null : Number(k.team_id)]);

    before(async () => {
      tp = await startTestPlatform(dialect, { TOLLGATE_EXTRACT_PORTS: '22110-22119' }, { now: () => clock });
      const s = tp.platform.services;
      [owner, reader, manager, billing, outsider] = (await Promise.all(
        ['owner', 'reader', 'manager', 'billing', 'outsider'].map((n) =>
          createUser(tp, { email: `${n}-dw-${dialect}@example.com`, password: 'password123' }),
        ),
      )) as [Person, Person, Person, Person, Person];
      team = await s.teams.create({ ownerUserId: owner.id, name: 'Auditors', publicId: 'Audit1' });
      await s.teams.addMember(team.publicId, reader.id, []);
      await s.teams.addMember(team.publicId, manager.id, ['manage_accounts']);
      await s.teams.addMember(team.publicId, billing.id, ['view_billing']);
    });
    after(() => tp?.close());

    it('team/assets and team/wallet/*: the team’s only; outsiders and unknown teams 8001, no team_id or a bad page 400', async () => {
      await grantTestPackage(tp, team.backingUserId, 2 * GB);
      await grantTestPackage(tp, reader.id, GB);
      await fund(team.backingUserId, 1234);
      await fund(billing.id, 999);

      const assets = ok(await get(reader, 'team/assets', { team_id: team.publicId }));
      assert.equal(assets.summary.packages, 1);
      assert.deepEqual(
        assets.list.map((p: any) => p.total),
        [2 * 1024 * 1024],
      );
      assert.deepEqual(ok(await get(billing, 'team/wallet/detail', { team_id: team.publicId })), {
        team_id: team.publicId,
        balance: 12.34,
        total_recharge_fee: 0,
      });
      const records = ok(await get(billing, 'team/wallet/records', { team_id: team.publicId }));
      assert.deepEqual(
        records.list.map((r: any) => [r.direction, r.amount, r.reason, r.balance_after]),
        [['credit', 12.34, 'adjust', 12.34]],
      );

      for (const route of ['team/assets', 'team/wallet/detail', 'team/wallet/records']) {
        refused(await get(outsider, route, { team_id: team.publicId }), 8001);
        refused(await get(billing, route, { team_id: 'Nobody9' }), 8001);
        const missing = refused(await get(billing, route), 400);
        assert.ok(missing.errors?.team_id, JSON.stringify(missing));
        refused(await get(billing, route, { team_id: '9Audit' }), 400);
      }
      for (const route of ['team/assets', 'team/wallet/records']) {
        refused(await get(owner, route, { team_id: team.publicId, page_size: 101 }), 400);
        refused(await get(owner, route, { team_id: team.publicId, page: 0 }), 400);
      }
      refused(await get(owner, 'team/list', { page_size: 101 }), 400);
      refused(await get(owner, 'team/list', { page: 0 }), 400);
    });

    it('API keys: a bad name, the cap, another’s key and a team key without the permission are refused, changing nothing', async () => {
      const mine = ok(await post(reader, 'api-keys/create', { name: 'mine' }));
      for (const name of ['x'.repeat(65), 'two\nlines']) {
        const bad = refused(await post(reader, 'api-keys/create', { name }), 400);
        assert.ok(bad.errors?.name, JSON.stringify(bad));
        assert.ok(refused(await post(reader, 'api-keys/update', { id: mine.id, name }), 400).errors?.name);
      }
      refused(await post(reader, 'api-keys/update', { id: 999_999, name: 'x' }), 8101);
      refused(await post(outsider, 'api-keys/update', { id: mine.id, name: 'stolen' }), 8101);
      refused(await post(outsider, 'api-keys/revoke', { id: mine.id }), 8101);
      refused(await get(reader, 'api-keys', { pageSize: 101 }), 400);
      assert.deepEqual(await keysOf(reader.id), [[mine.id, 'mine', null]]);

      // A team's keys: listed to members only, never mixed with personal ones.
      const bot = ok(await post(manager, 'api-keys/create', { name: 'bot', team_id: team.publicId }));
      const own = ok(await post(reader, 'api-keys/create', { name: 'reader bot', team_id: team.publicId }));
      assert.deepEqual(
        ok(await get(reader, 'api-keys', { team_id: team.publicId })).list.map((k: any) => k.name),
        ['reader bot', 'bot'],
      );
      assert.deepEqual(
        ok(await get(reader, 'api-keys')).list.map((k: any) => k.name),
        ['mine'],
      );
      refused(await get(outsider, 'api-keys', { team_id: team.publicId }), 8001);
      refused(await post(outsider, 'api-keys/create', { name: 'x', team_id: team.publicId }), 8001);
      // A member without manage_accounts renames and revokes only their own team key.
      refused(await post(reader, 'api-keys/update', { id: bot.id, name: 'mine now', team_id: team.publicId }), 8101);
      refused(await post(reader, 'api-keys/revoke', { id: bot.id, team_id: team.publicId }), 8101);
      assert.equal(
        ok(await post(reader, 'api-keys/update', { id: own.id, name: 'renamed', team_id: team.publicId })).name,
        'renamed',
      );
      // A personal call cannot reach a team key, nor a team call a personal one.
      refused(await post(manager, 'api-keys/update', { id: bot.id, name: 'personal?' }), 8101);
      refused(await post(reader, 'api-keys/update', { id: mine.id, name: 'team?', team_id: team.publicId }), 8101);
      // The owner (every permission) may rename anyone’s team key.
      assert.equal(ok(await post(owner, 'api-keys/update', { id: bot.id, name: 'bot 2', team_id: team.publicId })).name, 'bot 2');
      assert.deepEqual(await keysOf(manager.id), [[bot.id, 'bot 2', team.id]]);
      assert.deepEqual(await keysOf(reader.id), [
        [mine.id, 'mine', null],
        [own.id, 'renamed', team.id],
      ]);

      // The cap: API_KEYS_MAX active keys per space; the next is 8102 and adds nothing; revoking one frees a place.
      const u = await createUser(tp);
      for (let i = 0; i < API_KEYS_MAX; i++) await tp.platform.services.apiKeys.create({ userId: u.id, teamId: null });
      refused(await post(u, 'api-keys/create', { name: 'one too many' }), 8102);
      assert.equal((await keysOf(u.id)).length, API_KEYS_MAX);
      const [first] = await keysOf(u.id);
      ok(await post(u, 'api-keys/revoke', { id: first![0] }));
      ok(await post(u, 'api-keys/create', { name: 'fits again' }));
    });

    it('every membership route refuses outsiders and unknown teams alike (8001), malformed ids 400; members read', async () => {
      const membership: [string, Record<string, string | number>][] = [
        ['product', {}],
        ['payment/list', {}],
        ['payment/groups', {}],
        ['host-pool/regions', {}],
        ['static-ip-region', {}],
        ['ip/static-ip-region', { asn: 1, exclusive: 1 }],
        ['ip/get-static-ip', {}],
        ['whitelist-account/list', {}],
        ['whitelist-account/quota', { product_type: 9 }],
        ['white-ip/list', {}],
        ['white-ip/quota', { product_type: 9 }],
        ['proxy-ip/list', {}],
        ['user-product/list', {}],
        ['user-product/summary', {}],
        ['user-usage-flow/total', {}],
        ['user-usage-flow/flow-total', {}],
        ['activity/balance-recharge-gift-ratio', {}],
        ['team/detail', {}],
        ['team/assets', {}],
        ['api-keys', {}],
      ];
      for (const [route, query] of membership) {
        ok(await get(reader, route, { ...query, team_id: team.publicId }));
        refused(await get(outsider, route, { ...query, team_id: team.publicId }), 8001);
        refused(await get(reader, route, { ...query, team_id: 'Nobody9' }), 8001);
        refused(await get(reader, route, { ...query, team_id: 'a-b-c-d' }), 400);
      }
      // view_billing: a plain member is refused naming the permission; a billing member reads.
      const billingRoutes: [string, Record<string, string | number>][] = [
        ['order/list', {}],
        ['team/wallet/detail', {}],
        ['team/wallet/records', {}],
        ['user-invoice/list', {}],
        ['user-invoice/record-list', {}],
        ['user-invoice/statistics', {}],
        ['user-invoice/invoiceable-orders', {}],
      ];
      for (const [route, query] of billingRoutes) {
        const denied = refused(await get(reader, route, { ...query, team_id: team.publicId }), 8002);
        assert.deepEqual(denied.data, { permission: 'view_billing' }, route);
        refused(await get(manager, route, { ...query, team_id: team.publicId }), 8002);
        ok(await get(billing, route, { ...query, team_id: team.publicId }));
        refused(await get(outsider, route, { ...query, team_id: team.publicId }), 8001);
      }
      refused(await post(reader, 'user-product/auto-renewal-logs', { team_id: team.publicId }), 8002);
      ok(await post(billing, 'user-product/auto-renewal-logs', { team_id: team.publicId }));
      // order/check needs membership only; pay/pay-check and pay the pay permission (billing lacks it).
      refused(await post(billing, 'pay/pay-check', { team_id: team.publicId, trade_no: 'none' }), 8002);
      refused(await post(outsider, 'order/check', { team_id: team.publicId, pid: 1, pm_id: 1 }), 8001);
    });

    it('ip/get-static-ip with team_id lists the team’s static IPs, never the member’s own; region counts are the same for all', async () => {
      const s = tp.platform.services.staticIps;
      await s.add({ ip: '203.0.113.50', port: 9000, country: 'US', productType: 25, asn: 7922 });
      await s.add({ ip: '203.0.113.51', port: 9000, country: 'US', productType: 25, asn: 7922 });
      await s.add({ ip: '203.0.113.52', port: 9000, country: 'US', productType: 25, asn: 701 });
      await s.allocate({ userId: team.backingUserId, country: 'US', productType: 25, count: 1, days: 30 });
      await s.allocate({ userId: reader.id, country: 'US', productType: 25, count: 1, days: 30 });
      const teams = ok(await get(reader, 'ip/get-static-ip', { team_id: team.publicId }));
      assert.deepEqual(
        teams.list.map((a: any) => [a.ip, a.asn]),
        [['203.0.113.50', 7922]],
      );
      assert.deepEqual(
        ok(await get(reader, 'ip/get-static-ip')).list.map((a: any) => a.ip),
        ['203.0.113.51'],
      );
      const region = ok(await get(reader, 'ip/static-ip-region', { asn: 1 }));
      assert.deepEqual(region.list, [{ code: 'US', asn: 701, number: 1 }]);
      assert.deepEqual(ok(await get(reader, 'ip/static-ip-region', { asn: 1, team_id: team.publicId })), region);
    });

    describe('/web_v1 with team_id', () => {
      const W = '/web_v1';
      const tokenOf = async (who: Person) => {
        const answer = await call(tp.app, 'POST', `${W}/user/login`, {
          json: { type: 1, email: who.email, password: 'password123' },
        });
        return ok(answer).access_token as string;
      };
      const web = (token: string, method: 'GET' | 'POST', route: string, params: Record<string, unknown> = {}) =>
        call(tp.app, method, `${W}/${route}`, {
          headers: { authorization: `Bearer ${token}` },
          ...(method === 'GET' ? { query: params as Record<string, string> } : { json: params }),
        });

      it('user/info and the second-factor routes never act for a team (8003); ip/get-ip-v3 needs manage_accounts', async () => {
        const readerToken = await tokenOf(reader);
        const outsiderToken = await tokenOf(outsider);
        refused(await web(readerToken, 'GET', 'user/info', { team_id: team.publicId }), 8003);
        refused(await web(readerToken, 'GET', 'user/mfa', { team_id: team.publicId }), 8003);
        refused(await web(readerToken, 'POST', 'user/mfa/totp/setup', { team_id: team.publicId }), 8003);
        assert.equal(ok(await web(readerToken, 'GET', 'user/info')).id, reader.id);

        await tp.platform.services.nodes.add({ url: 'direct://127.0.0.2', country: 'US', types: [9] });
        await tp.platform.services.whiteIps.add(team.backingUserId, '127.0.0.19', '');
        const leases = async (userId: number) =>
          (await db().selectFrom('extract_leases').select('port').where('user_id', '=', userId).execute()).length;
        const denied = refused(
          await web(readerToken, 'GET', 'ip/get-ip-v3', { num: '1', cc: 'us', team_id: team.publicId }),
          8002,
        );
        assert.deepEqual(denied.data, { permission: 'manage_accounts' });
        refused(await web(outsiderToken, 'GET', 'ip/get-ip-v3', { num: '1', team_id: team.publicId }), 8001);
        assert.equal(await leases(team.backingUserId), 0);
        const managerToken = await tokenOf(manager);
        const data = ok(await web(managerToken, 'GET', 'ip/get-ip-v3', { num: '1', cc: 'us', team_id: team.publicId }));
        assert.equal(data.list[0].length, 1);
        assert.equal(await leases(team.backingUserId), 1);
        assert.equal(await leases(manager.id), 0);
        refused(await web(readerToken, 'POST', 'order/info', { trade_no: 'none', team_id: team.publicId }), 8002);
      });
    });
  });
}
