/** The operator's API under /admin, on every dialect. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

for (const dialect of dialects()) {
  describe(`admin API on ${dialect}`, () => {
    let tp: TestPlatform;
    let auth: Record<string, string>;
    before(async () => {
      tp = await startTestPlatform(dialect);
      auth = { authorization: `Bearer ${tp.platform.config.adminToken}` };
    });
    after(() => tp.close());

    it('refuses a missing or wrong admin token with HTTP 401 and code 1004', async () => {
      for (const headers of [
        {} as Record<string, string>,
        { authorization: 'Bearer wrong-token-000000000000000' },
        { authorization: tp.platform.config.adminToken },
      ]) {
        const answer = await call(tp.app, 'GET', '/admin/users', { headers, status: 401 });
        assert.equal(answer.code, 1004);
      }
      // A customer's app_key is no admin token.
      const { appKey } = await tp.platform.services.users.create({ email: 'not-admin@example.com' });
      assert.equal(
        (await call(tp.app, 'GET', '/admin/users', { headers: { authorization: `Bearer ${appKey}` }, status: 401 })).code,
        1004,
      );
    });

    it('creates a user and shows its app_key once; the key works on the customer API', async () => {
      const created = await call(tp.app, 'POST', '/admin/users', {
        headers: auth,
        json: { email: 'Alice@Example.com', password: 'alice password', phone: '+86 138 0000 0000', is_real_name: true },
      });
      assert.equal(created.code, 200);
      assert.match(created.data.app_key, /^[A-Za-z0-9]{32}$/);
      assert.match(created.data.user.openid, /^[a-z0-9]{24}$/);
      assert.deepEqual(
        { ...created.data.user, id: 0, created_at: '', openid: '' },
        {
          id: 0,
          email: 'alice@example.com',
          phone: '+86 138 0000 0000',
          balance: 0,
          status: 1,
          is_real_name: true,
          created_at: '',
          openid: '',
          username: '',
          kind: 'person',
        },
      );
      const info = await call(tp.app, 'GET', '/pub/user/info', { query: { app_key: created.data.app_key } });
      assert.equal(info.data.id, created.data.user.id);
      const shown = await call(tp.app, 'GET', `/admin/users/${created.data.user.id}`, { headers: auth });
      assert.equal(shown.data.email, 'alice@example.com');
      assert.equal('app_key' in shown.data, false, 'the key is not shown again');
    });

    it('refuses a taken email (3002, HTTP 409) and invalid input (400)', async () => {
      await call(tp.app, 'POST', '/admin/users', { headers: auth, json: { email: 'dup@example.com' } });
      const dup = await call(tp.app, 'POST', '/admin/users', { headers: auth, json: { email: 'DUP@example.com' }, status: 409 });
      assert.equal(dup.code, 3002);
      const bad = await call(tp.app, 'POST', '/admin/users', {
        headers: auth,
        json: { email: 'not-an-email', password: 'short' },
        status: 400,
      });
      assert.equal(bad.code, 400);
      assert.ok(bad.errors?.email);
      assert.ok(bad.errors?.password);
    });

    it('lists users with paging and an exact email filter', async () => {
      for (let i = 0; i < 5; i++)
        await call(tp.app, 'POST', '/admin/users', { headers: auth, json: { email: `page${i}@example.com` } });
      const all = await call(tp.app, 'GET', '/admin/users', { headers: auth, query: { size: 500 } });
      const total = all.data.total_count;
      assert.ok(total >= 5);
      const page = await call(tp.app, 'GET', '/admin/users', { headers: auth, query: { page: 2, size: 2 } });
      assert.equal(page.data.list.length, 2);
      assert.equal(page.data.page, 2);
      assert.equal(page.data.page_size, 2);
      assert.equal(page.data.total_page, Math.ceil(total / 2));
      assert.deepEqual(
        page.data.list.map((u: any) => u.id),
        all.data.list.slice(2, 4).map((u: any) => u.id),
      );
      const one = await call(tp.app, 'GET', '/admin/users', { headers: auth, query: { email: 'PAGE3@example.com' } });
      assert.deepEqual(
        one.data.list.map((u: any) => u.email),
        ['page3@example.com'],
      );
    });

    it('updates email, phone, password, status and is_real_name; balance is read-only', async () => {
      const created = await call(tp.app, 'POST', '/admin/users', {
        headers: auth,
        json: { email: 'upd@example.com', password: 'first password' },
      });
      const id = created.data.user.id;
      const updated = await call(tp.app, 'PATCH', `/admin/users/${id}`, {
        headers: auth,
        json: { email: 'upd2@example.com', phone: '123', status: 0, is_real_name: true, balance: 1000 },
      });
      assert.deepEqual(
        {
          email: updated.data.email,
          phone: updated.data.phone,
          status: updated.data.status,
          real: updated.data.is_real_name,
          balance: updated.data.balance,
        },
        { email: 'upd2@example.com', phone: '123', status: 0, real: true, balance: 0 },
      );
      // Disabled: the customer API refuses the key.
      assert.equal((await call(tp.app, 'GET', '/pub/user/info', { query: { app_key: created.data.app_key } })).code, 1002);
      await call(tp.app, 'PATCH', `/admin/users/${id}`, { headers: auth, json: { status: 1, password: 'second password' } });
      assert.equal(
        (await call(tp.app, 'POST', '/pub/auth/login', { json: { email: 'upd2@example.com', password: 'first password' } })).code,
        1001,
      );
      assert.equal(
        (await call(tp.app, 'POST', '/pub/auth/login', { json: { email: 'upd2@example.com', password: 'second password' } }))
          .code,
        200,
      );
      // Taking another user's email is refused.
      await call(tp.app, 'POST', '/admin/users', { headers: auth, json: { email: 'other@example.com' } });
      const clash = await call(tp.app, 'PATCH', `/admin/users/${id}`, {
        headers: auth,
        json: { email: 'other@example.com' },
        status: 409,
      });
      assert.equal(clash.code, 3002);
      assert.equal(
        (await call(tp.app, 'PATCH', `/admin/users/${id}`, { headers: auth, json: { status: 2 }, status: 400 })).code,
        400,
      );
    });

    it('answers 3001 (HTTP 404) for unknown users', async () => {
      assert.equal((await call(tp.app, 'GET', '/admin/users/999999', { headers: auth, status: 404 })).code, 3001);
      assert.equal(
        (await call(tp.app, 'PATCH', '/admin/users/999999', { headers: auth, json: { phone: '1' }, status: 404 })).code,
        3001,
      );
      assert.equal((await call(tp.app, 'POST', '/admin/users/999999/rotate-key', { headers: auth, status: 404 })).code, 3001);
      assert.equal((await call(tp.app, 'GET', '/admin/users/abc', { headers: auth, status: 400 })).code, 400);
    });

    it('rotates an app_key: the old key stops working at once', async () => {
      const created = await call(tp.app, 'POST', '/admin/users', { headers: auth, json: { email: 'rot@example.com' } });
      const old = created.data.app_key;
      const rotated = await call(tp.app, 'POST', `/admin/users/${created.data.user.id}/rotate-key`, { headers: auth });
      assert.match(rotated.data.app_key, /^[A-Za-z0-9]{32}$/);
      assert.notEqual(rotated.data.app_key, old);
      assert.equal((await call(tp.app, 'GET', '/pub/user/info', { query: { app_key: old } })).code, 3);
      assert.equal((await call(tp.app, 'GET', '/pub/user/info', { query: { app_key: rotated.data.app_key } })).code, 200);
    });

    it('answers unknown admin paths with HTTP 404', async () => {
      assert.equal((await call(tp.app, 'GET', '/admin/nothing', { headers: auth, status: 404 })).code, 404);
    });
  });
}
