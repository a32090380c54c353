/**
 * The customer API against the documents: every endpoint, rule and error,
 * each auth form, atomic batches and encryption at rest — on every dialect.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { type Answer, call, createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const PREFIXES = ['/gateway', '/end-point', '/api-gate-way', '/pub', '/developers'];
const P = '/gateway';

async function list(tp: TestPlatform, appKey: string, query: Record<string, string | number> = {}): Promise<any[]> {
  const answer = await call(tp.app, 'GET', `${P}/whitelist-account/list`, { query: { app_key: appKey, ...query } });
  assert.equal(answer.code, 200, JSON.stringify(answer));
  return answer.data.list;
}

async function names(tp: TestPlatform, appKey: string): Promise<string[]> {
  return (await list(tp, appKey)).map((a) => `${a.username}/${a.product_type}`).sort();
}

function post(tp: TestPlatform, path: string, appKey: string, body: Record<string, unknown>): Promise<Answer> {
  return call(tp.app, 'POST', `${P}/whitelist-account/${path}`, { query: { app_key: appKey }, json: body });
}

/** The key with its last character changed (never to the one it had). */
function otherLastChar(key: string): string {
  return `${key.slice(0, -1)}${key.endsWith('x') ? 'y' : 'x'}`;
}

function assertCode(answer: Answer, code: number): void {
  assert.equal(answer.code, code, JSON.stringify(answer));
  assert.equal(answer.msg, answer.message);
}

