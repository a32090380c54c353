/**
 * The package quotas on a real database of every dialect, with a clock the tests move: what valid packages allow
 * (traffic bytes; time: concurrency and bandwidth adding up), reloads on change and on expiry, and the quota's
 * own lock keeping a reading and a flush apart.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { usageRig, unthrottled } from '../../tests/helpers/usage.js';
import { createUser, dialects, startTestPlatform, type TestPlatform } from '../../tests/helpers/platform.js';
import { quotaOf } from './package-quota.js';

const DAY = 86_400_000;
const T = Date.parse('2026-11-23T12:00:00Z');

describe('quotaOf', () => {
  const pkg = (
    over: Partial<{ totalBytes: number; usedBytes: number; bandwidthMbps: number; concurrency: number; expiresAt: number }>,
  ) => ({
    id: 1,
    totalBytes: 0,
    usedBytes: 0,
    bandwidthMbps: 0,
    concurrency: 0,
    expiresAt: T + DAY,
    ...over,
  });

  it('traffic: the bytes left in the valid packages; changes at the first expiry or start', () => {
    const r = quotaOf(
      [pkg({ totalBytes: 100, usedBytes: 30 }), pkg({ totalBytes: 50, usedBytes: 60, expiresAt: T + 10 })],
      T + 5,
      'traffic',
    );
    assert.deepEqual(r, { stored: 70, concurrency: Number.POSITIVE_INFINITY, bytesPerSecond: 0, nextChangeAt: T + 5 });
  });

  it('time: packages add up, concurrency and bandwidth; none valid means nothing', () => {
    const r = quotaOf(
      [pkg({ bandwidthMbps: 20, concurrency: 3 }), pkg({ bandwidthMbps: 10, concurrency: 1, expiresAt: T + 10 })],
      Infinity,
      'time',
    );
    assert.deepEqual(r, { stored: Number.POSITIVE_INFINITY, concurrency: 4, bytesPerSecond: 3_750_000, nextChangeAt: T + 10 });
    assert.deepEqual(quotaOf([], T + 99, 'time'), { stored: 0, concurrency: 0, bytesPerSecond: 0, nextChangeAt: T + 99 });
  });
});

for (const dialect of dialects()) {
  describe(`QuotaBook on ${dialect}`, () => {
    let tp: TestPlatform;
    let clock = T;
    const now = () => clock;

    before(async () => {
      tp = await startTestPlatform(dialect, {}, { now });
    });
    after(() => tp.close());

    const grant = (userId: number, productType: number, fields: Record<string, number>) =>
      tp.platform.services.packages.grant({ userId, productType, days: 30, ...fields });

    it('traffic: reads the valid packages only, reloads on change (less what is pending) and at expiry', async () => {
      clock = T;
      const rig = usageRig(tp, now);
      const user = await createUser(tp);
      await grant(user.id, 9, { totalBytes: 1000 });
      await grant(user.id, 9, { totalBytes: 500, startsAt: T + DAY }); // not started
      const used = await grant(user.id, 9, { totalBytes: 10 });
      await tp.platform.storage.db.updateTable('user_packages').set({ used_bytes: 10 }).where('id', '=', used.id).execute(); // used up
      const quota = await rig.quotas.get(user.id, 9);
      assert.ok(quota);
      assert.deepEqual([quota.remaining, quota.nextChangeAt, quota.limit], [1000, T + DAY, 'traffic']);
      assert.equal(await rig.quotas.get(user.id, 14), undefined, 'static IPs are not limited by packages');

      await tp.platform.services.subAccounts.add(user.id, 'qt1:pass1234', '', 9);
      const state = await rig.directory.authenticate('qt1', 'pass1234', [9], unthrottled);
      assert.equal(state.quota, quota, 'accounts of the owner and type share one quota');
      state.charge(300); // counted, not flushed
      await grant(user.id, 9, { totalBytes: 200 });
      await rig.quotas.reloadUsers([user.id]);
      assert.equal(quota.remaining, 1000 + 200 - 300, 'a reading subtracts what is pending');

      const conn = rig.connect(state);
      clock = T + DAY; // the future package starts
      await rig.quotas.reloadDue();
      assert.equal(quota.remaining, 1000 + 200 + 500 - 300);
      clock = T + 31 * DAY; // all expired
      await rig.quotas.reloadDue();
      assert.equal(quota.exhausted, true);
      assert.equal(conn.closed, true, 'the members’ connections are cut');
    });

    it('time: concurrency and bandwidth of the valid packages; a lower concurrency trims, expiry cuts', async () => {
      clock = T;
      const rig = usageRig(tp, now);
      const user = await createUser(tp);
      await grant(user.id, 11, { bandwidthMbps: 20, concurrency: 2 });
      await tp.platform.services.packages.grant({ userId: user.id, productType: 11, bandwidthMbps: 10, concurrency: 1, days: 1 });
      await tp.platform.services.subAccounts.add(user.id, 'qtime1:pass1234,qtime2:pass1234', '', 11);
      const a = await rig.directory.authenticate('qtime1', 'pass1234', [11], unthrottled);
      const b = await rig.directory.authenticate('qtime2', 'pass1234', [11], unthrottled);
      const quota = a.quota!;
      assert.deepEqual([quota.concurrency, quota.shaper?.rate, quota.remaining], [3, 3_750_000, Number.POSITIVE_INFINITY]);
      const conns = [rig.connect(a), rig.connect(b), rig.connect(a)];
      assert.throws(() => rig.connect(b), /concurrency \(3 open connections\)/);

      clock = T + DAY; // the 1-day package ends: 2 connections, 20 Mbit/s
      await rig.quotas.reloadDue();
      assert.deepEqual([quota.concurrency, quota.shaper?.rate], [2, 2_500_000]);
      assert.deepEqual(
        conns.map((c) => c.closed),
        [false, false, true],
        'the newest over the new concurrency is cut',
      );
      clock = T + 30 * DAY;
      await rig.quotas.reloadDue();
      assert.equal(quota.exhausted, true);
      assert.equal(quota.refusal, 'TG_ERR_QUOTA_NO_TIME_PACKAGE');
      assert.deepEqual(
        conns.map((c) => c.closed),
        [true, true, true],
      );
    });

    it('owns its lock: a reading waits for a task holding it (a flush) to finish', async () => {
      clock = T;
      const rig = usageRig(tp, now);
      const user = await createUser(tp);
      await grant(user.id, 9, { totalBytes: 1000 });
      const quota = (await rig.quotas.get(user.id, 9))!;
      const order: string[] = [];
      let release!: () => void;
      const flushing = rig.quotas.locked(async () => {
        order.push('flush starts');
        await new Promise<void>((r) => {
          release = r;
        });
        order.push('flush ends');
      });
      const reading = rig.quotas.reloadUsers([user.id]).then(() => order.push('reading'));
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(order, ['flush starts']);
      release();
      await Promise.all([flushing, reading]);
      assert.deepEqual(order, ['flush starts', 'flush ends', 'reading']);
      assert.equal(quota.remaining, 1000);
    });
  });
}
