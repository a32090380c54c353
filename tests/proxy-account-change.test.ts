/**
 * `proxy-account/change` (the newer release): one call changing any of password, remark, limit, daily_limit,
 * status and udp of one account, atomically, under every prefix and in a team's space; each validation rule
 * refused with its field named and nothing changed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Answer, call, createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const PREFIXES = ['/gateway', '/end-point', '/api-gate-way', '/pub', '/developers'];
const D = '/developers';

for (const dialect of dialects()) {
  describe(`proxy-account/change on ${dialect}`, () => {
    let tp: TestPlatform;
    before(async () => {
      tp = await startTestPlatform(dialect);
    });
    after(() => tp?.close());

    const post = (appKey: string, route: string, json: Record<string, unknown>, prefix = D) =>
      call(tp.app, 'POST', `${prefix}/${route}`, { query: { app_key: appKey, language: 'en' }, json });
    const ok = (answer: Answer) => {
      assert.equal(answer.code, 200, JSON.stringify(answer));
      return answer.data;
    };
    const listed = async (appKey: string, query: Record<string, string> = {}) => {
      const answer = await call(tp.app, 'GET', `${D}/whitelist-account/list`, { query: { app_key: appKey, ...query } });
      return ok(answer).list as any[];
    };
    const view = (a: any) => ({
      username: a.username,
      password: a.password,
      remark: a.remark,
      limit_flow: a.limit_flow,
      daily_limit: a.daily_limit,
      status: a.status,
      udp: a.udp,
    });

    it('changes every field in one call; the list shows daily_limit and udp', async () => {
      const u = await createUser(tp);
      ok(await post(u.appKey, 'whitelist-account/add', { accounts: 'chg1:pass1234', remark: 'old' }));
      ok(
        await post(u.appKey, 'proxy-account/change', {
          account: 'chg1',
          password: 'NewPass99',
          remark: '新备注 note',
          limit: 30,
          daily_limit: 2,
          status: 0,
          udp: 1,
        }),
      );
      assert.deepEqual((await listed(u.appKey)).map(view), [
        { username: 'chg1', password: 'NewPass99', remark: '新备注 note', limit_flow: 30, daily_limit: 2, status: 0, udp: 1 },
      ]);
      // The password is stored sealed, never as sent.
      const row = await tp.platform.storage.db
        .selectFrom('sub_accounts')
        .select(['password_enc', 'daily_limit_gb', 'udp'])
        .where('user_id', '=', u.id)
        .executeTakeFirstOrThrow();
      assert.ok(!row.password_enc.includes('NewPass99'));
      assert.deepEqual([row.daily_limit_gb, row.udp], [2, 1]);
    });

    it('changes only what is given; empty fields and unknown parameters are ignored; numbers may come as strings', async () => {
      const u = await createUser(tp);
      ok(await post(u.appKey, 'whitelist-account/add', { accounts: 'part1:pass1234', remark: 'keep me' }));
      ok(await post(u.appKey, 'proxy-account/change', { account: 'part1', daily_limit: '5', remark: '', password: '', x: 1 }));
      assert.deepEqual((await listed(u.appKey)).map(view), [
        { username: 'part1', password: 'pass1234', remark: 'keep me', limit_flow: 0, daily_limit: 5, status: 1, udp: 0 },
      ]);
      // Back to none, and udp off again; `username` names the account as well as `account`.
      ok(await post(u.appKey, 'proxy-account/change', { username: 'part1', daily_limit: 0, udp: 1 }));
      ok(await post(u.appKey, 'proxy-account/change', { username: 'part1', udp: 0 }));
      const [a] = await listed(u.appKey);
      assert.deepEqual([a.daily_limit, a.udp, a.status], [0, 0, 1]);
      // The query string carries parameters too, even on a POST.
      const viaQuery = await call(tp.app, 'POST', `${D}/proxy-account/change`, {
        query: { app_key: u.appKey, account: 'part1', status: 0 },
      });
      ok(viaQuery);
      assert.equal((await listed(u.appKey))[0].status, 0);
    });

    it('answers under every prefix', async () => {
      const u = await createUser(tp);
      ok(await post(u.appKey, 'whitelist-account/add', { accounts: 'pfxchg:pass1234' }));
      for (const [i, prefix] of PREFIXES.entries()) {
        ok(await post(u.appKey, 'proxy-account/change', { account: 'pfxchg', daily_limit: i + 1 }, prefix));
        assert.equal((await listed(u.appKey))[0].daily_limit, i + 1, prefix);
      }
    });

    it('refuses each broken rule with its field named, and a call with one bad field changes nothing', async () => {
      const u = await createUser(tp);
      ok(await post(u.appKey, 'whitelist-account/add', { accounts: 'rule1:pass1234', remark: 'orig' }));
      const before = (await listed(u.appKey)).map(view);
      const CASES: [Record<string, unknown>, string][] = [
        [{ password: 'abc12' }, 'password'], // 5: under 6
        [{ password: 'a'.repeat(17) }, 'password'], // over 16
        [{ password: 'pass-1234' }, 'password'],
        [{ password: 'pässword1' }, 'password'],
        [{ remark: 'x'.repeat(65) }, 'remark'],
        [{ remark: '中'.repeat(33) }, 'remark'],
        [{ remark: 'a\nb' }, 'remark'],
        [{ limit: -1 }, 'limit'],
        [{ limit: 102_401 }, 'limit'],
        [{ limit: 1.5 }, 'limit'],
        [{ daily_limit: -1 }, 'daily_limit'],
        [{ daily_limit: 102_401 }, 'daily_limit'],
        [{ daily_limit: 'lots' }, 'daily_limit'],
        [{ status: 2 }, 'status'],
        [{ status: -1 }, 'status'],
        [{ udp: 2 }, 'udp'],
        [{ udp: 'yes' }, 'udp'],
      ];
      for (const [fields, field] of CASES) {
        // Every good field beside the bad one must not be applied either.
        const answer = await post(u.appKey, 'proxy-account/change', {
          account: 'rule1',
          remark: 'changed',
          daily_limit: 9,
          udp: 1,
          ...fields,
        });
        assert.equal(answer.code, 400, `${JSON.stringify(fields)}: ${JSON.stringify(answer)}`);
        assert.ok(answer.errors?.[field], `${JSON.stringify(fields)} names ${field}: ${JSON.stringify(answer.errors)}`);
        assert.deepEqual((await listed(u.appKey)).map(view), before, JSON.stringify(fields));
      }
      // The bounds themselves are fine.
      ok(
        await post(u.appKey, 'proxy-account/change', {
          account: 'rule1',
          password: 'abc123',
          limit: 102_400,
          daily_limit: 102_400,
        }),
      );
      ok(await post(u.appKey, 'proxy-account/change', { account: 'rule1', password: 'A'.repeat(16) }));
      const [a] = await listed(u.appKey);
      assert.deepEqual([a.password, a.limit_flow, a.daily_limit], ['A'.repeat(16), 102_400, 102_400]);
    });

    it('refuses a call that changes nothing, names no account, a bad name, or an account that is not the caller’s', async () => {
      const u = await createUser(tp);
      const other = await createUser(tp);
      ok(await post(u.appKey, 'whitelist-account/add', { accounts: 'mine1:pass1234' }));
      ok(await post(other.appKey, 'whitelist-account/add', { accounts: 'theirs1:pass1234' }));
      const nothing = await post(u.appKey, 'proxy-account/change', { account: 'mine1' });
      assert.equal(nothing.code, 400);
      assert.match(nothing.errors?.account ?? '', /nothing to change/);
      const unnamed = await post(u.appKey, 'proxy-account/change', { udp: 1 });
      assert.equal(unnamed.code, 400);
      assert.ok(unnamed.errors?.account);
      assert.equal((await post(u.appKey, 'proxy-account/change', { account: 'bad-name', udp: 1 })).code, 400);
      const missing = await post(u.appKey, 'proxy-account/change', { account: 'theirs1', udp: 1 });
      assert.equal(missing.code, 2001, JSON.stringify(missing));
      assert.deepEqual(missing.data, { accounts: ['theirs1'] });
      assert.equal((await listed(other.appKey))[0].udp, 0);
      // A product type the account is not of finds nothing.
      assert.equal((await post(u.appKey, 'proxy-account/change', { account: 'mine1', udp: 1, product_type: 25 })).code, 2001);
      assert.equal((await post(u.appKey, 'proxy-account/change', { account: 'mine1', udp: 1, product_type: 9 })).code, 200);
      // A wrong key is refused before anything.
      const denied = await call(tp.app, 'POST', `${D}/proxy-account/change`, {
        query: { app_key: 'nope' },
        json: { account: 'mine1', udp: 0 },
      });
      assert.notEqual(denied.code, 200);
      assert.equal((await listed(u.appKey))[0].udp, 1);
    });

    it('with team_id changes the team’s account, never the caller’s; a member without manage_accounts is refused', async () => {
      const owner = await createUser(tp);
      const manager = await createUser(tp);
      const reader = await createUser(tp);
      const s = tp.platform.services;
      const team = await s.teams.create({ ownerUserId: owner.id, name: 'Change team' });
      await s.teams.addMember(team.publicId, manager.id, ['manage_accounts']);
      await s.teams.addMember(team.publicId, reader.id, []);
      ok(await post(owner.appKey, 'whitelist-account/add', { accounts: 'teamchg1:pass1234', team_id: team.publicId }));
      // The manager has a personal account of a name the team's call must not reach.
      ok(await post(manager.appKey, 'whitelist-account/add', { accounts: 'mgrown1:pass1234' }));

      ok(
        await post(manager.appKey, 'proxy-account/change', {
          account: 'teamchg1',
          udp: 1,
          daily_limit: 3,
          team_id: team.publicId,
        }),
      );
      const teamList = await listed(reader.appKey, { team_id: team.publicId });
      assert.deepEqual(
        teamList.map((a) => [a.username, a.udp, a.daily_limit]),
        [['teamchg1', 1, 3]],
      );
      // The manager's own account is not the team's: not found in the team's space.
      assert.equal(
        (await post(manager.appKey, 'proxy-account/change', { account: 'mgrown1', udp: 1, team_id: team.publicId })).code,
        2001,
      );
      assert.equal((await listed(manager.appKey))[0].udp, 0);
      // And the team's account is not the manager's.
      assert.equal((await post(manager.appKey, 'proxy-account/change', { account: 'teamchg1', udp: 0 })).code, 2001);

      const denied = await post(reader.appKey, 'proxy-account/change', { account: 'teamchg1', udp: 0, team_id: team.publicId });
      assert.equal(denied.code, 8002, JSON.stringify(denied));
      assert.deepEqual(denied.data, { permission: 'manage_accounts' });
      const outsider = await createUser(tp);
      assert.equal(
        (await post(outsider.appKey, 'proxy-account/change', { account: 'teamchg1', udp: 0, team_id: team.publicId })).code,
        8001,
      );
      assert.equal((await listed(owner.appKey, { team_id: team.publicId }))[0].udp, 1);
    });
  });
}
