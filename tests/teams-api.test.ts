/**
 * Teams over the customer API on every dialect: `team_id` on existing routes acts on the team's space and
 * never on the caller's (whitelist-account/add, user-product/list, order/create and more), permissions are
 * enforced (a member without one is refused and nothing changes), unknown teams and non-members get a stable
 * code, the team endpoints answer their shapes, API keys (personal and team-bound) authenticate like app_key,
 * and the operator's team routes manage members. /developers is a default prefix.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyTeamScope, ROUTES_WITHOUT_TEAM_SCOPE } from '../src/api/plugins/team-scope.js';
import type { Product } from '../src/billing/catalogue/index.js';
import { type AppError } from '../src/errors/index.js';
import type { Team } from '../src/teams/index.js';
import { grantTestPackage } from './helpers/gateway.js';
import { addMethod } from './helpers/payments.js';
import { type Answer, call, createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const D = '/developers';
const GB = 1024 ** 3;

interface Person {
  id: number;
  appKey: string;
  email: string;
}

for (const dialect of dialects()) {
  describe(`teams on ${dialect}`, () => {
    let tp: TestPlatform;
    let owner: Person;
    let reader: Person;
    let manager: Person;
    let payer: Person;
    let outsider: Person;
    let team: Team;
    let other: Team;
    let traffic: Product;
    let topUp: Product;
    let manual: number;
    let balance: number;
    const admin = () => ({ authorization: `Bearer ${tp.platform.config.adminToken}` });

    const get = (who: Person, route: string, query: Record<string, string | number> = {}) =>
      call(tp.app, 'GET', `${D}/${route}`, { query: { app_key: who.appKey, language: 'en', ...query } });
    const post = (who: Person, route: string, json: Record<string, unknown> = {}, query: Record<string, string> = {}) =>
      call(tp.app, 'POST', `${D}/${route}`, { query: { app_key: who.appKey, language: 'en', ...query }, json });
    const ok = (answer: Answer) => {
      assert.equal(answer.code, 200, JSON.stringify(answer));
      return answer.data;
    };
    const refused = (answer: Answer, code: number) => assert.equal(answer.code, code, JSON.stringify(answer));
    const db = () => tp.platform.storage.db;
    const accountsOf = async (userId: number) =>
      (await db().selectFrom('sub_accounts').select('username').where('user_id', '=', userId).orderBy('username').execute()).map(
        (r) => r.username,
      );
    const balanceOf = async (userId: number) =>
      Number(
        (await db().selectFrom('users').select('balance_cents').where('id', '=', userId).executeTakeFirstOrThrow()).balance_cents,
      );

    before(async () => {
      tp = await startTestPlatform(dialect);
      const s = tp.platform.services;
      [owner, reader, manager, payer, outsider] = (await Promise.all(
        ['owner', 'reader', 'manager', 'payer', 'outsider'].map((n) => createUser(tp, { email: `${n}-${dialect}@example.com` })),
      )) as [Person, Person, Person, Person, Person];
      team = await s.teams.create({ ownerUserId: owner.id, name: 'Scrapers', publicId: 'Scr4pers' });
      other = await s.teams.create({ ownerUserId: outsider.id, name: 'Others' });
      await s.teams.addMember(team.publicId, reader.id, []);
      await s.teams.addMember(team.publicId, manager.id, ['manage_accounts']);
      await s.teams.addMember(team.publicId, payer.id, ['view_billing', 'pay']);
      traffic = await s.products.add({ title: '1 GB', productType: 9, price: '2.50', unitBytes: GB, unitDays: 30 });
      topUp = await s.products.add({ title: 'Top-up', productType: 3 });
      manual = (await addMethod(tp, 'manual', 'Bank')).id;
      balance = (await addMethod(tp, 'balance')).id;
    });
    after(() => tp?.close());

    it('serves the customer API under /developers by default, success code 200', async () => {
      assert.ok(tp.platform.config.apiPrefixes.includes('/developers'));
      assert.equal(ok(await get(owner, 'user/info')).id, owner.id);
    });

    it('declares a team scope on every customer and dashboard route', () => {
      assert.deepEqual(
        [...ROUTES_WITHOUT_TEAM_SCOPE].filter((r) => !r.includes('*')),
        [],
      );
    });

    it('refuses team_id on a route that declares nothing, failing closed', async () => {
      const request = { routeOptions: { config: {} }, teamIdParam: team.publicId } as never;
      await assert.rejects(
        applyTeamScope(request, tp.platform.services, await tp.platform.services.users.get(owner.id), null),
        (err: AppError) => err.key === 'TG_ERR_TEAM_NOT_ACCEPTED',
      );
    });

    it('team/list answers the caller’s teams with role and permissions; it never acts for a team', async () => {
      const data = ok(await get(manager, 'team/list'));
      assert.equal(data.total, 1);
      assert.deepEqual(
        data.list.map((t: any) => [t.team_id, t.name, t.role, t.permissions, t.status]),
        [[team.publicId, 'Scrapers', 'member', ['manage_accounts'], 1]],
      );
      assert.match(data.list[0].created_at, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      assert.deepEqual(
        ok(await get(owner, 'team/list')).list.map((t: any) => [t.role, t.permissions]),
        [['owner', ['manage_accounts', 'view_billing', 'pay']]],
      );
      refused(await get(manager, 'team/list', { team_id: team.publicId }), 8003);
      refused(await get(manager, 'user/info', { team_id: team.publicId }), 8003);
    });

    it('team/detail: members and the caller’s role; team ids in any case; unknown teams and non-members alike 8001', async () => {
      const data = ok(await get(reader, 'team/detail', { team_id: team.publicId.toLowerCase() }));
      assert.equal(data.team_id, 'SCR4PERS');
      assert.equal(data.role, 'member');
      assert.deepEqual(data.permissions, []);
      assert.equal(data.owner, owner.email);
      assert.equal(data.member_count, 4);
      assert.deepEqual(data.members.map((m: any) => m.email).sort(), [owner, reader, manager, payer].map((p) => p.email).sort());
      refused(await get(reader, 'team/detail', { team_id: 'ZZZZZZ99' }), 8001);
      refused(await get(outsider, 'team/detail', { team_id: team.publicId }), 8001);
      refused(await get(reader, 'team/detail', { team_id: other.publicId }), 8001);
      for (const bad of ['0', '12345678', 'ab', 'A'.repeat(13), 'A12 345']) {
        const answer = await get(reader, 'team/detail', { team_id: bad });
        assert.ok(answer.code === 400 || answer.code === 8001, `${bad}: ${answer.code}`);
      }
      const missing = await get(reader, 'team/detail');
      assert.equal(missing.code, 400);
      assert.ok(missing.errors?.team_id);
    });

    it('whitelist-account/add with team_id creates the team’s accounts, never the caller’s; a reader is refused', async () => {
      ok(await post(manager, 'whitelist-account/add', { accounts: 'teamacct1:pass1234', team_id: team.publicId }));
      ok(await post(manager, 'whitelist-account/add', { accounts: 'mineacct1:pass1234' }));
      assert.deepEqual(await accountsOf(team.backingUserId), ['teamacct1']);
      assert.deepEqual(await accountsOf(manager.id), ['mineacct1']);
      // team_id in the query of a POST counts as well.
      ok(await post(owner, 'whitelist-account/add', { accounts: 'teamacct2:pass1234' }, { team_id: team.publicId }));

      const denied = await post(reader, 'whitelist-account/add', { accounts: 'sneaky1:pass1234', team_id: team.publicId });
      refused(denied, 8002);
      assert.deepEqual(denied.data, { permission: 'manage_accounts' });
      refused(await post(outsider, 'whitelist-account/add', { accounts: 'sneaky2:pass1234', team_id: team.publicId }), 8001);
      refused(await post(reader, 'whitelist-account/delete', { accounts: 'teamacct1', team_id: team.publicId }), 8002);
      assert.deepEqual(await accountsOf(team.backingUserId), ['teamacct1', 'teamacct2']);
      assert.deepEqual(await accountsOf(reader.id), []);
      assert.deepEqual(await accountsOf(outsider.id), []);

      // Every member reads the team's accounts; each one's personal list stays theirs.
      const teamList = ok(await get(reader, 'whitelist-account/list', { team_id: team.publicId })).list;
      assert.deepEqual(teamList.map((a: any) => a.username).sort(), ['teamacct1', 'teamacct2']);
      assert.deepEqual(
        ok(await get(manager, 'whitelist-account/list')).list.map((a: any) => a.username),
        ['mineacct1'],
      );
      assert.deepEqual(
        ok(await get(manager, 'whitelist-account/list', { team_id: '' })).list.map((a: any) => a.username),
        ['mineacct1'],
      );
    });

    it('white-ip/add with team_id whitelists for the team only', async () => {
      ok(await post(manager, 'white-ip/add', { ips: '198.51.100.7', team_id: team.publicId }));
      refused(await post(reader, 'white-ip/add', { ips: '198.51.100.8', team_id: team.publicId }), 8002);
      assert.deepEqual(
        ok(await get(reader, 'white-ip/list', { team_id: team.publicId })).list.map((w: any) => w.ip),
        ['198.51.100.7'],
      );
      assert.deepEqual(ok(await get(manager, 'white-ip/list')).list, []);
    });

    it('user-product/list with team_id lists the team’s packages, without it the caller’s', async () => {
      await grantTestPackage(tp, team.backingUserId, 5 * GB);
      await grantTestPackage(tp, reader.id, 1 * GB);
      const teams = ok(await get(reader, 'user-product/list', { team_id: team.publicId }));
      assert.deepEqual(
        teams.list.map((p: any) => p.total),
        [5 * 1024 * 1024],
      );
      assert.deepEqual(
        ok(await get(reader, 'user-product/list')).list.map((p: any) => p.total),
        [1024 * 1024],
      );
      assert.equal(ok(await get(outsider, 'user-product/list')).list.length, 0);
    });

    it('order/create with team_id is the team’s order, paid from the team’s wallet; the payer’s own balance is untouched', async () => {
      // A member without `pay` cannot order for the team.
      refused(await post(manager, 'order/create', { pid: traffic.id, pm_id: balance, team_id: team.publicId }), 8002);
      // Fund the team's wallet the real way: a top-up order the operator confirms.
      const topup = ok(
        await post(payer, 'order/create', { pid: topUp.id, pm_id: manual, recharge_amount: '10', team_id: team.publicId }),
      );
      const row = await db().selectFrom('orders').selectAll().where('trade_no', '=', topup.trade_no).executeTakeFirstOrThrow();
      assert.equal(Number(row.user_id), team.backingUserId);
      const paid = await call(tp.app, 'POST', `/admin/orders/${row.id}/mark-paid`, { headers: admin(), json: {} });
      assert.equal(paid.code, 200, JSON.stringify(paid));
      assert.equal(await balanceOf(team.backingUserId), 1000);

      const before = await balanceOf(payer.id);
      const order = ok(await post(payer, 'order/create', { pid: traffic.id, pm_id: balance, amount: 2, team_id: team.publicId }));
      assert.equal(order.status, 1);
      assert.equal(order.pay_fee, 5);
      assert.equal(await balanceOf(team.backingUserId), 500);
      assert.equal(await balanceOf(payer.id), before);
      // The package went to the team.
      const held = ok(await get(reader, 'user-product/list', { team_id: team.publicId })).list;
      assert.ok(held.some((p: any) => p.trade_no === order.trade_no));
      assert.equal((await db().selectFrom('orders').select('id').where('user_id', '=', payer.id).execute()).length, 0);

      // The payer's personal wallet is empty: without team_id the same order is refused for want of balance.
      refused(await post(payer, 'order/create', { pid: traffic.id, pm_id: balance }), 7007);
      // order/list needs view_billing; the team's orders are not the caller's.
      refused(await get(manager, 'order/list', { team_id: team.publicId }), 8002);
      assert.equal(ok(await get(payer, 'order/list', { team_id: team.publicId })).pagination.total, 2);
      assert.equal(ok(await get(payer, 'order/list')).pagination.total, 0);
    });

    it('team/wallet/detail and records need view_billing and show the team’s ledger', async () => {
      refused(await get(reader, 'team/wallet/detail', { team_id: team.publicId }), 8002);
      refused(await get(manager, 'team/wallet/records', { team_id: team.publicId }), 8002);
      const wallet = ok(await get(payer, 'team/wallet/detail', { team_id: team.publicId }));
      assert.deepEqual(wallet, { team_id: team.publicId, balance: 5, total_recharge_fee: 10 });
      const records = ok(await get(owner, 'team/wallet/records', { team_id: team.publicId, page_size: 10 }));
      assert.equal(records.total, 2);
      assert.deepEqual(
        records.list.map((r: any) => [r.direction, r.amount, r.reason, r.balance_after]),
        [
          ['debit', 5, 'order', 5],
          ['credit', 10, 'recharge', 10],
        ],
      );
      assert.ok(records.list.every((r: any) => r.trade_no.length > 0));
    });

    it('team/assets counts what the team holds and lists its packages', async () => {
      const assets = ok(await get(reader, 'team/assets', { team_id: team.publicId }));
      assert.equal(assets.team_id, team.publicId);
      assert.deepEqual(assets.summary, { sub_accounts: 2, white_ips: 1, packages: 2, static_ips: 0, orders: 2 });
      assert.equal(assets.total, 2);
      assert.equal(assets.list.length, 2);
    });

    it('API keys: created once, listed masked to the last 4, authenticate like app_key, renamed, revoked', async () => {
      const created = ok(await post(reader, 'api-keys/create', { name: 'ci' }));
      assert.match(created.key, /^tgk_[A-Za-z0-9]{36}$/);
      assert.equal(created.team_id, '');
      const stored = await db().selectFrom('api_keys').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
      assert.notEqual(stored.key_hash, created.key);
      assert.ok(!JSON.stringify(stored).includes(created.key));

      const viaKey = { ...reader, appKey: created.key };
      assert.equal(ok(await get(viaKey, 'user/info')).id, reader.id);
      const listed = ok(await get(reader, 'api-keys', { page: 1, pageSize: 10 }));
      assert.equal(listed.total, 1);
      const item = listed.list[0];
      assert.equal(item.key, `${'*'.repeat(36)}${created.key.slice(-4)}`);
      assert.equal(item.name, 'ci');
      assert.equal(item.creator, reader.email);
      assert.match(item.last_used_at, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      assert.equal(ok(await post(reader, 'api-keys/update', { id: created.id, name: 'ci-2' })).name, 'ci-2');

      // Another user can neither see nor revoke it.
      assert.equal(ok(await get(outsider, 'api-keys')).total, 0);
      refused(await post(outsider, 'api-keys/revoke', { id: created.id }), 8101);
      ok(await post(reader, 'api-keys/revoke', { id: created.id }));
      refused(await get(viaKey, 'user/info'), 3);
      refused(await post(reader, 'api-keys/revoke', { id: created.id }), 8101);
    });

    it('a team-bound key acts for its team on every call and for nothing else', async () => {
      const created = ok(await post(manager, 'api-keys/create', { name: 'team bot', team_id: team.publicId }));
      assert.equal(created.team_id, team.publicId);
      const bot = { ...manager, appKey: created.key };
      // No team_id needed: the team's accounts.
      const list = ok(await get(bot, 'whitelist-account/list')).list.map((a: any) => a.username);
      assert.deepEqual(list.sort(), ['teamacct1', 'teamacct2']);
      ok(await post(bot, 'whitelist-account/add', { accounts: 'botacct1:pass1234' }));
      assert.ok((await accountsOf(team.backingUserId)).includes('botacct1'));
      assert.ok(!(await accountsOf(manager.id)).includes('botacct1'));
      ok(await get(bot, 'whitelist-account/list', { team_id: team.publicId }));
      // Never the personal space, nor another team, nor a personal-only route.
      refused(await get(bot, 'whitelist-account/list', { team_id: '' }), 8005);
      refused(await get(bot, 'whitelist-account/list', { team_id: other.publicId }), 8005);
      refused(await get(bot, 'user/info'), 8005);
      refused(await get(bot, 'team/list'), 8005);
      // With its creator's permissions: manage_accounts but not pay.
      refused(await post(bot, 'order/create', { pid: traffic.id, pm_id: balance }), 8002);

      // The team's keys are listed to members; only the creator or a manage_accounts member may revoke one.
      const teamKeys = ok(await get(reader, 'api-keys', { team_id: team.publicId }));
      assert.deepEqual(
        teamKeys.list.map((k: any) => [k.name, k.creator, k.team_id]),
        [['team bot', manager.email, team.publicId]],
      );
      assert.equal(ok(await get(manager, 'api-keys')).total, 0);
      refused(await post(reader, 'api-keys/revoke', { id: created.id, team_id: team.publicId }), 8101);

      // Losing the permission takes effect on the key at once.
      await tp.platform.services.teams.setPermissions(team.publicId, manager.id, []);
      refused(await post(bot, 'whitelist-account/add', { accounts: 'botacct2:pass1234' }), 8002);
      await tp.platform.services.teams.setPermissions(team.publicId, manager.id, ['manage_accounts']);
      ok(await post(owner, 'api-keys/revoke', { id: created.id, team_id: team.publicId }));
      refused(await get(bot, 'whitelist-account/list'), 3);
    });

    it('a team’s space can never sign in or be changed as a user', async () => {
      const space = await tp.platform.services.users.get(team.backingUserId);
      assert.equal(space.kind, 'team');
      const login = await call(tp.app, 'POST', `${D}/auth/login`, { json: { email: space.email, password: 'anything1' } });
      refused(login, 1001);
      refused(await call(tp.app, 'POST', `/admin/users/${space.id}/rotate-key`, { headers: admin(), status: 409 }), 3004);
      refused(
        await call(tp.app, 'PATCH', `/admin/users/${space.id}`, {
          headers: admin(),
          json: { password: 'password123' },
          status: 409,
        }),
        3004,
      );
      await assert.rejects(
        tp.platform.services.apiKeys.create({ userId: space.id, teamId: null }),
        (e: AppError) => e.key === 'TG_ERR_USER_IS_TEAM',
      );
      await assert.rejects(
        tp.platform.services.teams.addMember(other.publicId, space.id, []),
        (e: AppError) => e.key === 'TG_ERR_USER_IS_TEAM',
      );
    });

    it('the operator manages teams: create, members, permissions, owner, rename, disable', async () => {
      const h = admin();
      const created = await call(tp.app, 'POST', '/admin/teams', { headers: h, json: { owner_user_id: reader.id, name: 'Ops' } });
      assert.equal(created.code, 200, JSON.stringify(created));
      const id = created.data.team_id as string;
      assert.match(id, /^[A-Z][A-Z0-9]{7}$/);
      assert.deepEqual(
        created.data.members.map((m: any) => [m.email, m.role]),
        [[reader.email, 'owner']],
      );
      const added = await call(tp.app, 'POST', `/admin/teams/${id}/members`, {
        headers: h,
        json: { user_id: payer.id, permissions: ['view_billing'] },
      });
      assert.deepEqual(added.data.members.map((m: any) => [m.email, m.permissions]).at(-1), [payer.email, ['view_billing']]);
      refused(
        await call(tp.app, 'POST', `/admin/teams/${id}/members`, { headers: h, json: { user_id: payer.id }, status: 409 }),
        8006,
      );
      refused(
        await call(tp.app, 'PATCH', `/admin/teams/${id}/members/${reader.id}`, {
          headers: h,
          json: { permissions: [] },
          status: 409,
        }),
        8008,
      );
      refused(await call(tp.app, 'DELETE', `/admin/teams/${id}/members/${owner.id}`, { headers: h, status: 404 }), 8007);
      const bad = await call(tp.app, 'PATCH', `/admin/teams/${id}/members/${payer.id}`, {
        headers: h,
        json: { permissions: ['root'] },
        status: 400,
      });
      refused(bad, 400);
      const moved = await call(tp.app, 'POST', `/admin/teams/${id}/owner`, { headers: h, json: { user_id: payer.id } });
      assert.equal(moved.data.owner_user_id, payer.id);
      const renamed = await call(tp.app, 'PATCH', `/admin/teams/${id}`, { headers: h, json: { name: 'Operations' } });
      assert.equal(renamed.data.name, 'Operations');
      const removed = await call(tp.app, 'DELETE', `/admin/teams/${id}/members/${reader.id}`, { headers: h });
      assert.deepEqual(
        removed.data.members.map((m: any) => m.email),
        [payer.email],
      );
      refused(await get(reader, 'team/detail', { team_id: id }), 8001);
      assert.ok((await call(tp.app, 'GET', '/admin/teams', { headers: h })).data.total >= 3);
      // With user_id: only the teams that user is a member of (the console's user page).
      const mine = await call(tp.app, 'GET', `/admin/teams?user_id=${payer.id}`, { headers: h });
      assert.ok(mine.data.list.length >= 1);
      assert.equal(mine.data.total, mine.data.list.length);
      assert.ok(mine.data.list.some((t: any) => t.team_id === id));
      assert.ok(mine.data.list.every((t: any) => t.members.some((m: any) => m.user_id === payer.id)));
      const formerMember = await call(tp.app, 'GET', `/admin/teams?user_id=${reader.id}`, { headers: h });
      assert.ok(formerMember.data.list.every((t: any) => t.team_id !== id));
      refused(await call(tp.app, 'GET', '/admin/teams?user_id=0', { headers: h, status: 400 }), 400);
      refused(await call(tp.app, 'GET', '/admin/teams/NOPE0000', { headers: h, status: 404 }), 8001);
    });

    it('a disabled team refuses its members and disables its space (the gateway stops its accounts)', async () => {
      const h = admin();
      const off = await call(tp.app, 'PATCH', `/admin/teams/${team.publicId}`, { headers: h, json: { status: 0 } });
      assert.equal(off.data.status, 0);
      refused(await get(owner, 'whitelist-account/list', { team_id: team.publicId }), 8004);
      assert.equal((await tp.platform.services.users.get(team.backingUserId)).status, 0);
      const changes = await db().selectFrom('change_log').select('entity_id').where('entity', '=', 'user').execute();
      assert.ok(changes.some((c) => Number(c.entity_id) === team.backingUserId));
      await call(tp.app, 'PATCH', `/admin/teams/${team.publicId}`, { headers: h, json: { status: 1 } });
      ok(await get(owner, 'whitelist-account/list', { team_id: team.publicId }));
    });
  });
}
