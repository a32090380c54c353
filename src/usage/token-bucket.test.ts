/** The shaper's token bucket, on an injected clock: exact long-run rate, bounded burst, debts repaid at the rate. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mbpsToBytesPerSecond, TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('lets a saved-up burst through, carries a small debt, then asks each reader to wait for all it owes', () => {
    let t = 0;
    const bucket = new TokenBucket(1_000_000, () => t); // 1,000 bytes per ms; burst 50 ms = 50,000 bytes
    assert.equal(bucket.take(50_000), 0, 'the burst');
    assert.equal(bucket.take(10_000), 0, '10 ms owed: carried (under 20 ms, not worth a pause)');
    assert.equal(bucket.take(15_000), 25, '25 ms owed: wait them all');
    assert.equal(bucket.take(1), 26, 'debts add up');
    t = 26;
    assert.equal(bucket.take(0), 0, 'repaid after the wait');
  });

  it('moves exactly the rate in the long run, whatever the chunk sizes and however many readers share it', () => {
    let t = 0;
    const rate = 2_500_000; // 20 Mbit/s
    const bucket = new TokenBucket(rate, () => t);
    // Three readers: each reads a chunk when its wait is over, then waits as told.
    const readyAt = [0, 0, 0];
    const sizes = [65_536, 16_384, 1_460];
    let moved = 0;
    const end = 10_000;
    while (t < end) {
      for (let r = 0; r < 3; r++) {
        if (readyAt[r]! > t) continue;
        const n = sizes[r]!;
        moved += n;
        readyAt[r] = t + bucket.take(n);
      }
      t += 1;
    }
    const expected = (rate * end) / 1000;
    // What is moved over 10 s is the rate, plus the initial burst (50 ms), the debt carried (under 20 ms) and at
    // most one chunk per reader in flight.
    assert.ok(moved >= expected, `${moved} < ${expected}`);
    assert.ok(moved <= expected + 125_000 + 50_000 + 65_536 + 16_384 + 1_460, `${moved} moved, ${expected} expected`);
  });

  it('saves up no more than its burst while idle, and changes rate from now on', () => {
    let t = 0;
    const bucket = new TokenBucket(1_000_000, () => t);
    t = 60_000; // a minute idle
    assert.equal(bucket.take(50_000), 0);
    assert.equal(bucket.take(30_000), 30, 'only 50 ms were saved up');
    t += 30;
    bucket.setRate(10_000_000); // ×10: 10,000 bytes per ms
    assert.equal(bucket.rate, 10_000_000);
    assert.equal(bucket.take(300_000), 30, 'the new rate repays faster');
  });

  it('sells bandwidth in decimal megabits', () => {
    assert.equal(mbpsToBytesPerSecond(20), 2_500_000);
    assert.equal(mbpsToBytesPerSecond(1), 125_000);
  });
});