for (const dialect of dialects()) {
  describe(`customer API on ${dialect}`, () => {
    let tp: TestPlatform;
    const fixedNow = Date.UTC(2024, 4, 13, 4, 14, 15); // 2024-05-13 12:14:15 in Asia/Shanghai
    before(async () => {
      tp = await startTestPlatform(dialect, { TOLLGATE_TZ: 'Asia/Shanghai' }, { now: () => fixedNow });
    });
    after(() => tp.close());

    describe('envelope and prefixes', () => {
      it('answers identically under every prefix', async () => {
        const u = await createUser(tp);
        for (const [i, prefix] of PREFIXES.entries()) {
          const added = await call(tp.app, 'POST', `${prefix}/whitelist-account/add`, {
            query: { app_key: u.appKey },
            json: { accounts: `pfx${i}:pass1234` },
          });
          assert.deepEqual(added, { code: 200, msg: '操作成功', message: '操作成功', data: null });
          const listed = await call(tp.app, 'GET', `${prefix}/whitelist-account/list`, { query: { app_key: u.appKey } });
          assert.equal(listed.code, 200);
          assert.deepEqual(
            listed.data.list.map((a: any) => a.username),
            PREFIXES.slice(0, i + 1).map((_, j) => `pfx${j}`),
          );
          const info = await call(tp.app, 'GET', `${prefix}/user/info`, { query: { app_key: u.appKey } });
          assert.equal(info.data.email, u.email);
        }
      });

      it('answers unknown endpoints under a prefix with HTTP 200 and code 404', async () => {
        assertCode(await call(tp.app, 'GET', `${P}/no-such-thing`), 404);
      });

      it('picks the message language from language=, the Language header or Accept-Language', async () => {
        const u = await createUser(tp);
        const url = `${P}/user/info`;
        assert.equal((await call(tp.app, 'GET', url, { query: { app_key: u.appKey } })).msg, '操作成功');
        assert.equal((await call(tp.app, 'GET', url, { query: { app_key: u.appKey, language: 'en' } })).msg, 'Success');
        assert.equal((await call(tp.app, 'GET', url, { query: { app_key: u.appKey, language: 'zh' } })).msg, '操作成功');
        assert.equal(
          (await call(tp.app, 'GET', url, { query: { app_key: u.appKey }, headers: { language: 'en' } })).msg,
          'Success',
        );
        const accept = (v: string) =>
          call(tp.app, 'GET', url, { query: { app_key: u.appKey }, headers: { 'accept-language': v } });
        assert.equal((await accept('en-US,en;q=0.9')).msg, 'Success');
        assert.equal((await accept('zh-CN,zh;q=0.9,en;q=0.8')).msg, '操作成功');
        assert.equal((await accept('fr-FR')).msg, '操作成功');
        const bodyLang = await post(tp, 'add', 'wrong-key', { language: 'en', accounts: 'x:pass1234' });
        assert.equal(bodyLang.msg, 'Invalid or missing app_key');
        assert.equal(
          (await call(tp.app, 'GET', url, { query: { app_key: 'nope', language: 'en' } })).message,
          'Invalid or missing app_key',
        );
      });
    });

    describe('authentication', () => {
      it('accepts app_key in the query, a JSON body and a form body', async () => {
        const u = await createUser(tp);
        assertCode(await post(tp, 'add', u.appKey, { accounts: 'authq1:pass1234' }), 200);
        const json = await call(tp.app, 'POST', `${P}/whitelist-account/add`, {
          json: { app_key: u.appKey, accounts: 'authj1:pass1234' },
        });
        assertCode(json, 200);
        const form = await call(tp.app, 'POST', `${P}/whitelist-account/add`, {
          form: { app_key: u.appKey, accounts: 'authf1:pass1234,authf2:pass1234', product_type: '11', remark: '' },
        });
        assertCode(form, 200);
        assert.deepEqual(await names(tp, u.appKey), ['authf1/11', 'authf2/11', 'authj1/9', 'authq1/9']);
      });

      it('accepts multipart/form-data bodies (PHP curl arrays) and refuses file uploads', async () => {
        const u = await createUser(tp);
        const send = async (fields: Record<string, string>, file?: boolean) => {
          const form = new FormData();
          for (const [k, v] of Object.entries(fields)) form.append(k, v);
          if (file) form.append('upload', new Blob(['hello']), 'hello.txt');
          const request = new Request('http://localhost/', { method: 'POST', body: form });
          const res = await tp.app.inject({
            method: 'POST',
            url: `${P}/whitelist-account/add`,
            headers: { 'content-type': request.headers.get('content-type') ?? '' },
            payload: Buffer.from(await request.arrayBuffer()),
          });
          assert.equal(res.statusCode, 200);
          return res.json() as Answer;
        };
        assertCode(
          await send({ app_key: u.appKey, accounts: 'mp1:pass1234,mp2:pass1234', remark: '多部分', product_type: '14' }),
          200,
        );
        const withFile = await send({ app_key: u.appKey, accounts: 'mp3:pass1234' }, true);
        assertCode(withFile, 400);
        assert.equal(withFile.errors?.body, 'file uploads are not accepted');
        assert.deepEqual(await names(tp, u.appKey), ['mp1/14', 'mp2/14']);
        assert.equal((await list(tp, u.appKey))[0].remark, '多部分');
      });

      it('answers code 3 for a missing or wrong app_key, wherever it is sent', async () => {
        const u = await createUser(tp);
        assertCode(await call(tp.app, 'GET', `${P}/whitelist-account/list`), 3);
        assertCode(await call(tp.app, 'GET', `${P}/whitelist-account/list`, { query: { app_key: otherLastChar(u.appKey) } }), 3);
        assertCode(await call(tp.app, 'GET', `${P}/user/info`, { query: { app_key: '' } }), 3);
        assertCode(
          await call(tp.app, 'POST', `${P}/whitelist-account/add`, { json: { app_key: 'x'.repeat(32), accounts: 'a:pass1234' } }),
          3,
        );
        assertCode(
          await call(tp.app, 'POST', `${P}/whitelist-account/add`, { form: { app_key: 'nope', accounts: 'a:pass1234' } }),
          3,
        );
        assert.deepEqual(await names(tp, u.appKey), []);
      });

      it('issues a Bearer JWT from auth/login and accepts it on every endpoint', async () => {
        const u = await createUser(tp, { password: 'correct horse battery' });
        const login = await call(tp.app, 'POST', `${P}/auth/login`, {
          json: { email: u.email.toUpperCase(), password: 'correct horse battery' },
        });
        assertCode(login, 200);
        assert.equal(login.data.token_type, 'Bearer');
        assert.equal(login.data.expires_in, 86_400);
        const headers = { authorization: `Bearer ${login.data.token}` };
        assertCode(
          await call(tp.app, 'POST', `${P}/whitelist-account/add`, { headers, json: { accounts: 'bearer1:pass1234' } }),
          200,
        );
        const listed = await call(tp.app, 'GET', `${P}/whitelist-account/list`, { headers });
        assert.deepEqual(
          listed.data.list.map((a: any) => a.username),
          ['bearer1'],
        );
        assert.equal((await call(tp.app, 'GET', `${P}/user/info`, { headers })).data.id, u.id);
        // A login form body works too.
        const formLogin = await call(tp.app, 'POST', `/pub/auth/login`, {
          form: { email: u.email, password: 'correct horse battery' },
        });
        assertCode(formLogin, 200);
      });

      it('refuses bad logins and bad or revoked tokens', async () => {
        const u = await createUser(tp, { password: 'correct horse battery' });
        const keyOnly = await createUser(tp);
        assertCode(await call(tp.app, 'POST', `${P}/auth/login`, { json: { email: u.email, password: 'wrong password' } }), 1001);
        assertCode(await call(tp.app, 'POST', `${P}/auth/login`, { json: { email: 'nobody@example.com', password: 'x' } }), 1001);
        assertCode(await call(tp.app, 'POST', `${P}/auth/login`, { json: { email: keyOnly.email, password: '' } }), 400);
        assertCode(await call(tp.app, 'POST', `${P}/auth/login`, { json: { email: keyOnly.email, password: 'anything' } }), 1001);
        assertCode(await call(tp.app, 'GET', `${P}/user/info`, { headers: { authorization: 'Bearer not.a.jwt' } }), 1003);

        const login = await call(tp.app, 'POST', `${P}/auth/login`, {
          json: { email: u.email, password: 'correct horse battery' },
        });
        const headers = { authorization: `Bearer ${login.data.token}` };
        // Tampered signature.
        assertCode(
          await call(tp.app, 'GET', `${P}/user/info`, { headers: { authorization: `${headers.authorization}x` } }),
          1003,
        );
        // A new password revokes tokens issued before it.
        await tp.platform.services.users.update(u.id, { password: 'another password' });
        assertCode(await call(tp.app, 'GET', `${P}/user/info`, { headers }), 1003);
      });

      it('refuses a disabled user on every endpoint with code 1002', async () => {
        const u = await createUser(tp, { password: 'correct horse battery' });
        assertCode(await post(tp, 'add', u.appKey, { accounts: 'dis1:pass1234' }), 200);
        await tp.platform.services.users.update(u.id, { status: 0 });
        assertCode(await call(tp.app, 'GET', `${P}/whitelist-account/list`, { query: { app_key: u.appKey } }), 1002);
        assertCode(await call(tp.app, 'GET', `${P}/user/info`, { query: { app_key: u.appKey } }), 1002);
        for (const path of ['add', 'delete', 'disable', 'enable']) {
          assertCode(await post(tp, path, u.appKey, { accounts: 'dis1:pass1234' }), 1002);
        }
        assertCode(await post(tp, 'change-password', u.appKey, { account: 'dis1', password: 'pass9999' }), 1002);
        assertCode(await post(tp, 'change-remark', u.appKey, { account: 'dis1', remark: 'x' }), 1002);
        assertCode(await post(tp, 'change-limit', u.appKey, { account: 'dis1', limit: 1 }), 1002);
        assertCode(
          await call(tp.app, 'POST', `${P}/auth/login`, { json: { email: u.email, password: 'correct horse battery' } }),
          1002,
        );
        await tp.platform.services.users.update(u.id, { status: 1 });
        assert.equal((await list(tp, u.appKey)).length, 1);
      });
    });

    describe('whitelist-account/list', () => {
      it('returns exactly the documented fields, types and formats', async () => {
        const u = await createUser(tp);
        assertCode(await post(tp, 'add', u.appKey, { accounts: 'fmt1:Secret99', remark: '备注 note', product_type: 25 }), 200);
        await tp.platform.storage.db
          .updateTable('sub_accounts')
          .set({ used_bytes: 5 * 1024 * 1024 + 1023 })
          .where('username', '=', 'fmt1')
          .execute();
        assertCode(await post(tp, 'change-limit', u.appKey, { account: 'fmt1', limit: 250 }), 200);
        const [item] = await list(tp, u.appKey);
        assert.deepEqual(Object.keys(item).sort(), [
          'created_at',
          'daily_limit',
          'id',
          'limit_flow',
          'password',
          'product_type',
          'remark',
          'status',
          'udp',
          'usage_flow',
          'username',
        ]);
        assert.equal(typeof item.id, 'number');
        assert.equal(item.username, 'fmt1');
        assert.equal(item.password, 'Secret99');
        assert.equal(item.created_at, '2024-05-13 12:14:15');
        assert.equal(item.remark, '备注 note');
        assert.equal(item.product_type, 25);
        assert.equal(item.usage_flow, 5 * 1024, 'usage_flow is whole KB');
        assert.equal(item.limit_flow, 250, 'limit_flow is GB');
        assert.equal(item.status, 1);
        assert.equal(item.daily_limit, 0, 'no daily limit by default');
        assert.equal(item.udp, 0, 'no UDP by default');
      });

      it('lists only the caller’s accounts, filtered by product_type or username on request', async () => {
        const a = await createUser(tp);
        const b = await createUser(tp);
        assertCode(await post(tp, 'add', a.appKey, { accounts: 'own1:pass1234,own2:pass1234' }), 200);
        assertCode(await post(tp, 'add', a.appKey, { accounts: 'own1:pass1234', product_type: 14 }), 200);
        assertCode(await post(tp, 'add', b.appKey, { accounts: 'other1:pass1234' }), 200);
        assert.deepEqual(await names(tp, a.appKey), ['own1/14', 'own1/9', 'own2/9']);
        assert.deepEqual(await names(tp, b.appKey), ['other1/9']);
        assert.deepEqual(
          (await list(tp, a.appKey, { product_type: 14 })).map((x) => x.username),
          ['own1'],
        );
        assert.deepEqual(
          (await list(tp, a.appKey, { username: 'own2' })).map((x) => x.username),
          ['own2'],
        );
        assertCode(
          await call(tp.app, 'GET', `${P}/whitelist-account/list`, { query: { app_key: a.appKey, product_type: 10 } }),
          400,
        );
        // Unknown parameters are ignored, empty ones are absent.
        assert.equal((await list(tp, a.appKey, { page: 3, foo: 'bar', product_type: '' })).length, 3);
      });
    });

    describe('whitelist-account/add', () => {
      it('defaults product_type to 9 and remark to empty, and keeps what is given', async () => {
        const u = await createUser(tp);
        assertCode(await post(tp, 'add', u.appKey, { accounts: 'def1:pass1234' }), 200);
        assertCode(await post(tp, 'add', u.appKey, { accounts: 'def2:pass1234', product_type: '', remark: '' }), 200);
        assertCode(
          await post(tp, 'add', u.appKey, { accounts: 'def3:pass1234', product_type: null, remark: null, extra: 'x' }),
          200,
        );
        assertCode(
          await post(tp, 'add', u.appKey, { accounts: ' def4:pass1234 , def5:pass1234 ,', product_type: '11', remark: 'r' }),
          200,
        );
        const rows = await list(tp, u.appKey);
        assert.deepEqual(
          rows.map((r) => [r.username, r.product_type, r.remark, r.status, r.limit_flow, r.usage_flow]),
          [
            ['def1', 9, '', 1, 0, 0],
            ['def2', 9, '', 1, 0, 0],
            ['def3', 9, '', 1, 0, 0],
            ['def4', 11, 'r', 1, 0, 0],
            ['def5', 11, 'r', 1, 0, 0],
          ],
        );
      });

      it('accepts every product type the registry gives sub-accounts and no other', async () => {
        const u = await createUser(tp);
        for (const type of [9, 11, 12, 14, 25])
          assertCode(await post(tp, 'add', u.appKey, { accounts: `pt${type}:pass1234`, product_type: type }), 200);
        for (const type of [0, 3, 10, 13, 19, 26, 'x', 9.5]) {
          const answer = await post(tp, 'add', u.appKey, { accounts: 'ptbad:pass1234', product_type: type });
          assertCode(answer, 400);
          assert.ok(answer.errors?.product_type, JSON.stringify(answer));
        }
        assert.equal((await list(tp, u.appKey)).length, 5);
      });

      it('rejects a batch with any bad entry, naming the bad entries, and adds nothing', async () => {
        const u = await createUser(tp);
        const bad = await post(tp, 'add', u.appKey, {
          accounts:
            'good1:pass1234,bad-name:pass1234,good2:pass1234,nocolon,bad2:pa$$1234,short:abc,中文:pass1234, sp ace:pass1234',
        });
        assertCode(bad, 400);
        assert.deepEqual(bad.data.invalid, ['bad-name', 'nocolon', 'bad2', 'short', '中文', 'sp ace']);
        assert.match(bad.errors?.accounts ?? '', /bad-name, nocolon, bad2, short, 中文, sp ace/);
        assert.doesNotMatch(JSON.stringify(bad), /pa\$\$1234|abc/, 'passwords are never echoed');
        assert.deepEqual(await names(tp, u.appKey), []);
      });

      it('enforces name and password lengths', async () => {
        const u = await createUser(tp);
        assertCode(await post(tp, 'add', u.appKey, { accounts: `${'n'.repeat(32)}:${'p'.repeat(64)},a:pass` }), 200);
        assertCode(await post(tp, 'add', u.appKey, { accounts: `${'n'.repeat(33)}:pass1234` }), 400);
        assertCode(await post(tp, 'add', u.appKey, { accounts: `okname:${'p'.repeat(65)}` }), 400);
        assertCode(await post(tp, 'add', u.appKey, { accounts: 'okname:pas' }), 400);
        assertCode(await post(tp, 'add', u.appKey, { accounts: ':pass1234' }), 400);
        assert.equal((await list(tp, u.appKey)).length, 2);
      });

      it('rejects names repeated within a batch', async () => {
        const u = await createUser(tp);
        const answer = await post(tp, 'add', u.appKey, { accounts: 'rep1:pass1234,rep2:pass1234,rep1:other123' });
        assertCode(answer, 400);
        assert.deepEqual(answer.data.duplicates, ['rep1']);
        assert.deepEqual(await names(tp, u.appKey), []);
      });

      it('rejects names taken by anyone on the same gateway entry, naming them, and adds nothing', async () => {
        const a = await createUser(tp);
        const b = await createUser(tp);
        assertCode(await post(tp, 'add', a.appKey, { accounts: 'taken1:pass1234,taken2:pass1234' }), 200);
        const answer = await post(tp, 'add', b.appKey, { accounts: 'free1:pass1234,taken2:pass1234,taken1:pass1234' });
        assertCode(answer, 2002);
        assert.deepEqual([...answer.data.accounts].sort(), ['taken1', 'taken2']);
        assert.match(answer.msg, /taken1/);
        assert.match(answer.msg, /taken2/);
        assert.deepEqual(await names(tp, b.appKey), []);
        // Same owner, same type: also taken. Another type of the same entry (the main port serves 9, 11 and 12 by
        // name alone): taken too. A type of another entry (14, the static-IP port): free.
        assertCode(await post(tp, 'add', a.appKey, { accounts: 'taken1:pass1234' }), 2002);
        assertCode(await post(tp, 'add', b.appKey, { accounts: 'taken1:pass1234', product_type: 11 }), 2002);
        assertCode(await post(tp, 'add', b.appKey, { accounts: 'taken1:pass1234', product_type: 14 }), 200);
        const en = await call(tp.app, 'POST', `${P}/whitelist-account/add`, {
          query: { app_key: b.appKey, language: 'en' },
          json: { accounts: 'taken2:pass1234' },
        });
        assert.equal(en.msg, 'Proxy account name already taken: taken2');
      });

      it('lets exactly one of two concurrent adds of the same name win', async () => {
        const a = await createUser(tp);
        const b = await createUser(tp);
        const batch = Array.from({ length: 50 }, (_, i) => `race${i}:pass1234`).join(',');
        const [x, y] = await Promise.all([
          post(tp, 'add', a.appKey, { accounts: batch }),
          post(tp, 'add', b.appKey, { accounts: batch }),
        ]);
        assert.deepEqual([x.code, y.code].sort(), [200, 2002]);
        const total = (await list(tp, a.appKey)).length + (await list(tp, b.appKey)).length;
        assert.equal(total, 50);
      });

      it('takes batches up to the documented maximum (1,000) and refuses larger ones with code 2003', async () => {
        const u = await createUser(tp);
        const entries = (n: number, p: string) => Array.from({ length: n }, (_, i) => `${p}${i}:pass${i}x`).join(',');
        assertCode(await post(tp, 'add', u.appKey, { accounts: entries(1000, 'big') }), 200);
        const rows = await list(tp, u.appKey);
        assert.equal(rows.length, 1000);
        assert.equal(rows.find((r) => r.username === 'big999')?.password, 'pass999x');
        const tooMany = await post(tp, 'add', u.appKey, { accounts: entries(1001, 'huge') });
        assertCode(tooMany, 2003);
        assert.equal((await list(tp, u.appKey)).length, 1000);
        const names1001 = Array.from({ length: 1001 }, (_, i) => `big${i}`).join(',');
        assertCode(await post(tp, 'disable', u.appKey, { accounts: names1001 }), 2003);
      });

      it('enforces the remark width: 32 Chinese or 64 Latin characters', async () => {
        const u = await createUser(tp);
        assertCode(await post(tp, 'add', u.appKey, { accounts: 'rem1:pass1234', remark: '中'.repeat(32) }), 200);
        assertCode(await post(tp, 'add', u.appKey, { accounts: 'rem2:pass1234', remark: 'a'.repeat(64) }), 200);
        assertCode(await post(tp, 'add', u.appKey, { accounts: 'rem3:pass1234', remark: `${'中'.repeat(31)}ab` }), 200);
        const cjk = await post(tp, 'add', u.appKey, { accounts: 'rem4:pass1234', remark: '中'.repeat(33) });
        assertCode(cjk, 400);
        assert.ok(cjk.errors?.remark);
        assertCode(await post(tp, 'add', u.appKey, { accounts: 'rem5:pass1234', remark: 'a'.repeat(65) }), 400);
        assertCode(await post(tp, 'add', u.appKey, { accounts: 'rem6:pass1234', remark: `${'中'.repeat(32)}a` }), 400);
        assert.deepEqual(await names(tp, u.appKey), ['rem1/9', 'rem2/9', 'rem3/9']);
      });

      it('requires accounts', async () => {
        const u = await createUser(tp);
        const missing = await post(tp, 'add', u.appKey, { remark: 'x' });
        assertCode(missing, 400);
        assert.equal(missing.errors?.accounts, 'is required');
        assertCode(await post(tp, 'add', u.appKey, { accounts: '' }), 400);
        assertCode(await post(tp, 'add', u.appKey, { accounts: ' , ,' }), 400);
        // An empty JSON body with the key in the query is an empty parameter set, not a syntax error.
        const empty = await tp.app.inject({
          method: 'POST',
          url: `${P}/whitelist-account/add?app_key=${u.appKey}`,
          headers: { 'content-type': 'application/json' },
          payload: '',
        });
        assert.equal(empty.json().code, 400);
        assert.equal(empty.json().errors.accounts, 'is required');
      });

      it('takes every parameter from the query of a POST with no body, and query parameters the body lacks', async () => {
        const u = await createUser(tp);
        const bare = await tp.app.inject({
          method: 'POST',
          url: `${P}/whitelist-account/add?app_key=${u.appKey}&accounts=q1:pass1234&remark=fromquery`,
        });
        assert.equal(bare.json().code, 200, bare.body);
        const mixed = await tp.app.inject({
          method: 'POST',
          url: `${P}/whitelist-account/add?app_key=${u.appKey}&remark=fromquery&accounts=ignored:pass1234`,
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify({ accounts: 'q2:pass1234' }),
        });
        assert.equal(mixed.json().code, 200, mixed.body);
        const rows = (await list(tp, u.appKey)).filter((r) => r.username.startsWith('q') || r.username === 'ignored');
        assert.deepEqual(
          rows.map((r) => [r.username, r.remark]).sort(),
          [
            ['q1', 'fromquery'],
            ['q2', 'fromquery'],
          ],
          'the body wins over the query; the query fills what the body lacks',
        );
      });
    });

    describe('batch operations: delete, disable, enable', () => {
      it('disables and enables a batch, reflected in list', async () => {
        const u = await createUser(tp);
        assertCode(await post(tp, 'add', u.appKey, { accounts: 'st1:pass1234,st2:pass1234,st3:pass1234' }), 200);
        assertCode(await post(tp, 'disable', u.appKey, { accounts: 'st1,st3,st1' }), 200);
        assert.deepEqual(
          (await list(tp, u.appKey)).map((r) => [r.username, r.status]),
          [
            ['st1', 0],
            ['st2', 1],
            ['st3', 0],
          ],
        );
        assertCode(await post(tp, 'enable', u.appKey, { accounts: 'st3' }), 200);
        assert.deepEqual(
          (await list(tp, u.appKey)).map((r) => r.status),
          [0, 1, 1],
        );
      });

      it('deletes a batch; a deleted name can be added again', async () => {
        const u = await createUser(tp);
        assertCode(await post(tp, 'add', u.appKey, { accounts: 'del1:pass1234,del2:pass1234,del3:pass1234' }), 200);
        assertCode(await post(tp, 'delete', u.appKey, { accounts: 'del1,del3' }), 200);
        assert.deepEqual(await names(tp, u.appKey), ['del2/9']);
        assertCode(await post(tp, 'add', u.appKey, { accounts: 'del1:newpass1' }), 200);
        assert.equal((await list(tp, u.appKey, { username: 'del1' }))[0].password, 'newpass1');
      });

      it('changes nothing when any name is unknown or someone else’s, naming those names', async () => {
        const a = await createUser(tp);
        const b = await createUser(tp);
        assertCode(await post(tp, 'add', a.appKey, { accounts: 'at1:pass1234,at2:pass1234' }), 200);
        assertCode(await post(tp, 'add', b.appKey, { accounts: 'bt1:pass1234' }), 200);
        for (const path of ['delete', 'disable']) {
          const answer = await post(tp, path, a.appKey, { accounts: 'at1,ghost,bt1,at2' });
          assertCode(answer, 2001);
          assert.deepEqual(answer.data.accounts, ['ghost', 'bt1']);
          assert.match(answer.msg, /ghost, bt1/);
        }
        assert.deepEqual(
          (await list(tp, a.appKey)).map((r) => [r.username, r.status]),
          [
            ['at1', 1],
            ['at2', 1],
          ],
        );
        assert.equal((await list(tp, b.appKey))[0].status, 1);
      });

      it('rejects malformed names in a batch', async () => {
        const u = await createUser(tp);
        assertCode(await post(tp, 'add', u.appKey, { accounts: 'mal1:pass1234' }), 200);
        const answer = await post(tp, 'delete', u.appKey, { accounts: 'mal1,bad-one,x y' });
        assertCode(answer, 400);
        assert.deepEqual(answer.data.invalid, ['bad-one', 'x y']);
        assert.equal((await list(tp, u.appKey)).length, 1);
        assertCode(await post(tp, 'enable', u.appKey, {}), 400);
      });

      it('applies to every product type unless product_type narrows it', async () => {
        const u = await createUser(tp);
        assertCode(await post(tp, 'add', u.appKey, { accounts: 'multi1:pass1234' }), 200);
        assertCode(await post(tp, 'add', u.appKey, { accounts: 'multi1:pass1234', product_type: 25 }), 200);
        assertCode(await post(tp, 'disable', u.appKey, { accounts: 'multi1', product_type: 25 }), 200);
        assert.deepEqual(
          (await list(tp, u.appKey)).map((r) => [r.product_type, r.status]),
          [
            [9, 1],
            [25, 0],
          ],
        );
        assertCode(await post(tp, 'delete', u.appKey, { accounts: 'multi1', product_type: 14 }), 2001);
        assertCode(await post(tp, 'delete', u.appKey, { accounts: 'multi1' }), 200);
        assert.deepEqual(await names(tp, u.appKey), []);
      });
    });

    describe('single-account changes', () => {
      it('changes the password', async () => {
        const u = await createUser(tp);
        assertCode(await post(tp, 'add', u.appKey, { accounts: 'cp1:oldpass1' }), 200);
        assertCode(await post(tp, 'change-password', u.appKey, { account: 'cp1', password: 'NewPass22' }), 200);
        assert.equal((await list(tp, u.appKey))[0].password, 'NewPass22');
        const bad = await post(tp, 'change-password', u.appKey, { account: 'cp1', password: 'bad pass!' });
        assertCode(bad, 400);
        assert.ok(bad.errors?.password);
        assertCode(await post(tp, 'change-password', u.appKey, { account: 'cp1', password: '' }), 400);
        assertCode(await post(tp, 'change-password', u.appKey, { account: 'cp1' }), 400);
        assertCode(await post(tp, 'change-password', u.appKey, { account: 'ghost', password: 'NewPass33' }), 2001);
        assertCode(await post(tp, 'change-password', u.appKey, { account: 'bad-name', password: 'NewPass33' }), 400);
        assert.equal((await list(tp, u.appKey))[0].password, 'NewPass22');
      });

      it('changes the remark, empty clearing it', async () => {
        const u = await createUser(tp);
        assertCode(await post(tp, 'add', u.appKey, { accounts: 'cr1:pass1234', remark: 'old' }), 200);
        assertCode(await post(tp, 'change-remark', u.appKey, { account: 'cr1', remark: '新的备注' }), 200);
        assert.equal((await list(tp, u.appKey))[0].remark, '新的备注');
        assertCode(await post(tp, 'change-remark', u.appKey, { account: 'cr1', remark: '中'.repeat(33) }), 400);
        assert.equal((await list(tp, u.appKey))[0].remark, '新的备注');
        assertCode(await post(tp, 'change-remark', u.appKey, { account: 'cr1', remark: '' }), 200);
        assert.equal((await list(tp, u.appKey))[0].remark, '');
        assertCode(await post(tp, 'change-remark', u.appKey, { account: 'ghost', remark: 'x' }), 2001);
      });

      it('changes the limit: an integer 0-102400 GB', async () => {
        const u = await createUser(tp);
        assertCode(await post(tp, 'add', u.appKey, { accounts: 'cl1:pass1234' }), 200);
        assertCode(await post(tp, 'change-limit', u.appKey, { account: 'cl1', limit: 102_400 }), 200);
        assert.equal((await list(tp, u.appKey))[0].limit_flow, 102_400);
        for (const limit of [102_401, -1, 1.5, 'abc', '']) {
          const answer = await post(tp, 'change-limit', u.appKey, { account: 'cl1', limit });
          assertCode(answer, 400);
          assert.ok(answer.errors?.limit, JSON.stringify(answer));
        }
        assert.equal((await list(tp, u.appKey))[0].limit_flow, 102_400);
        const form = await call(tp.app, 'POST', `${P}/whitelist-account/change-limit`, {
          form: { app_key: u.appKey, account: 'cl1', limit: '0' },
        });
        assertCode(form, 200);
        assert.equal((await list(tp, u.appKey))[0].limit_flow, 0);
        assertCode(await post(tp, 'change-limit', u.appKey, { account: 'ghost', limit: 1 }), 2001);
      });
    });

    describe('user/info', () => {
      it('returns the documented User fields, created_at in ISO 8601, with the newer release’s openid and total_recharge_fee', async () => {
        const u = await createUser(tp);
        const answer = await call(tp.app, 'GET', `${P}/user/info`, { query: { app_key: u.appKey } });
        const { openid, ...rest } = answer.data;
        assert.deepEqual(rest, {
          id: u.id,
          email: u.email,
          phone: '',
          balance: 0,
          status: 1,
          is_real_name: false,
          created_at: '2024-05-13T04:14:15Z',
          username: '',
          total_recharge_fee: 0,
        });
        assert.match(openid, /^[a-z0-9]{24}$/);
        assert.notEqual(openid, u.appKey);
      });
    });

    describe('encryption at rest', () => {
      it('stores no sub-account password in plain text anywhere in the database', async () => {
        const u = await createUser(tp);
        const password = 'PlainTextCanary7781';
        assertCode(await post(tp, 'add', u.appKey, { accounts: `canary1:${password}` }), 200);
        assertCode(await post(tp, 'change-password', u.appKey, { account: 'canary1', password: `${password}x` }), 200);
        assert.equal((await list(tp, u.appKey))[0].password, `${password}x`);
        const { db } = tp.platform.storage;
        const rows = await sql<{ row: string }>`select * from sub_accounts`.execute(db);
        const dump = JSON.stringify(rows.rows);
        assert.doesNotMatch(dump, new RegExp(password));
        assert.doesNotMatch(
          JSON.stringify(await sql`select * from users`.execute(db)),
          new RegExp(u.appKey),
          'app_key stored only hashed',
        );
        if (dialect === 'sqlite') {
          await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
          const file = readFileSync(join(tp.dataDir, 'tollgate.db'));
          assert.equal(file.includes(password), false, 'the SQLite file holds no plaintext password');
          assert.equal(file.includes(u.appKey), false, 'the SQLite file holds no app_key');
        }
        const stored = await db
          .selectFrom('sub_accounts')
          .select('password_enc')
          .where('username', '=', 'canary1')
          .executeTakeFirstOrThrow();
        assert.match(stored.password_enc, /^v1\.[A-Za-z0-9+/]+=*$/);
      });
    });
  });

  describe(`customer API limits and gates on ${dialect}`, () => {
    it('requires real-name verification for writes when TOLLGATE_REQUIRE_REAL_NAME is on (code 156)', async () => {
      const tp = await startTestPlatform(dialect, { TOLLGATE_REQUIRE_REAL_NAME: '1' });
      try {
        const unverified = await createUser(tp);
        const verified = await createUser(tp, { isRealName: true });
        for (const [path, body] of [
          ['add', { accounts: 'rn1:pass1234' }],
          ['delete', { accounts: 'rn1' }],
          ['disable', { accounts: 'rn1' }],
          ['enable', { accounts: 'rn1' }],
          ['change-password', { account: 'rn1', password: 'pass9999' }],
          ['change-remark', { account: 'rn1', remark: 'x' }],
          ['change-limit', { account: 'rn1', limit: 1 }],
        ] as const) {
          assertCode(await post(tp, path, unverified.appKey, body), 156);
        }
        // Reads stay open.
        assert.deepEqual(await list(tp, unverified.appKey), []);
        assertCode(await call(tp.app, 'GET', `${P}/user/info`, { query: { app_key: unverified.appKey } }), 200);
        assertCode(await post(tp, 'add', verified.appKey, { accounts: 'rn1:pass1234' }), 200);
        await tp.platform.services.users.update(unverified.id, { isRealName: true });
        assertCode(await post(tp, 'add', unverified.appKey, { accounts: 'rn2:pass1234' }), 200);
      } finally {
        await tp.close();
      }
    });

    it('does not ask for real-name verification when the setting is off', async () => {
      const tp = await startTestPlatform(dialect);
      try {
        const u = await createUser(tp);
        assertCode(await post(tp, 'add', u.appKey, { accounts: 'rnoff:pass1234' }), 200);
      } finally {
        await tp.close();
      }
    });

    it('limits requests per app_key (code 429) without touching other keys', async () => {
      const tp = await startTestPlatform(dialect, { TOLLGATE_RATE_LIMIT_PER_KEY: '5' });
      try {
        const a = await createUser(tp);
        const b = await createUser(tp);
        const codes: number[] = [];
        for (let i = 0; i < 20; i++) {
          codes.push((await call(tp.app, 'GET', `${P}/user/info`, { query: { app_key: a.appKey } })).code);
        }
        assert.equal(codes[0], 200);
        assert.ok(codes.includes(429), `some of 20 quick requests are limited: ${codes}`);
        const limited = await call(tp.app, 'GET', `${P}/user/info`, { query: { app_key: a.appKey, language: 'en' } });
        if (limited.code === 429) assert.match(limited.msg, /Too many requests/);
        assertCode(await call(tp.app, 'GET', `${P}/user/info`, { query: { app_key: b.appKey } }), 200);
      } finally {
        await tp.close();
      }
    });

    it('limits requests per client address (code 429, HTTP 200 on customer routes)', async () => {
      const tp = await startTestPlatform(dialect, { TOLLGATE_RATE_LIMIT_PER_IP: '5' });
      try {
        const codes: number[] = [];
        for (let i = 0; i < 20; i++) codes.push((await call(tp.app, 'GET', `${P}/user/info`, { query: { app_key: 'x' } })).code);
        assert.equal(codes[0], 3);
        assert.ok(codes.includes(429), `some of 20 quick requests are limited: ${codes}`);
        const res = await tp.app.inject({ method: 'GET', url: `${P}/user/info`, remoteAddress: '127.0.0.9' });
        assert.equal(res.json().code, 3, 'another address is not limited');
      } finally {
        await tp.close();
      }
    });

    it('refuses oversized, malformed and unsupported bodies with stable codes', async () => {
      const tp = await startTestPlatform(dialect, { TOLLGATE_BODY_LIMIT: '2048' });
      try {
        const u = await createUser(tp);
        const big = await post(tp, 'add', u.appKey, {
          accounts: Array.from({ length: 200 }, (_, i) => `bb${i}:pass1234`).join(','),
        });
        assertCode(big, 413);
        const bad = await tp.app.inject({
          method: 'POST',
          url: `${P}/whitelist-account/add?app_key=${u.appKey}`,
          headers: { 'content-type': 'application/json' },
          payload: '{"accounts": ',
        });
        assert.equal(bad.statusCode, 200);
        assert.equal(bad.json().code, 400);
        const xml = await tp.app.inject({
          method: 'POST',
          url: `${P}/whitelist-account/add?app_key=${u.appKey}`,
          headers: { 'content-type': 'application/xml' },
          payload: '<accounts>x:pass1234</accounts>',
        });
        assert.equal(xml.json().code, 415);
        assert.deepEqual(await list(tp, u.appKey), []);
        // JSON or a form labelled text/plain is read as what it holds.
        for (const payload of ['{"accounts":"tp1:pass1234"}', 'accounts=tp2%3Apass1234']) {
          const text = await tp.app.inject({
            method: 'POST',
            url: `${P}/whitelist-account/add?app_key=${u.appKey}`,
            headers: { 'content-type': 'text/plain; charset=utf-8' },
            payload,
          });
          assert.equal(text.json().code, 200, text.body);
        }
        assert.deepEqual(await names(tp, u.appKey), ['tp1/9', 'tp2/9']);
      } finally {
        await tp.close();
      }
    });

    it('honours a smaller TOLLGATE_BATCH_MAX', async () => {
      const tp = await startTestPlatform(dialect, { TOLLGATE_BATCH_MAX: '3' });
      try {
        const u = await createUser(tp);
        const answer = await post(tp, 'add', u.appKey, { accounts: 'm1:pass1234,m2:pass1234,m3:pass1234,m4:pass1234' });
        assertCode(answer, 2003);
        assert.equal(answer.msg, '单次最多操作 3 个代理账户,本次 4 个');
        assertCode(await post(tp, 'add', u.appKey, { accounts: 'm1:pass1234,m2:pass1234,m3:pass1234' }), 200);
      } finally {
        await tp.close();
      }
    });
  });
}
