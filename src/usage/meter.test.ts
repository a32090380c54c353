/**
 * The meter on a real database of every dialect, with a clock the tests move: one transaction per flush writes
 * the hourly usage, the accounts' used bytes and the packages' draws (the one expiring first, first; the
 * overshoot to the last), and only for the types the product registry meters by traffic packages.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { Meter } from './meter.js';
import { ACCOUNT_LIMIT } from './usage.types.js';
import { usageRig, unthrottled } from '../../tests/helpers/usage.js';
import { createUser, dialects, startTestPlatform, type TestPlatform } from '../../tests/helpers/platform.js';

const DAY = 86_400_000;
/** 2026-11-23 12:34:56 UTC: 20:34:56 in Asia/Shanghai, whose hour starts at 12:00:00 UTC. */
const T = Date.parse('2026-11-23T12:34:56Z');

for (const dialect of dialects()) {
  describe(`Meter on ${dialect}`, () => {
    let tp: TestPlatform;
    let clock = T;
    const now = () => clock;

    before(async () => {
      tp = await startTestPlatform(dialect, { TOLLGATE_TZ: 'Asia/Shanghai' }, { now });
    });
    after(() => tp.close());

    const db = () => tp.platform.storage.db;
    const services = () => tp.platform.services;
    const packagesOf = async (userId: number) =>
      (
        await db().selectFrom('user_packages').select(['id', 'used_bytes']).where('user_id', '=', userId).orderBy('id').execute()
      ).map((r) => Number(r.used_bytes));
    const usageOf = async (userId: number) =>
      (
        await db()
          .selectFrom('usage_hourly')
          .select(['product_type', 'username', 'hour_start', 'bytes'])
          .where('user_id', '=', userId)
          .orderBy('product_type')
          .orderBy('username')
          .execute()
      ).map((r) => [r.product_type, r.username, Number(r.hour_start), Number(r.bytes)]);

    it('writes usage at the clock’s local hour, the accounts’ used bytes, and draws the package expiring first first', async () => {
      clock = T;
      const rig = usageRig(tp, now);
      const user = await createUser(tp);
      await services().subAccounts.add(user.id, 'm1:pass1234,m2:pass1234', '', 9);
      await services().packages.grant({ userId: user.id, productType: 9, totalBytes: 1000, days: 20 });
      await services().packages.grant({ userId: user.id, productType: 9, totalBytes: 300, days: 2 });
      const a = await rig.directory.authenticate('m1', 'pass1234', [9], unthrottled);
      const b = await rig.directory.authenticate('m2', 'pass1234', [9], unthrottled);
      a.charge(400);
      b.charge(100);
      assert.equal(await rig.meter.flush(), 500);
      assert.deepEqual(await packagesOf(user.id), [200, 300], 'the 2-day package first');
      const hour = Date.parse('2026-11-23T12:00:00Z');
      assert.deepEqual(await usageOf(user.id), [
        [9, 'm1', hour, 400],
        [9, 'm2', hour, 100],
      ]);
      const used = await db()
        .selectFrom('sub_accounts')
        .select(['username', 'used_bytes'])
        .where('user_id', '=', user.id)
        .orderBy('username')
        .execute();
      assert.deepEqual(
        used.map((r) => Number(r.used_bytes)),
        [400, 100],
      );
      assert.equal(await rig.meter.flush(), 0, 'nothing new');
      assert.equal(a.quota?.remaining, 800, 'the quota agrees with the database after the flush');

      // A day on, the 2-day package is used up: what the other cannot hold goes to it too (it ends last).
      clock = T + DAY;
      a.charge(1000);
      await rig.meter.flush();
      assert.deepEqual(await packagesOf(user.id), [1200, 300]);
      // Past the end of every package: the overshoot lands on the one that ended last.
      clock = T + 21 * DAY;
      a.charge(50);
      await rig.meter.flush();
      assert.deepEqual(await packagesOf(user.id), [1250, 300]);
      assert.equal((await usageOf(user.id)).length, 4, 'a row per account and hour');
    });

    it('meters time-package traffic (11) into usage and draws from no package', async () => {
      clock = T;
      const rig = usageRig(tp, now);
      const user = await createUser(tp);
      await services().subAccounts.add(user.id, 'm11:pass1234', '', 11);
      await services().packages.grant({ userId: user.id, productType: 11, bandwidthMbps: 10, concurrency: 2, days: 2 });
      const state = await rig.directory.authenticate('m11', 'pass1234', [11], unthrottled);
      state.charge(12_345);
      await rig.meter.flush();
      assert.deepEqual(await packagesOf(user.id), [0]);
      assert.deepEqual(
        (await usageOf(user.id)).map((r) => [r[0], r[3]]),
        [[11, 12_345]],
      );
    });

    it('flushes the bytes of revoked accounts too, and shares one flush between concurrent callers', async () => {
      clock = T;
      const rig = usageRig(tp, now);
      const user = await createUser(tp);
      await services().subAccounts.add(user.id, 'mr1:pass1234', '', 9);
      await services().packages.grant({ userId: user.id, productType: 9, totalBytes: 1000, days: 2 });
      const state = await rig.directory.authenticate('mr1', 'pass1234', [9], unthrottled);
      state.charge(70);
      await services().subAccounts.remove(user.id, 'mr1');
      await rig.directory.apply([{ id: 1, entity: 'sub_account', entityId: state.accountId }]);
      const [x, y] = await Promise.all([rig.meter.flush(), rig.meter.flush()]);
      assert.deepEqual([x, y], [70, 70]);
      assert.deepEqual(await packagesOf(user.id), [70]);
    });

    it('applies a spooled record exactly once, however often it is replayed, and reports its draws', async () => {
      clock = T;
      const rig = usageRig(tp, now);
      const user = await createUser(tp);
      await services().subAccounts.add(user.id, 'msp:pass1234', '', 9);
      await services().packages.grant({ userId: user.id, productType: 9, totalBytes: 10_000, days: 2 });
      const state = await rig.directory.authenticate('msp', 'pass1234', [9], unthrottled);
      const record = {
        id: `gw-test-${user.id}:boot:1`,
        at: T,
        entries: [{ accountId: state.accountId, userId: user.id, productType: 9, username: 'msp', bytes: 1234 }],
      };
      const dir = mkdtempSync(join(tmpdir(), 'tollgate-spool-'));
      try {
        const reported: unknown[] = [];
        const meterFor = () =>
          new Meter(
            db(),
            tp.platform.storage.caps,
            rig.directory,
            rig.quotas,
            tp.platform.time,
            60_000,
            pino({ level: 'silent' }),
            now,
            {
              gatewayId: 'gw-test',
              spoolDir: dir,
              onApplied: (draws, own) => void reported.push({ draws, own }),
            },
          );
        writeFileSync(join(dir, 'a.json'), JSON.stringify(record));
        const first = meterFor();
        assert.equal(first.backlog, 1);
        assert.equal(await first.flush(), 1234);
        assert.deepEqual(readdirSync(dir), [], 'the spool file goes once applied');
        // The same record again (a crash after the commit, before the file was removed): applied once.
        writeFileSync(join(dir, 'a.json'), JSON.stringify(record));
        assert.equal(await meterFor().flush(), 0);
        assert.deepEqual(await packagesOf(user.id), [1234]);
        assert.deepEqual(
          (await usageOf(user.id)).map((r) => r[3]),
          [1234],
        );
        // The packages' draw, and the sub-account's bytes for the lease of its own limit (by account id).
        assert.deepEqual(reported, [
          {
            draws: [
              { userId: user.id, productType: 9, bytes: 1234 },
              { userId: state.accountId, productType: ACCOUNT_LIMIT, bytes: 1234 },
            ],
            own: false,
          },
        ]);
        const flushes = await db()
          .selectFrom('usage_flushes')
          .select(['gateway_id', 'bytes'])
          .where('flush_id', '=', record.id)
          .execute();
        assert.deepEqual(
          flushes.map((f) => [f.gateway_id, Number(f.bytes)]),
          [['gw-test', 1234]],
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
