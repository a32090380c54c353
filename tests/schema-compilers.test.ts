/**
 * Route schemas compile lazily (src/api/schema-compilers.ts): nothing is compiled while the API starts, a route's
 * validator compiles on its first request and validates as Fastify's own would, every schema of the real API
 * compiles, and a listening server compiles the rest in the background.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { compilePendingSchemas, pendingSchemas } from '../src/api/schema-compilers.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';

describe('lazily compiled route schemas', () => {
  let tp: TestPlatform;
  let appKey: string;

  before(async () => {
    tp = await startTestPlatform('sqlite');
    appKey = (await tp.platform.services.users.create({ email: 'schemas@example.com' })).appKey;
  });
  after(() => tp.close());

  it('start-up compiles none; a request compiles its route’s validators, which refuse bad input with field errors', async () => {
    const atStart = pendingSchemas(tp.app);
    assert.ok(atStart > 100, `${atStart} schemas waiting after ready`);
    const bad = await tp.app.inject({ method: 'GET', url: `/gateway/whitelist-account/list?app_key=${appKey}&product_type=abc` });
    assert.equal(bad.json().code, 400, bad.body);
    assert.ok(bad.json().errors?.product_type, bad.body);
    const good = await tp.app.inject({ method: 'GET', url: `/gateway/whitelist-account/list?app_key=${appKey}&product_type=9` });
    assert.equal(good.json().code, 200, good.body);
    assert.ok(pendingSchemas(tp.app) < atStart, 'the route’s schemas compiled');
  });

  it('every schema of the API compiles', () => {
    const waiting = pendingSchemas(tp.app);
    assert.equal(compilePendingSchemas(tp.app), waiting);
    assert.equal(pendingSchemas(tp.app), 0);
    assert.equal(compilePendingSchemas(tp.app), 0);
  });
});

describe('a listening API', () => {
  let tp: TestPlatform;
  before(async () => {
    tp = await startTestPlatform('sqlite');
  });
  after(() => tp.close());

  it('compiles the schemas not used yet in the background', async () => {
    assert.ok(pendingSchemas(tp.app) > 100);
    await tp.app.listen({ host: '127.0.0.1', port: 0 });
    const t0 = performance.now();
    while (pendingSchemas(tp.app) > 0 && performance.now() - t0 < 30_000) await sleep(20);
    assert.equal(pendingSchemas(tp.app), 0);
    const res = await fetch(`http://127.0.0.1:${(tp.app.server.address() as { port: number }).port}/healthz`);
    assert.equal(res.status, 200);
  });
});
