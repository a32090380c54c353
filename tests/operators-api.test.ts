/**
 * Operators and the audit log through the real API (inject), on both dialects: console sign-in with its
 * cookie and CSRF token, roles per route, the admin token beside sessions, the audit log of every write with
 * before/after and no secrets, the console's user endpoints (search, detail, balance adjustment, status,
 * password), and the live view of a gateway running in the process.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { buildApi } from '../src/api/server.js';
import { ERRORS } from '../src/errors/index.js';
import { connectTunnel, createProxyAccount, startExchange, startGatewayPlatform } from './helpers/gateway.js';
import { call, createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const PASSWORD = 'correct horse 1';

interface Session {
  cookie: string;
  csrf: string;
}

async function signIn(tp: TestPlatform, email: string, password = PASSWORD): Promise<Session> {
  const res = await tp.app.inject({ method: 'POST', url: '/admin/session', payload: { email, password } });
  assert.equal(res.statusCode, 200, res.body);
  const setCookie = String(res.headers['set-cookie']);
  const cookie = /^(tollgate_console=[A-Za-z0-9_-]+);/.exec(setCookie)?.[1];
  assert.ok(cookie, setCookie);
  return { cookie, csrf: res.json().data.csrf_token as string };
}

function as(s: Session, write = true): Record<string, string> {
  return write ? { cookie: s.cookie, 'x-csrf-token': s.csrf } : { cookie: s.cookie };
}

for (const dialect of dialects()) {
  describe(`operators and audit (${dialect})`, () => {
    let tp: TestPlatform;
    let token: string;
    let admin: Session;
    let support: Session;
    const adminEmail = `admin-${dialect}@ops.example`;
    const supportEmail = `support-${dialect}@ops.example`;

    before(async () => {
      tp = await startTestPlatform(dialect, { TOLLGATE_LOGIN_FAIL_PER_EMAIL: '3', TOLLGATE_LOGIN_FAIL_PER_IP: '1000' });
      token = tp.platform.config.adminToken!;
      const ops = tp.platform.services.operators;
      await ops.create({ email: adminEmail.toUpperCase(), password: PASSWORD, role: 'admin' });
      await ops.create({ email: supportEmail, password: PASSWORD, role: 'support' });
      admin = await signIn(tp, adminEmail);
      support = await signIn(tp, supportEmail);
    });
    after(() => tp.close());

    it('creates operators with a hashed password; refuses duplicates, bad roles and short passwords', async () => {
      const ops = tp.platform.services.operators;
      await assert.rejects(ops.create({ email: adminEmail, password: PASSWORD }), { key: 'TG_ERR_OPERATOR_EXISTS' });
      await assert.rejects(ops.create({ email: 'x@ops.example', password: 'short' }), { key: 'TG_ERR_PARAM_INVALID' });
      await assert.rejects(ops.create({ email: 'x@ops.example', password: PASSWORD, role: 'root' }), {
        key: 'TG_ERR_PARAM_INVALID',
      });
      await assert.rejects(ops.create({ email: 'not-an-email', password: PASSWORD }), { key: 'TG_ERR_PARAM_INVALID' });
      const row = await tp.platform.storage.db
        .selectFrom('operators')
        .select(['email', 'password_hash', 'role'])
        .where('email', '=', adminEmail)
        .executeTakeFirstOrThrow();
      assert.equal(row.role, 'admin');
      assert.match(row.password_hash, /^scrypt\$/);
      assert.ok(!row.password_hash.includes(PASSWORD));
      assert.equal((await ops.list()).length >= 2, true);
    });

    it('signs in with an httpOnly SameSite=Strict cookie scoped to /admin, and shows the session', async () => {
      const res = await tp.app.inject({
        method: 'POST',
        url: '/admin/session',
        payload: { email: adminEmail, password: PASSWORD },
      });
      const [cookie, csrfCookie] = res.headers['set-cookie'] as string[];
      assert.match(cookie!, /^tollgate_console=/);
      assert.match(cookie!, /HttpOnly/);
      assert.match(cookie!, /SameSite=Strict/);
      assert.match(cookie!, /Path=\/admin/);
      assert.doesNotMatch(cookie!, /Secure/, 'plain HTTP: no Secure');
      const body = res.json();
      // The CSRF token also comes as a readable cookie for the console's script: not httpOnly, still Strict.
      // (Attributes in any order: the cookie is written by @fastify/cookie.)
      const [pair, ...attributes] = csrfCookie!.split('; ');
      assert.equal(pair, `tollgate_console_csrf=${body.data.csrf_token}`);
      assert.deepEqual(attributes.sort(), ['Max-Age=43200', 'Path=/', 'SameSite=Strict']);
      assert.equal(body.code, 200);
      assert.equal(body.data.operator.email, adminEmail);
      assert.equal(body.data.operator.role, 'admin');
      assert.ok(body.data.csrf_token.length >= 32);
      const https = await tp.app.inject({
        method: 'POST',
        url: '/admin/session',
        payload: { email: adminEmail, password: PASSWORD },
        headers: { 'x-forwarded-proto': 'https' },
      });
      // Without TOLLGATE_TRUST_PROXY the forwarded protocol is not believed; the plain-HTTP rule stands.
      assert.doesNotMatch(String(https.headers['set-cookie']), /Secure/);
      const shown = await call(tp.app, 'GET', '/admin/session', { headers: { cookie: admin.cookie } });
      assert.equal(shown.data.operator.email, adminEmail);
      assert.equal(shown.data.csrf_token, admin.csrf);
    });

    it('a wrong password is refused with a stable code and no cookie; repeated failures are throttled', async () => {
      const res = await tp.app.inject({
        method: 'POST',
        url: '/admin/session',
        payload: { email: supportEmail, password: 'wrong password' },
      });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().code, 8251);
      assert.equal(res.headers['set-cookie'], undefined);
      const unknown = await tp.app.inject({
        method: 'POST',
        url: '/admin/session',
        payload: { email: 'nobody@ops.example', password: 'x' },
      });
      assert.equal(unknown.json().code, 8251, 'an unknown email answers as a wrong password');
      const victim = `victim-${dialect}@ops.example`;
      await tp.platform.services.operators.create({ email: victim, password: PASSWORD, role: 'support' });
      for (let i = 0; i < 3; i++) {
        const r = await tp.app.inject({
          method: 'POST',
          url: '/admin/session',
          payload: { email: victim, password: `wrong ${i}` },
        });
        assert.equal(r.json().code, 8251);
      }
      const blocked = await tp.app.inject({
        method: 'POST',
        url: '/admin/session',
        payload: { email: victim, password: PASSWORD },
      });
      assert.equal(blocked.statusCode, 429);
      assert.equal(blocked.json().code, ERRORS.TG_ERR_AUTH_THROTTLED.code, 'throttled even with the right password');
    });

    it('a session reads /admin; writes need the CSRF token; without credentials /admin is refused', async () => {
      const users = await call(tp.app, 'GET', '/admin/users', { headers: as(admin, false) });
      assert.equal(users.code, 200);
      const noCsrf = await call(tp.app, 'POST', '/admin/users', {
        headers: as(admin, false),
        json: { email: `nocsrf-${dialect}@example.com` },
        status: 403,
      });
      assert.equal(noCsrf.code, 8254);
      const wrongCsrf = await call(tp.app, 'POST', '/admin/users', {
        headers: { cookie: admin.cookie, 'x-csrf-token': support.csrf },
        json: { email: `nocsrf-${dialect}@example.com` },
        status: 403,
      });
      assert.equal(wrongCsrf.code, 8254);
      const found = await call(tp.app, 'GET', '/admin/users', {
        headers: as(admin, false),
        query: { email: `nocsrf-${dialect}@example.com` },
      });
      assert.equal(found.data.total_count, 0, 'refused writes change nothing');
      const created = await call(tp.app, 'POST', '/admin/users', {
        headers: as(admin),
        json: { email: `csrf-${dialect}@example.com` },
      });
      assert.equal(created.code, 200);
      const bogus = await call(tp.app, 'GET', '/admin/users', { headers: { cookie: 'tollgate_console=nope' }, status: 401 });
      assert.equal(bogus.code, 8253);
      const none = await call(tp.app, 'GET', '/admin/users', { status: 401 });
      assert.equal(none.code, ERRORS.TG_ERR_AUTH_ADMIN_TOKEN_INVALID.code);
      // The admin token keeps working for automation.
      const byToken = await call(tp.app, 'GET', '/admin/users', { headers: { authorization: `Bearer ${token}` } });
      assert.equal(byToken.code, 200);
    });

    it('support reads and may change user status and passwords, and is refused every other write', async () => {
      const user = await createUser(tp);
      const list = await call(tp.app, 'GET', '/admin/nodes', { headers: as(support, false) });
      assert.equal(list.code, 200);
      const node = await call(tp.app, 'POST', '/admin/nodes', {
        headers: as(support),
        json: { url: 'direct://', country: 'US', types: [9] },
        status: 403,
      });
      assert.equal(node.code, 8255);
      assert.equal(node.data.role, 'support');
      assert.equal(node.data.needs, 'admin');
      assert.equal(
        (await call(tp.app, 'GET', '/admin/nodes', { headers: as(support, false) })).data.list.length,
        list.data.list.length,
      );
      const patch = await call(tp.app, 'PATCH', `/admin/users/${user.id}`, {
        headers: as(support),
        json: { is_real_name: true },
        status: 403,
      });
      assert.equal(patch.code, 8255);
      const disabled = await call(tp.app, 'POST', `/admin/users/${user.id}/status`, {
        headers: as(support),
        json: { status: 0 },
      });
      assert.equal(disabled.data.status, 0);
      const reset = await call(tp.app, 'POST', `/admin/users/${user.id}/password`, {
        headers: as(support),
        json: { password: 'new password 1' },
      });
      assert.equal(reset.code, 200);
      assert.ok(await tp.platform.services.users.login(user.email, 'new password 1'));
      const short = await call(tp.app, 'POST', `/admin/users/${user.id}/password`, {
        headers: as(support),
        json: { password: 'short' },
        status: 400,
      });
      assert.equal(short.code, 400);
      assert.ok(short.errors?.password);
    });

    it('writes are audited with who, what, target, before and after, and no secrets', async () => {
      const email = `audited-${dialect}@example.com`;
      const created = await call(tp.app, 'POST', '/admin/users', {
        headers: as(admin),
        json: { email, password: 'user password 9' },
      });
      const id = created.data.user.id as number;
      await call(tp.app, 'PATCH', `/admin/users/${id}`, { headers: as(admin), json: { is_real_name: true } });
      const rotated = await call(tp.app, 'POST', `/admin/users/${id}/rotate-key`, {
        headers: { authorization: `Bearer ${token}` },
      });

      const log = await call(tp.app, 'GET', '/admin/audit', {
        headers: as(admin, false),
        query: { target_type: 'users', target_id: String(id) },
      });
      const actions = log.data.list.map((e: { action: string }) => e.action);
      assert.deepEqual(actions, ['POST /admin/users/:id/rotate-key', 'PATCH /admin/users/:id', 'POST /admin/users']);
      const [rotate, patch, create] = log.data.list;
      assert.equal(create.actor, adminEmail);
      assert.equal(create.actor_kind, 'operator');
      assert.equal(create.status, 200);
      assert.equal(create.after.user.email, email);
      assert.equal(patch.before.is_real_name, false);
      assert.equal(patch.after.is_real_name, true);
      assert.equal(patch.request.body.is_real_name, true);
      assert.equal(rotate.actor, 'admin-token');
      assert.equal(rotate.actor_kind, 'token');
      assert.ok(Date.parse(rotate.created_at) > Date.now() - 60_000);

      // No secret anywhere in the stored rows: not the user's password, not the app keys, not the admin token.
      const rows = await tp.platform.storage.db.selectFrom('audit_log').selectAll().execute();
      const text = JSON.stringify(rows);
      for (const secret of ['user password 9', created.data.app_key, rotated.data.app_key, token, PASSWORD, admin.csrf]) {
        assert.ok(!text.includes(secret), `a secret leaked into the audit log`);
      }

      // Filters: by operator (email or id), action prefix, time range, paging.
      const mine = await call(tp.app, 'GET', '/admin/audit', {
        headers: as(admin, false),
        query: { operator: adminEmail, size: 1 },
      });
      assert.equal(mine.data.list.length, 1);
      assert.ok(mine.data.total_count >= 3);
      assert.equal(mine.data.list[0].actor, adminEmail);
      const opId = (await tp.platform.services.operators.get(adminEmail)).id;
      const byId = await call(tp.app, 'GET', '/admin/audit', { headers: as(admin, false), query: { operator: String(opId) } });
      assert.equal(byId.data.total_count, mine.data.total_count);
      const page2 = await call(tp.app, 'GET', '/admin/audit', {
        headers: as(admin, false),
        query: { operator: adminEmail, size: 1, page: 2 },
      });
      assert.notEqual(page2.data.list[0].id, mine.data.list[0].id);
      const prefix = await call(tp.app, 'GET', '/admin/audit', {
        headers: as(admin, false),
        query: { action: 'POST /admin/users/:id/rot*' },
      });
      assert.ok(prefix.data.list.length >= 1);
      assert.ok(prefix.data.list.every((e: { action: string }) => e.action === 'POST /admin/users/:id/rotate-key'));
      const future = await call(tp.app, 'GET', '/admin/audit', {
        headers: as(admin, false),
        query: { from: new Date(Date.now() + 3_600_000).toISOString() },
      });
      assert.equal(future.data.total_count, 0);
      const bad = await call(tp.app, 'GET', '/admin/audit', {
        headers: as(admin, false),
        query: { from: 'yesterday' },
        status: 400,
      });
      assert.equal(bad.code, 400);

      // Refusals are audited too: support's refused node add.
      const refused = await call(tp.app, 'GET', '/admin/audit', {
        headers: as(admin, false),
        query: { operator: supportEmail, action: 'POST /admin/nodes' },
      });
      assert.equal(refused.data.list[0].status, 403);
      assert.equal(refused.data.list[0].error, 'TG_ERR_OPERATOR_ROLE_DENIED');
      // Sign-ins are audited.
      const signIns = await call(tp.app, 'GET', '/admin/audit', {
        headers: as(admin, false),
        query: { action: 'POST /admin/session' },
      });
      assert.ok(signIns.data.list.some((e: { actor: string }) => e.actor === supportEmail));
    });

    it('exit node URLs keep their credentials out of the audit log', async () => {
      const added = await call(tp.app, 'POST', '/admin/nodes', {
        headers: as(admin),
        json: { url: 'socks5://exituser:exitsecret@127.0.0.1:1080', country: 'DE', types: [9] },
      });
      await call(tp.app, 'POST', `/admin/nodes/${added.data.id}/disable`, { headers: as(admin) });
      const log = await call(tp.app, 'GET', '/admin/audit', {
        headers: as(admin, false),
        query: { target_type: 'nodes', target_id: String(added.data.id) },
      });
      assert.deepEqual(
        log.data.list.map((e: { action: string }) => e.action),
        ['POST /admin/nodes/:id/disable', 'POST /admin/nodes'],
      );
      assert.equal(log.data.list[0].before.enabled, true);
      assert.equal(log.data.list[0].after.enabled, false);
      const text = JSON.stringify(await tp.platform.storage.db.selectFrom('audit_log').selectAll().execute());
      assert.ok(!text.includes('exitsecret'));
    });

    it('searches users by part of the email, and by id', async () => {
      const u = await createUser(tp, { email: `findme-${dialect}-x@example.com` });
      const byPart = await call(tp.app, 'GET', '/admin/users', {
        headers: as(support, false),
        query: { q: `FINDME-${dialect}` },
      });
      assert.deepEqual(
        byPart.data.list.map((x: { id: number }) => x.id),
        [u.id],
      );
      const byId = await call(tp.app, 'GET', '/admin/users', { headers: as(support, false), query: { q: String(u.id) } });
      assert.ok(byId.data.list.some((x: { id: number }) => x.id === u.id));
      const wild = await call(tp.app, 'GET', '/admin/users', { headers: as(support, false), query: { q: '%' } });
      assert.equal(wild.data.total_count, 0, 'LIKE wildcards are matched literally');
    });

    it('adjusts a balance with a reason as a ledger entry, and shows the user in detail', async () => {
      const u = await createUser(tp);
      const plus = await call(tp.app, 'POST', `/admin/users/${u.id}/balance`, {
        headers: as(admin),
        json: { amount_cents: 1250, reason: 'goodwill credit' },
      });
      assert.equal(plus.data.entry.balance_after_cents, 1250);
      assert.equal(plus.data.entry.reason, 'adjust');
      assert.equal(plus.data.entry.note, 'goodwill credit');
      const over = await call(tp.app, 'POST', `/admin/users/${u.id}/balance`, {
        headers: as(admin),
        json: { amount_cents: -5000, reason: 'too much' },
        status: 402,
      });
      assert.equal(over.code, ERRORS.TG_ERR_BALANCE_INSUFFICIENT.code);
      assert.equal((await tp.platform.services.users.get(u.id)).balanceCents, 1250, 'a refused debit changes nothing');
      const zero = await call(tp.app, 'POST', `/admin/users/${u.id}/balance`, {
        headers: as(admin),
        json: { amount_cents: 0, reason: 'nothing' },
        status: 400,
      });
      assert.ok(zero.errors?.amount_cents);
      const noReason = await call(tp.app, 'POST', `/admin/users/${u.id}/balance`, {
        headers: as(admin),
        json: { amount_cents: 5, reason: '   ' },
        status: 400,
      });
      assert.ok(noReason.errors?.reason);
      const bySupport = await call(tp.app, 'POST', `/admin/users/${u.id}/balance`, {
        headers: as(support),
        json: { amount_cents: 5, reason: 'x' },
        status: 403,
      });
      assert.equal(bySupport.code, 8255);
      await call(tp.app, 'POST', `/admin/users/${u.id}/packages`, {
        headers: as(admin),
        json: { product_type: 9, gb: 2, days: 30 },
      });
      await tp.platform.services.subAccounts.add(u.id, 'detailacct:pw123456', 'r', 9);
      await tp.platform.services.whiteIps.add(u.id, '203.0.113.9', '');
      const detail = await call(tp.app, 'GET', `/admin/users/${u.id}/detail`, { headers: as(support, false) });
      const d = detail.data;
      assert.equal(d.user.id, u.id);
      assert.equal(d.balance_cents, 1250);
      assert.equal(d.ledger.length, 1);
      assert.equal(d.ledger[0].note, 'goodwill credit');
      assert.equal(d.packages.length, 1);
      assert.equal(d.packages[0].total_bytes, 2 * 1024 ** 3);
      assert.deepEqual(
        d.sub_accounts.map((a: { username: string }) => a.username),
        ['detailacct'],
      );
      assert.equal(d.sub_accounts[0].password, undefined, 'no sub-account passwords in the operator view');
      assert.deepEqual(
        d.white_ips.map((w: { ip: string }) => w.ip),
        ['203.0.113.9'],
      );
      assert.equal(d.orders_total, 0);
      const ledger = await call(tp.app, 'GET', `/admin/users/${u.id}/ledger`, { headers: as(support, false) });
      assert.equal(ledger.data.total_count, 1);
    });

    it('disabling or re-passwording an operator ends its sessions; sign-out ends one', async () => {
      const email = `temp-${dialect}@ops.example`;
      const ops = tp.platform.services.operators;
      await ops.create({ email, password: PASSWORD, role: 'admin' });
      const s1 = await signIn(tp, email);
      await ops.setStatus(email, 0);
      const gone = await call(tp.app, 'GET', '/admin/users', { headers: as(s1, false), status: 401 });
      assert.equal(gone.code, 8253);
      const refused = await tp.app.inject({ method: 'POST', url: '/admin/session', payload: { email, password: PASSWORD } });
      assert.equal(refused.json().code, 8252);
      await ops.setStatus(email, 1);
      const s2 = await signIn(tp, email);
      await ops.resetPassword(email, 'another password');
      assert.equal((await call(tp.app, 'GET', '/admin/users', { headers: as(s2, false), status: 401 })).code, 8253);
      const s3 = await signIn(tp, email, 'another password');
      const noCsrf = await call(tp.app, 'DELETE', '/admin/session', { headers: as(s3, false), status: 403 });
      assert.equal(noCsrf.code, 8254);
      const out = await tp.app.inject({ method: 'DELETE', url: '/admin/session', headers: as(s3) });
      assert.equal(out.statusCode, 200);
      assert.deepEqual(
        (out.headers['set-cookie'] as string[]).map((c) => /^[a-z_]+=; .*Max-Age=0/.test(c)),
        [true, true],
      );
      assert.equal((await call(tp.app, 'GET', '/admin/session', { headers: as(s3, false), status: 401 })).code, 8253);
    });

    it('the live view without a gateway in the process says so, and still lists top accounts', async () => {
      const live = await call(tp.app, 'GET', '/admin/live', { headers: as(support, false) });
      assert.equal(live.data.gateway, false);
      assert.equal(live.data.open_connections, null);
      assert.deepEqual(live.data.exits, []);
      assert.ok(Array.isArray(live.data.top_accounts));
    });
  });

  describe(`live view with the gateway in the process (${dialect})`, () => {
    it('shows open connections, throughput, auth failures, top accounts and exit health', async () => {
      const g = await startGatewayPlatform(dialect);
      const { config, services } = g.tp.platform;
      const api = await buildApi({
        config,
        services,
        logger: pino({ level: 'silent' }),
        live: { snapshot: () => g.gw.live.snapshot(), exits: () => g.gw.pool.members() },
      });
      const target = await startExchange(50_000);
      try {
        await api.ready();
        const a = await createProxyAccount(g.tp, `live${dialect}`);
        const bad = await connectTunnel(g.port, `127.0.0.1:${target.port}`, `live${dialect}:wrongpass`);
        assert.equal(bad.status, 407);
        bad.socket.destroy();
        const { socket, status } = await connectTunnel(g.port, `127.0.0.1:${target.port}`, `${a.name}:${a.password}`);
        assert.equal(status, 200);
        let got = 0;
        socket.on('data', (c: Buffer) => {
          got += c.length;
        });
        socket.resume();
        socket.write(Buffer.alloc(20_000, 1));
        const open = await call(api, 'GET', '/admin/live', { headers: { authorization: `Bearer ${config.adminToken}` } });
        assert.equal(open.data.gateway, true);
        assert.ok(open.data.open_connections >= 1);
        socket.end();
        await once(socket, 'close');
        assert.equal(got, 50_000);
        await g.gw.meter.flush();
        const live = await call(api, 'GET', '/admin/live', { headers: { authorization: `Bearer ${config.adminToken}` } });
        const d = live.data;
        assert.ok(d.auth_failures.total >= 1);
        assert.ok(d.auth_failures.last_hour >= 1);
        assert.ok(d.throughput.down_bps > 0, JSON.stringify(d.throughput));
        assert.equal(d.top_accounts[0].user_id, a.userId);
        assert.equal(d.top_accounts[0].bytes, 70_000);
        assert.equal(d.exits.length, 1);
        assert.equal(d.exits[0].healthy, true);
      } finally {
        await target.close();
        await api.close();
        await g.close();
      }
    });
  });
}
