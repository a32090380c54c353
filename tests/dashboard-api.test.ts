/**
 * The dashboard API (/web_v1) on every dialect, end to end: sign-in by email and by agent username, Bearer
 * tokens, multi-factor sign-in with real TOTP codes computed from the secret (RFC 6238, computed here
 * independently of the platform's library) and real email codes delivered over a real SMTP conversation to a
 * server on loopback, the code budgets, user/info with openid and total_recharge_fee, order/info, paying a
 * pending order from the balance (pay_method 7), ip/get-ip-v3, and the refusals of each.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { changeBalance } from '../src/billing/index.js';
import type { Product } from '../src/billing/catalogue/index.js';
import { grantTestPackage } from './helpers/gateway.js';
import { codeIn, type Mailbox, startMailbox, totp } from './helpers/mailbox.js';
import { addMethod } from './helpers/payments.js';
import { type Answer, call, createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const W = '/web_v1';
const GB = 1024 ** 3;

for (const dialect of dialects()) {
  describe(`dashboard API (/web_v1) on ${dialect}`, () => {
    let tp: TestPlatform;
    let box: Mailbox;
    let clock = Date.UTC(2026, 11, 3, 10, 0, 0);
    /** Each TOTP code is good once: step the clock past the last one used. */
    const nextStep = () => (clock += 30_000);
    const admin = () => ({ authorization: `Bearer ${tp.platform.config.adminToken}` });

    const login = (body: Record<string, unknown>) =>
      call(tp.app, 'POST', `${W}/user/login`, { json: { language: 'en', ...body } });
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const as = (token: string, method: 'GET' | 'POST', route: string, json?: Record<string, unknown>) =>
      call(tp.app, method, `${W}/${route}`, {
        headers: bearer(token),
        ...(method === 'GET'
          ? { query: { language: 'en', ...(json as Record<string, string>) } }
          : { json: { language: 'en', ...json } }),
      });
    const ok = (answer: Answer) => {
      assert.equal(answer.code, 200, JSON.stringify(answer));
      return answer.data;
    };
    const refused = (answer: Answer, code: number) => assert.equal(answer.code, code, JSON.stringify(answer));
    const tokenOf = async (email: string, password: string, extra: Record<string, unknown> = {}) =>
      ok(await login({ type: 1, email, password, ...extra })).access_token as string;

    before(async () => {
      box = await startMailbox();
      tp = await startTestPlatform(
        dialect,
        {
          TOLLGATE_SMTP_URL: `smtp://127.0.0.1:${box.port}`,
          TOLLGATE_SMTP_FROM: 'Tollgate <no-reply@tollgate.test>',
          // The loopback test server offers no STARTTLS; production keeps the default (required).
          TOLLGATE_SMTP_REQUIRE_TLS: '0',
          TOLLGATE_MFA_ISSUER: 'DuckTest',
          TOLLGATE_LOGIN_FAIL_PER_EMAIL: '6',
          TOLLGATE_EXTRACT_PORTS: '22100-22109',
        },
        { now: () => clock },
      );
    });
    after(async () => {
      await tp?.close();
      await box?.close();
    });

    it('signs in by email (type 1) and answers access_token; the token opens user/info with openid and total_recharge_fee', async () => {
      const u = await createUser(tp, { email: `plain-${dialect}@example.com`, password: 'password123' });
      const data = ok(await login({ type: 1, email: u.email, password: 'password123', remember_me: true }));
      assert.equal(data.token_type, 'Bearer');
      assert.ok(data.expires_in > 0);
      const info = ok(await as(data.access_token, 'GET', 'user/info'));
      assert.equal(info.id, u.id);
      assert.match(info.openid, /^[a-z0-9]{24}$/);
      assert.notEqual(info.openid, u.appKey);
      assert.equal(info.total_recharge_fee, 0);
      // Stable: the same openid every time.
      assert.equal(ok(await as(data.access_token, 'GET', 'user/info')).openid, info.openid);
      refused(await login({ type: 1, email: u.email, password: 'wrong-password' }), 1001);
      // Bearer only: no token, a bad token, or an app_key are refused.
      refused(await call(tp.app, 'GET', `${W}/user/info`), 1003);
      refused(await call(tp.app, 'GET', `${W}/user/info`, { headers: bearer('not.a.token') }), 1003);
      refused(await call(tp.app, 'GET', `${W}/user/info`, { query: { app_key: u.appKey } }), 1003);
      // Unknown paths under /web_v1 are "no such endpoint", without authentication.
      refused(await call(tp.app, 'GET', `${W}/nope`), 404);
    });

    it('signs in by agent username (type 2), the name the operator gives; phone sign-in is refused with 1008', async () => {
      const u = await createUser(tp, { email: `agent-${dialect}@example.com`, password: 'password123' });
      const set = await call(tp.app, 'PATCH', `/admin/users/${u.id}`, { headers: admin(), json: { username: 'Agent_Bob' } });
      assert.equal(set.data.username, 'agent_bob');
      const token = ok(await login({ type: 2, username: 'AGENT_BOB', password: 'password123' })).access_token;
      assert.equal(ok(await as(token, 'GET', 'user/info')).username, 'agent_bob');
      refused(await login({ type: 2, username: 'agent_bob', password: 'nope-nope' }), 1009);
      refused(await login({ type: 2, username: 'nobody_here', password: 'password123' }), 1009);
      const other = await createUser(tp);
      refused(
        await call(tp.app, 'PATCH', `/admin/users/${other.id}`, {
          headers: admin(),
          json: { username: 'agent_bob' },
          status: 409,
        }),
        3003,
      );
      refused(await login({ phone: '13000000000', code: '86', ted: 1, password: 'password123' }), 1008);
      refused(await login({ type: 1, password: 'password123' }), 400);
    });

    it('TOTP: enrolment with a real code, then sign-in answers 348 until a valid, unused code completes it', async () => {
      const u = await createUser(tp, { email: `totp-${dialect}@example.com`, password: 'password123' });
      const token = await tokenOf(u.email, 'password123');
      const setup = ok(await as(token, 'POST', 'user/mfa/totp/setup'));
      assert.match(setup.secret, /^[A-Z2-7]{32}$/);
      assert.match(setup.otpauth_url, /^otpauth:\/\/totp\/DuckTest:/);
      assert.match(setup.otpauth_url, new RegExp(`secret=${setup.secret}`));
      // Not on until confirmed.
      assert.deepEqual(ok(await as(token, 'GET', 'user/mfa')).verify_type, []);
      refused(
        await as(token, 'POST', 'user/mfa/totp/enable', {
          verify_code: '000000' === totp(setup.secret, clock) ? '111111' : '000000',
        }),
        1006,
      );
      nextStep();
      const enabled = ok(await as(token, 'POST', 'user/mfa/totp/enable', { verify_code: totp(setup.secret, clock) }));
      assert.deepEqual(enabled, { verify_type: ['totp'], totp: true, email: false, email_available: true });
      refused(await as(token, 'POST', 'user/mfa/totp/setup'), 1011);

      const challenge = await login({ type: 1, email: u.email, password: 'password123' });
      refused(challenge, 348);
      assert.deepEqual(challenge.data, { verify_type: ['totp'] });
      // The customer API's auth/login asks too: a password alone never signs in.
      refused(await call(tp.app, 'POST', '/developers/auth/login', { json: { email: u.email, password: 'password123' } }), 348);

      nextStep();
      const code = totp(setup.secret, clock);
      const signed = ok(
        await login({ type: 1, email: u.email, password: 'password123', verify_type: 'totp', verify_code: code }),
      );
      assert.equal(ok(await as(signed.access_token, 'GET', 'user/info')).id, u.id);
      // The same code is good once.
      refused(await login({ type: 1, email: u.email, password: 'password123', verify_type: 'totp', verify_code: code }), 1006);
      // A code from a minute ago is no longer valid; one step back still is (clock drift).
      refused(
        await login({
          type: 1,
          email: u.email,
          password: 'password123',
          verify_type: 'totp',
          verify_code: totp(setup.secret, clock - 120_000),
        }),
        1006,
      );
      // A wrong password with a right code is a wrong password.
      nextStep();
      refused(
        await login({
          type: 1,
          email: u.email,
          password: 'wrong-one',
          verify_type: 'totp',
          verify_code: totp(setup.secret, clock),
        }),
        1001,
      );
      refused(
        await login({ type: 1, email: u.email, password: 'password123', verify_type: 'email', verify_code: '123456' }),
        1007,
      );
      refused(
        await login({ type: 1, email: u.email, password: 'password123', verify_type: 'phone', verify_code: '123456' }),
        1007,
      );
      const viaCustomer = await call(tp.app, 'POST', '/developers/auth/login', {
        json: { email: u.email, password: 'password123', verify_type: 'totp', verify_code: totp(setup.secret, clock) },
      });
      assert.equal(viaCustomer.code, 200, JSON.stringify(viaCustomer));

      // Turning it off takes a current code; then the password alone signs in again.
      nextStep();
      refused(await as(token, 'POST', 'user/mfa/disable', { verify_type: 'totp', verify_code: '12345' }), 1006);
      refused(await as(token, 'POST', 'user/mfa/disable', { verify_type: 'email', verify_code: '123456' }), 1015);
      ok(await as(token, 'POST', 'user/mfa/disable', { verify_type: 'totp', verify_code: totp(setup.secret, clock) }));
      await tokenOf(u.email, 'password123');
    });

    it('email codes over a real SMTP conversation: enrol, then each sign-in mails a code that completes it once', async () => {
      const u = await createUser(tp, { email: `mail-${dialect}@example.com`, password: 'password123' });
      const token = await tokenOf(u.email, 'password123');
      const sent = ok(await as(token, 'POST', 'user/mfa/email/send', { purpose: 'enrol' }));
      assert.equal(sent.email, `ma***@example.com`);
      const enrolMail = await box.next();
      assert.equal(enrolMail.to && !Array.isArray(enrolMail.to) ? enrolMail.to.text : '', u.email);
      assert.match(enrolMail.from?.text ?? '', /no-reply@tollgate\.test/);
      assert.match(enrolMail.subject ?? '', /^DuckTest: /);
      // One per minute.
      refused(await as(token, 'POST', 'user/mfa/email/send', { purpose: 'enrol' }), 1013);
      refused(
        await as(token, 'POST', 'user/mfa/email/enable', { verify_code: '999999' === codeIn(enrolMail) ? '999998' : '999999' }),
        1006,
      );
      const enabled = ok(await as(token, 'POST', 'user/mfa/email/enable', { verify_code: codeIn(enrolMail) }));
      assert.deepEqual(enabled.verify_type, ['email']);

      const challenge = await login({ type: 1, email: u.email, password: 'password123' });
      refused(challenge, 348);
      assert.deepEqual(challenge.data, { verify_type: ['email'], email: 'ma***@example.com', email_sent: true });
      const loginMail = await box.next();
      const code = codeIn(loginMail);
      assert.match(loginMail.text ?? '', /sign-in code/);
      // A code mailed for enrolment is no sign-in code, and the sign-in code works once.
      refused(
        await login({ type: 1, email: u.email, password: 'password123', verify_type: 'email', verify_code: codeIn(enrolMail) }),
        1006,
      );
      const signed = ok(
        await login({ type: 1, email: u.email, password: 'password123', verify_type: 'email', verify_code: code }),
      );
      assert.ok(signed.access_token);
      refused(await login({ type: 1, email: u.email, password: 'password123', verify_type: 'email', verify_code: code }), 1006);
      // Within the minute another challenge mails nothing new; the stored codes are hashes.
      const again = await login({ type: 1, email: u.email, password: 'password123' });
      assert.equal(again.data.email_sent, true);
      const mailsBefore = box.mails.length;
      assert.equal((await login({ type: 1, email: u.email, password: 'password123' })).data.email_sent, false);
      await box.next();
      assert.equal(box.mails.length, mailsBefore);
      const rows = await tp.platform.storage.db.selectFrom('verify_codes').selectAll().where('user_id', '=', u.id).execute();
      assert.ok(rows.every((r) => /^[0-9a-f]{64}$/.test(r.code_hash)));

      // The operator's reset turns every factor off.
      ok(await call(tp.app, 'POST', `/admin/users/${u.id}/mfa/reset`, { headers: admin(), json: {} }));
      await tokenOf(u.email, 'password123');
    });

    it('email codes confirm the customer API too: auth/login, and proxy-ip/delete with a code mailed for confirm', async () => {
      const u = await createUser(tp, { email: `confirm-${dialect}@example.com`, password: 'password123' });
      const token = await tokenOf(u.email, 'password123');
      ok(await as(token, 'POST', 'user/mfa/email/send', { purpose: 'enrol' }));
      ok(await as(token, 'POST', 'user/mfa/email/enable', { verify_code: codeIn(await box.next()) }));
      const D = '/developers';
      const customerLogin = (extra: Record<string, unknown> = {}) =>
        call(tp.app, 'POST', `${D}/auth/login`, { json: { email: u.email, password: 'password123', language: 'en', ...extra } });

      // auth/login: 348 with a code mailed, which completes it once.
      const challenge = await customerLogin();
      refused(challenge, 348);
      assert.deepEqual(challenge.data, { verify_type: ['email'], email: 'co***@example.com', email_sent: true });
      const loginCode = codeIn(await box.next());
      const signed = ok(await customerLogin({ verify_type: 'email', verify_code: loginCode }));
      assert.equal(ok(await as(signed.token, 'GET', 'user/info')).id, u.id);
      refused(await customerLogin({ verify_type: 'email', verify_code: loginCode }), 1006);
      refused(await customerLogin({ verify_type: 'totp', verify_code: '123456' }), 1007);

      // proxy-ip/delete: the caller's factor is asked; a sign-in code is no confirm code; a confirm code works once.
      const appKey = u.appKey;
      const developers = (route: string, json: Record<string, unknown>) =>
        call(tp.app, 'POST', `${D}/${route}`, { query: { app_key: appKey, language: 'en' }, json });
      ok(await developers('proxy-ip/add', { ips: '192.0.2.80,192.0.2.81', product_type: 9 }));
      const asked = await developers('proxy-ip/delete', { ips: '192.0.2.80' });
      refused(asked, 8321);
      assert.deepEqual(asked.data, { verify_type: ['email'] });
      clock += 61_000;
      refused(await customerLogin(), 348);
      const signInCode = codeIn(await box.next());
      refused(await developers('proxy-ip/delete', { ips: '192.0.2.80', verify_type: 'email', verify_code: signInCode }), 1006);
      ok(await as(token, 'POST', 'user/mfa/email/send', { purpose: 'confirm' }));
      const confirmMail = await box.next();
      assert.equal(confirmMail.to && !Array.isArray(confirmMail.to) ? confirmMail.to.text : '', u.email);
      const confirm = codeIn(confirmMail);
      ok(await developers('proxy-ip/delete', { ips: '192.0.2.80', verify_type: 'email', verify_code: confirm }));
      refused(await developers('proxy-ip/delete', { ips: '192.0.2.81', verify_type: 'email', verify_code: confirm }), 1006);
      const left = await tp.platform.storage.db.selectFrom('white_ips').select('ip').where('user_id', '=', u.id).execute();
      assert.deepEqual(
        left.map((r) => r.ip),
        ['192.0.2.81'],
      );
      ok(await call(tp.app, 'POST', `/admin/users/${u.id}/mfa/reset`, { headers: admin(), json: {} }));
    });

    it('budgets wrong codes per user across addresses: past TOLLGATE_LOGIN_FAIL_PER_EMAIL even the right code waits (1005)', async () => {
      const u = await createUser(tp, { email: `guess-${dialect}@example.com`, password: 'password123' });
      const token = await tokenOf(u.email, 'password123');
      const { secret } = ok(await as(token, 'POST', 'user/mfa/totp/setup'));
      nextStep();
      ok(await as(token, 'POST', 'user/mfa/totp/enable', { verify_code: totp(secret, clock) }));
      nextStep();
      const right = totp(secret, clock);
      const wrong = right === '000000' ? '000001' : '000000';
      for (let i = 0; i < 6; i++) {
        // From a different client address each time: the budget is the user's, not the address's.
        const res = await tp.app.inject({
          method: 'POST',
          url: `${W}/user/login`,
          remoteAddress: `127.0.0.${i + 2}`,
          payload: { type: 1, email: u.email, password: 'password123', verify_type: 'totp', verify_code: wrong },
        });
        const answer = res.json() as Answer;
        refused(answer, 1006);
      }
      refused(await login({ type: 1, email: u.email, password: 'password123', verify_type: 'totp', verify_code: right }), 1005);
    });

    it('a mail server that cannot be used is a stable error, and no code is left behind', async () => {
      const strict = await startMailbox();
      const other = await startTestPlatform(dialect, {
        TOLLGATE_SMTP_URL: `smtp://127.0.0.1:${strict.port}`,
        TOLLGATE_SMTP_FROM: 'no-reply@tollgate.test',
      });
      try {
        // TOLLGATE_SMTP_REQUIRE_TLS is on by default: a server without STARTTLS gets nothing in the clear.
        const u = await createUser(other, { password: 'password123' });
        const token = ok(
          await call(other.app, 'POST', `${W}/user/login`, { json: { email: u.email, password: 'password123' } }),
        ).access_token;
        refused(
          await call(other.app, 'POST', `${W}/user/mfa/email/send`, { headers: bearer(token), json: { purpose: 'enrol' } }),
          1014,
        );
        assert.equal(strict.mails.length, 0);
        assert.equal((await other.platform.storage.db.selectFrom('verify_codes').selectAll().execute()).length, 0);
      } finally {
        await other.close();
        await strict.close();
      }
      // Without TOLLGATE_SMTP_URL there are no email codes at all.
      const none = await startTestPlatform(dialect);
      try {
        const u = await createUser(none, { password: 'password123' });
        const token = ok(
          await call(none.app, 'POST', `${W}/user/login`, { json: { email: u.email, password: 'password123' } }),
        ).access_token;
        refused(await call(none.app, 'POST', `${W}/user/mfa/email/send`, { headers: bearer(token), json: {} }), 1010);
        assert.equal(ok(await call(none.app, 'GET', `${W}/user/mfa`, { headers: bearer(token) })).email_available, false);
      } finally {
        await none.close();
      }
    });

    describe('order/info and pay (pay_method 7)', () => {
      let product: Product;
      let topUp: Product;
      let external: number;

      before(async () => {
        const s = tp.platform.services;
        product = await s.products.add({ title: '1 GB', productType: 9, price: '4.00', unitBytes: GB, unitDays: 30 });
        topUp = await s.products.add({ title: 'Top-up', productType: 3 });
        external = (await addMethod(tp, 'external', 'Card')).id;
      });

      const fund = (userId: number, cents: number) =>
        tp.platform.storage.db
          .transaction()
          .execute((trx) => changeBalance(trx, { userId, deltaCents: cents, reason: 'adjust', now: clock }));
      const pending = async (appKey: string, query: Record<string, string> = {}) => {
        const answer = await call(tp.app, 'POST', '/developers/order/create', {
          query: { app_key: appKey, ...query },
          json: { pid: product.id, pm_id: external },
        });
        return ok(answer).trade_no as string;
      };

      it('order/info shows a pending order directly in data; pay debits the balance and provisions, once', async () => {
        const u = await createUser(tp, { password: 'password123' });
        const token = await tokenOf(u.email, 'password123');
        const tradeNo = await pending(u.appKey);
        const info = ok(await as(token, 'POST', 'order/info', { trade_no: tradeNo }));
        assert.equal(info.trade_no, tradeNo);
        assert.equal(info.status, 0);
        assert.equal(info.pay_fee, 4);
        assert.equal(info.title, '1 GB');
        assert.equal(info.pay_at, '');
        refused(await as(token, 'POST', 'order/info', { trade_no: 'NOPE' }), 7009);

        // Short of money: refused, nothing changes, the order stays pending.
        await fund(u.id, 300);
        refused(await as(token, 'POST', 'pay', { trade_no: tradeNo, pay_method: 7 }), 7007);
        assert.equal(ok(await as(token, 'POST', 'order/info', { trade_no: tradeNo })).status, 0);
        refused(await as(token, 'POST', 'pay', { trade_no: tradeNo, pay_method: 1 }), 400);

        await fund(u.id, 200);
        const paid = ok(await as(token, 'POST', 'pay', { trade_no: tradeNo, pay_method: 7 }));
        assert.equal(paid.status, 1);
        assert.notEqual(paid.pay_at, '');
        const balanceMethod = await addMethod(tp, 'balance');
        assert.equal(paid.pm_id, balanceMethod.id);
        assert.equal(ok(await as(token, 'GET', 'user/info')).balance, 1);
        const held = await call(tp.app, 'GET', '/developers/user-product/list', { query: { app_key: u.appKey } });
        assert.ok(held.data.list.some((p: any) => p.trade_no === tradeNo));
        refused(await as(token, 'POST', 'pay', { trade_no: tradeNo, pay_method: 7 }), 7010);

        // A refund credits the balance back, as the order now names the balance method.
        const row = await tp.platform.storage.db
          .selectFrom('orders')
          .select('id')
          .where('trade_no', '=', tradeNo)
          .executeTakeFirstOrThrow();
        ok(await call(tp.app, 'POST', `/admin/orders/${row.id}/refund`, { headers: admin(), json: {} }));
        assert.equal(ok(await as(token, 'GET', 'user/info')).balance, 5);

        // A top-up cannot be paid from the balance; once paid by its method it counts in total_recharge_fee.
        const recharge = ok(
          await call(tp.app, 'POST', '/developers/order/create', {
            query: { app_key: u.appKey },
            json: { pid: topUp.id, pm_id: external, recharge_amount: '12.5' },
          }),
        );
        refused(await as(token, 'POST', 'pay', { trade_no: recharge.trade_no, pay_method: 7 }), 7006);
      });

      it('pays a team’s order from the team’s wallet for a member with pay, and refuses one without', async () => {
        const s = tp.platform.services;
        const owner = await createUser(tp, { password: 'password123' });
        const viewer = await createUser(tp, { password: 'password123' });
        const team = await s.teams.create({ ownerUserId: owner.id, name: 'Buyers' });
        await s.teams.addMember(team.publicId, viewer.id, ['view_billing']);
        const tradeNo = await pending(owner.appKey, { team_id: team.publicId });
        await fund(team.backingUserId, 1000);
        await fund(viewer.id, 1000);
        const viewerToken = await tokenOf(viewer.email, 'password123');
        assert.equal(ok(await as(viewerToken, 'POST', 'order/info', { trade_no: tradeNo, team_id: team.publicId })).status, 0);
        refused(await as(viewerToken, 'POST', 'order/info', { trade_no: tradeNo }), 7009);
        refused(await as(viewerToken, 'POST', 'pay', { trade_no: tradeNo, pay_method: 7, team_id: team.publicId }), 8002);
        const ownerToken = await tokenOf(owner.email, 'password123');
        assert.equal(
          ok(await as(ownerToken, 'POST', 'pay', { trade_no: tradeNo, pay_method: 7, team_id: team.publicId })).status,
          1,
        );
        assert.equal((await s.users.get(team.backingUserId)).balanceCents, 600);
        assert.equal((await s.users.get(viewer.id)).balanceCents, 1000);
        assert.equal((await s.users.get(owner.id)).balanceCents, 0);
      });
    });

    it('ip/get-ip-v3 extracts as ip/v3 does, with a Bearer token', async () => {
      const u = await createUser(tp, { password: 'password123' });
      await tp.platform.services.nodes.add({
        url: 'direct://127.0.0.2',
        country: 'US',
        state: 'ca',
        city: 'losangeles',
        types: [9],
      });
      await grantTestPackage(tp, u.id, GB);
      await tp.platform.services.whiteIps.add(u.id, '127.0.0.9', '');
      const token = await tokenOf(u.email, 'password123');
      const data = ok(await as(token, 'GET', 'ip/get-ip-v3', { num: '2', cc: 'us' }));
      assert.equal(data.list[0].length, 2);
      assert.ok(data.list[0].every((e: string) => /:\d+$/.test(e)));
      const leases = await tp.platform.storage.db.selectFrom('extract_leases').selectAll().where('user_id', '=', u.id).execute();
      assert.equal(leases.length, 2);
    });
  });
}
