/**
 * Answers of 1 KiB and more are compressed for clients that ask (src/api/server.ts): gzip first, Brotli for
 * clients that take only that, nothing for clients that do not ask (the documented clients: curl, PHP). Read over
 * a real socket with node:http, which never decompresses by itself, so the bytes on the wire are what is checked.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { createUser, startTestPlatform, type TestPlatform } from './helpers/platform.js';

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function request(base: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(path, base), { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('compressed answers', () => {
  let tp: TestPlatform;
  let base: string;
  let listPath: string;
  before(async () => {
    tp = await startTestPlatform('sqlite');
    base = await tp.app.listen({ host: '127.0.0.1', port: 0 });
    const user = await createUser(tp);
    const accounts = Array.from({ length: 200 }, (_, i) => `zip${i}:pass${i}word`).join(',');
    await tp.platform.services.subAccounts.add(user.id, accounts, 'compressed', 9);
    listPath = `/gateway/whitelist-account/list?app_key=${user.appKey}&size=200`;
  });
  after(() => tp.close());

  it('gzips a long answer for a client that asks, with Vary, and the same JSON inside', async () => {
    const plain = await request(base, 'GET', listPath, {});
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.headers['content-length'], String(plain.body.length));
    const json = JSON.parse(plain.body.toString()) as { code: number; data: { list: unknown[] } };
    assert.equal(json.code, 200);
    assert.equal(json.data.list.length, 200);

    const gz = await request(base, 'GET', listPath, { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.match(String(gz.headers.vary), /accept-encoding/i);
    assert.ok(gz.body.length * 5 < plain.body.length, `${gz.body.length} bytes gzip against ${plain.body.length}`);
    assert.deepEqual(gunzipSync(gz.body), plain.body);

    const br = await request(base, 'GET', listPath, { 'accept-encoding': 'br' });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.deepEqual(brotliDecompressSync(br.body), plain.body);

    // identity only, or an encoding the server does not make: plain JSON.
    for (const accept of ['identity', 'compress']) {
      const other = await request(base, 'GET', listPath, { 'accept-encoding': accept });
      assert.equal(other.headers['content-encoding'], undefined, accept);
      assert.deepEqual(other.body, plain.body, accept);
    }
  });

  it('leaves short answers as they are', async () => {
    const res = await request(base, 'GET', '/healthz', { 'accept-encoding': 'gzip' });
    assert.equal(res.status, 200);
    assert.ok(res.body.length < 1024);
    assert.equal(res.headers['content-encoding'], undefined);
    assert.equal(JSON.parse(res.body.toString()).status, 'ok');
  });

  it('records an admin write in the audit log from its JSON even when the answer goes out gzipped', async () => {
    const auth = { authorization: `Bearer ${tp.platform.config.adminToken}`, 'content-type': 'application/json' };
    const description = 'A long description. '.repeat(50);
    const added = await request(
      base,
      'POST',
      '/admin/products',
      { ...auth, 'accept-encoding': 'gzip' },
      JSON.stringify({ title: 'Zipped 10 GB', description, product_type: 9, price: 12.5, unit_gb: 10, unit_days: 30 }),
    );
    assert.equal(added.headers['content-encoding'], 'gzip', `${added.status} ${added.body.toString().slice(0, 300)}`);
    const product = JSON.parse(gunzipSync(added.body).toString()) as { code: number; data: { id: number } };
    assert.equal(product.code, 200);
    const log = await request(base, 'GET', '/admin/audit?page_size=5', auth);
    const entries = (JSON.parse(log.body.toString()) as { data: { list: { action: string; after: unknown }[] } }).data.list;
    const entry = entries.find((e) => e.action === 'POST /admin/products');
    assert.ok(entry, JSON.stringify(entries));
    assert.equal((entry.after as { id: number; description: string }).id, product.data.id);
    assert.equal((entry.after as { description: string }).description, description.trim());
  });
});
