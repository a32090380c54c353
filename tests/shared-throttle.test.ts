/**
 * The failed-login counts the gateways share on Redis (src/cluster/shared-throttle.ts), on a real Redis with a
 * clock the test moves. Runs when TEST_REDIS_URL is set.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { RedisFailures } from '../src/cluster/shared-throttle.js';
import { SharedStore } from '../src/cluster/shared-store.js';
import type { BudgetRule } from '../src/throttle/index.js';

const REDIS_URL = process.env.TEST_REDIS_URL;
const skip = REDIS_URL ? false : 'needs TEST_REDIS_URL';

const MINUTE = 60_000;
const RULE: BudgetRule = { max: 10, windowMs: MINUTE, blockMs: 30_000 };

describe('shared failed-login counts', { skip }, () => {
  let store: SharedStore;
  let clock = 0;
  let failures: RedisFailures;

  before(async () => {
    store = new SharedStore(
      {
        redisUrl: REDIS_URL!,
        prefix: `tollgate-test-${randomBytes(4).toString('hex')}:`,
        gatewayId: 'g1',
        region: 'test',
        publicHost: '127.0.0.1',
        localAllowanceBytes: 0,
      },
      pino({ level: 'silent' }),
    );
    await store.connect();
    failures = new RedisFailures(store, () => clock);
  });
  after(async () => {
    const keys = await store.redis.keys(`${store.config.prefix}*`);
    if (keys.length > 0) await store.redis.del(...keys);
    await store.close();
  });

  it('counts failures and refuses the key across the gateways at the maximum', async () => {
    clock = 1000 * MINUTE + 5_000;
    for (let i = 1; i < RULE.max; i++) {
      assert.deepEqual(await failures.add('src', 'a', RULE), { failures: i, blockedMs: 0 });
    }
    const last = await failures.add('src', 'a', RULE);
    assert.equal(last.failures, RULE.max);
    assert.ok(last.blockedMs > 29_000 && last.blockedMs <= 30_000, `blocked for ${last.blockedMs} ms`);
    assert.equal((await failures.read('src', 'a', RULE)).failures, RULE.max);
    // Other keys and scopes are apart.
    assert.deepEqual(await failures.read('src', 'b', RULE), { failures: 0, blockedMs: 0 });
    assert.deepEqual(await failures.read('name', 'a', RULE), { failures: 0, blockedMs: 0 });
  });

  it('does not start from nothing at a window boundary: the previous window counts for what still overlaps', async () => {
    // Eight failures in the last second of a window...
    clock = 2000 * MINUTE - 1_000;
    for (let i = 0; i < 8; i++) await failures.add('src', 'c', RULE);
    // ...still count in full just after the boundary, so two more reach the maximum (a plain aligned window
    // would have allowed ten more).
    clock = 2000 * MINUTE + 100;
    assert.equal((await failures.read('src', 'c', RULE)).failures, 8);
    assert.equal((await failures.add('src', 'c', RULE)).failures, 9);
    const tenth = await failures.add('src', 'c', RULE);
    assert.equal(tenth.failures, 10);
    assert.ok(tenth.blockedMs > 0, 'refused at the maximum');
    // Halfway through the next window half of the old failures still count; a window later none do.
    clock = 2000 * MINUTE + MINUTE / 2;
    assert.equal((await failures.read('src', 'c', RULE)).failures, 2 + 4);
    clock = 2001 * MINUTE + 10;
    assert.equal((await failures.read('src', 'c', RULE)).failures, 2);
    clock = 2002 * MINUTE + 10;
    assert.equal((await failures.read('src', 'c', RULE)).failures, 0);
  });
});
