/**
 * Abuse resistance at the API, on every dialect: sign-in failure budgets (auth/login per email and per
 * address, the admin token per address) that concurrency cannot outrun, and fair shares per user
 * (extraction leases, sub-accounts, whitelisted IPs) with the operator's overrides.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { grantTestPackage } from './helpers/gateway.js';
import { call, createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

/** An API request from `ip` (customer routes answer HTTP 200: the code is in the envelope). */
async function from(tp: TestPlatform, ip: string, method: 'GET' | 'POST' | 'PATCH', url: string, json?: unknown, token?: string) {
  const res = await tp.app.inject({
    method,
    url,
    remoteAddress: ip,
    headers: {
      ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(json === undefined ? {} : { payload: JSON.stringify(json) }),
  });
  return { status: res.statusCode, retryAfter: res.headers['retry-after'], body: res.json() as { code: number; data: any } };
}

const count = (answers: { body: { code: number } }[], code: number) => answers.filter((a) => a.body.code === code).length;

for (const dialect of dialects()) {
  describe(`sign-in budgets on ${dialect}`, () => {
    let tp: TestPlatform;
    before(async () => {
      tp = await startTestPlatform(dialect);
    });
    after(() => tp.close());

    const login = (ip: string, email: string, password: string) =>
      from(tp, ip, 'POST', '/gateway/auth/login', { email, password });

    it('40 wrong logins for one email meet the throttle: at most 10 are checked, even all at once', async () => {
      const user = await createUser(tp, { password: 'right-password-1' });
      const known = await login('10.1.0.1', user.email, 'right-password-1');
      assert.equal(known.body.code, 200, 'an address that signed in before the attack');
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => login(`10.1.1.${i % 4}`, user.email.toUpperCase(), `wrong-${i}`)),
      );
      const checked = count(answers, 1001);
      assert.ok(checked >= 1 && checked <= 10, `${checked} passwords checked`);
      assert.equal(count(answers, 1005), 40 - checked);
      const refused = answers.find((a) => a.body.code === 1005);
      assert.equal(refused?.status, 200, 'customer routes answer HTTP 200');
      assert.ok(Number(refused?.retryAfter) > 0, 'Retry-After says when');
      // The right password from a stranger waits too; the address that signed in before still gets in.
      assert.equal((await login('10.1.2.1', user.email, 'right-password-1')).body.code, 1005);
      assert.equal((await login('10.1.0.1', user.email, 'right-password-1')).body.code, 200);
    });

    it('refuses an address after its budget of failures, whatever the emails, and no other address', async () => {
      const emails = await Promise.all(Array.from({ length: 6 }, () => createUser(tp, { password: 'pw-123456' })));
      const answers = [];
      for (let i = 0; i < 60; i++) answers.push(await login('10.2.0.1', emails[i % 6]!.email, `wrong-${i}`));
      assert.equal(count(answers, 1001), 50, 'TOLLGATE_LOGIN_FAIL_PER_IP');
      assert.equal(count(answers, 1005), 10);
      assert.equal((await login('10.2.0.2', emails[0]!.email, 'pw-123456')).body.code, 200);
    });

    it('refuses the admin token from an address after 10 failures, all at once or not; other addresses keep working', async () => {
      const token = tp.platform.config.adminToken;
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => from(tp, '10.3.0.1', 'GET', '/admin/users', undefined, `wrong-token-${i}`)),
      );
      assert.equal(count(answers, 1004), 10);
      assert.equal(count(answers, 1005), 20);
      assert.ok(answers.filter((a) => a.body.code === 1005).every((a) => a.status === 429 && Number(a.retryAfter) > 0));
      assert.equal((await from(tp, '10.3.0.1', 'GET', '/admin/users', undefined, token)).status, 429);
      assert.equal((await from(tp, '10.3.0.2', 'GET', '/admin/users', undefined, token)).status, 200);
    });
  });

  describe(`fair shares on ${dialect}`, () => {
    let tp: TestPlatform;
    let clock = Date.parse('2026-11-24T12:00:00Z');
    const admin = (method: 'GET' | 'PATCH', url: string, json?: unknown) =>
      from(tp, '10.9.0.1', method, `/admin${url}`, json, tp.platform.config.adminToken);

    before(async () => {
      tp = await startTestPlatform(
        dialect,
        { TOLLGATE_EXTRACT_PORTS: '22000-22007', TOLLGATE_SUB_ACCOUNT_MAX: '3', TOLLGATE_WHITE_IP_MAX: '2' },
        { now: () => clock },
      );
      await tp.platform.services.nodes.add({ url: 'direct://127.0.0.2', country: 'US', types: [9] });
    });
    after(() => tp.close());

    const customer = async (n: number) => {
      const user = await createUser(tp);
      await grantTestPackage(tp, user.id, 1024 ** 3);
      await tp.platform.services.whiteIps.add(user.id, `127.0.1.${n}`, '');
      return user;
    };
    const extract = (appKey: string, num: number) =>
      call(tp.app, 'GET', '/gateway/ip/v3', { query: { app_key: appKey, num, life: 60 } });

    it('one customer asking for every extraction port leaves ports for the next (default: a quarter of the range)', async () => {
      const a = await customer(1);
      const b = await customer(2);
      const all = await extract(a.appKey, 8);
      assert.equal(all.code, 6208);
      assert.match(all.message, /2/);
      assert.equal((await extract(a.appKey, 2)).code, 200);
      assert.equal((await extract(a.appKey, 1)).code, 6208);
      const next = await extract(b.appKey, 2);
      assert.equal(next.code, 200);
      assert.equal(next.data.list[0].length, 2);
      // An ended lease no longer counts.
      clock += 61 * 60_000;
      assert.equal((await extract(a.appKey, 2)).code, 200);
    });

    it('holds concurrent extractions of one user to its share, with the operator’s override', async () => {
      const c = await customer(3);
      const d = await customer(4);
      const set = await admin('PATCH', `/users/${c.id}/limits`, { extract_leases: 3 });
      assert.equal(set.status, 200);
      assert.deepEqual(set.body.data.overrides.extract_leases, 3);
      const answers = await Promise.all(Array.from({ length: 6 }, () => extract(c.appKey, 1)));
      assert.equal(answers.filter((x) => x.code === 200).length, 3);
      assert.equal(answers.filter((x) => x.code === 6208).length, 3);
      assert.equal((await extract(d.appKey, 1)).code, 200, 'ports are left for the next customer');
    });

    it('caps sub-accounts per user, all or nothing, with the operator’s override', async () => {
      const u = await createUser(tp);
      const add = (accounts: string) =>
        call(tp.app, 'POST', '/gateway/whitelist-account/add', { json: { app_key: u.appKey, accounts, product_type: 9 } });
      const over = await add('fs1:pass1234,fs2:pass1234,fs3:pass1234,fs4:pass1234');
      assert.equal(over.code, 2004);
      assert.equal((await tp.platform.services.subAccounts.list(u.id)).length, 0);
      assert.equal((await add('fs1:pass1234,fs2:pass1234,fs3:pass1234')).code, 200);
      assert.equal((await add('fs5:pass1234')).code, 2004);
      await admin('PATCH', `/users/${u.id}/limits`, { sub_accounts: 5 });
      assert.equal((await add('fs5:pass1234,fs6:pass1234')).code, 200);
      assert.equal((await tp.platform.services.subAccounts.list(u.id)).length, 5);
    });

    it('takes whitelisted-IP overrides, and 0 allows none', async () => {
      const u = await createUser(tp);
      const add = (ips: string) => call(tp.app, 'POST', '/gateway/white-ip/add', { json: { app_key: u.appKey, ips } });
      assert.equal((await add('198.51.100.1,198.51.100.2,198.51.100.3')).code, 6103);
      await admin('PATCH', `/users/${u.id}/limits`, { white_ips: 3 });
      assert.equal((await add('198.51.100.1,198.51.100.2,198.51.100.3')).code, 200);
      const none = await createUser(tp);
      await admin('PATCH', `/users/${none.id}/limits`, { white_ips: 0 });
      assert.equal(
        (await call(tp.app, 'POST', '/gateway/white-ip/add', { json: { app_key: none.appKey, ips: '198.51.100.9' } })).code,
        6103,
      );
    });

    it('shows and validates overrides: null goes back to the default, a bad value changes nothing', async () => {
      const u = await createUser(tp);
      const shown = await admin('GET', `/users/${u.id}/limits`);
      assert.equal(shown.status, 200);
      assert.deepEqual(shown.body.data, {
        user_id: u.id,
        limits: { sub_accounts: 3, white_ips: 2, extract_leases: 2, tunnels_per_user: 10_000, tunnels_per_account: 10_000 },
        overrides: {
          sub_accounts: null,
          white_ips: null,
          extract_leases: null,
          tunnels_per_user: null,
          tunnels_per_account: null,
        },
        defaults: { sub_accounts: 3, white_ips: 2, extract_leases: 2, tunnels_per_user: 10_000, tunnels_per_account: 10_000 },
      });
      const set = await admin('PATCH', `/users/${u.id}/limits`, { tunnels_per_user: 50, sub_accounts: 7 });
      assert.equal(set.body.data.limits.tunnels_per_user, 50);
      for (const bad of [{ white_ips: -1 }, { sub_accounts: 1.5 }, { extract_leases: 70_000 }, { tunnels_per_user: 'many' }]) {
        const res = await admin('PATCH', `/users/${u.id}/limits`, bad);
        assert.equal(res.status, 400, JSON.stringify(bad));
        assert.equal(res.body.code, 400);
      }
      const reset = await admin('PATCH', `/users/${u.id}/limits`, { tunnels_per_user: null });
      assert.equal(reset.body.data.limits.tunnels_per_user, 10_000);
      assert.equal(reset.body.data.overrides.sub_accounts, 7, 'caps not named keep their override');
      // Two operators changing different caps at once: both hold. Unknown fields are ignored.
      await Promise.all([
        admin('PATCH', `/users/${u.id}/limits`, { white_ips: 4, note: 'ignored' }),
        admin('PATCH', `/users/${u.id}/limits`, { extract_leases: 6 }),
      ]);
      const both = (await admin('GET', `/users/${u.id}/limits`)).body.data.overrides;
      assert.deepEqual([both.white_ips, both.extract_leases, both.sub_accounts], [4, 6, 7]);
      assert.equal((await admin('GET', '/users/999999/limits')).body.code, 3001);
      assert.equal((await admin('PATCH', '/users/999999/limits', { sub_accounts: 1 })).status, 404);
      const feed = await tp.platform.storage.db
        .selectFrom('change_log')
        .select('entity_id')
        .where('entity', '=', 'user')
        .where('entity_id', '=', u.id)
        .execute();
      assert.equal(feed.length, 4, 'gateways hear of each change');
    });
  });
}
