/** PackagesService on a real database of every dialect: grants, the summary's figures, listing, revocation. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createUser, dialects, startTestPlatform, type TestPlatform } from '../../tests/helpers/platform.js';
import { AppError } from '../errors/index.js';
import { TimeFormatter } from '../time/time-format.js';
import { PackagesService } from './packages.service.js';

const DAY = 86_400_000;
const KB = 1024;
/** 2026-11-23 12:00:00 UTC. */
const T = Date.UTC(2026, 10, 23, 12, 0, 0);

async function expectError(promise: Promise<unknown>, key: string): Promise<AppError> {
  const err = await promise.then(
    () => assert.fail(`expected ${key}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof AppError, String(err));
  assert.equal(err.key, key, err.message);
  return err;
}

for (const dialect of dialects()) {
  describe(`PackagesService on ${dialect}`, () => {
    let tp: TestPlatform;
    let service: PackagesService;
    let clock = T;

    before(async () => {
      tp = await startTestPlatform(dialect);
      service = new PackagesService(tp.platform.storage.db, new TimeFormatter('Asia/Shanghai'), { now: () => clock });
    });
    after(() => tp.close());

    const setUsed = (id: number, bytes: number) =>
      tp.platform.storage.db.updateTable('user_packages').set({ used_bytes: bytes }).where('id', '=', id).execute();
    const changes = async (userId: number) =>
      (
        await tp.platform.storage.db
          .selectFrom('change_log')
          .select(['entity', 'entity_id', 'created_at'])
          .where('entity', '=', 'user_package')
          .where('entity_id', '=', userId)
          .execute()
      ).map((r) => ({ ...r, entity_id: Number(r.entity_id), created_at: Number(r.created_at) }));

    it('grants a package with a generated 28-digit trade_no and a change_log row, in one transaction', async () => {
      clock = T;
      const user = await createUser(tp);
      const pkg = await service.grant({ userId: user.id, productType: 9, totalBytes: 5 * 1024 ** 3, days: 30 });
      assert.deepEqual(
        { ...pkg, id: 0, tradeNo: '' },
        {
          id: 0,
          userId: user.id,
          productType: 9,
          totalBytes: 5 * 1024 ** 3,
          usedBytes: 0,
          bandwidthMbps: 0,
          concurrency: 0,
          startsAt: T,
          expiresAt: T + 30 * DAY,
          tradeNo: '',
          title: 'Granted by operator',
          orderCreatedAt: T,
          orderPayAt: T,
          status: 1,
          createdAt: T,
        },
      );
      // Local time in the service's zone (UTC+8), then 14 random digits.
      assert.match(pkg.tradeNo, /^20261123200000\d{14}$/);
      assert.deepEqual(await changes(user.id), [{ entity: 'user_package', entity_id: user.id, created_at: T }]);
      const other = await service.grant({ userId: user.id, productType: 12, totalBytes: 1, days: 1, title: '  入门级 ' });
      assert.notEqual(other.tradeNo, pkg.tradeNo);
      assert.equal(other.title, '入门级');
      assert.equal((await changes(user.id)).length, 2);
    });

    it('takes start, trade_no and title as given', async () => {
      const user = await createUser(tp);
      const start = T + 10 * DAY;
      const pkg = await service.grant({
        userId: user.id,
        productType: 12,
        totalBytes: 1000,
        days: 7,
        startsAt: start,
        tradeNo: `ORDER-${user.id}_1`,
        title: 'Starter',
      });
      assert.deepEqual(
        [pkg.startsAt, pkg.expiresAt, pkg.tradeNo, pkg.title, pkg.orderPayAt],
        [start, start + 7 * DAY, `ORDER-${user.id}_1`, 'Starter', T],
      );
    });

    it('refuses bad grants by field, an unknown user, a used trade_no, and writes nothing', async () => {
      const user = await createUser(tp);
      const bad = await expectError(
        service.grant({
          userId: user.id,
          productType: 13,
          totalBytes: 0,
          days: 1.5,
          startsAt: -1,
          tradeNo: 'has space',
          title: 'two\nlines',
        }),
        'TG_ERR_PARAM_INVALID',
      );
      assert.deepEqual(Object.keys(bad.errors ?? {}).sort(), ['days', 'product_type', 'starts_at', 'title', 'trade_no']);
      // What a package holds follows the product registry: traffic packages a size, time packages (11) a bandwidth
      // and a concurrency, and neither the other's.
      const timeless = await expectError(
        service.grant({ userId: user.id, productType: 11, totalBytes: 1, days: 1 }),
        'TG_ERR_PARAM_INVALID',
      );
      assert.deepEqual(Object.keys(timeless.errors ?? {}).sort(), ['bandwidth_mbps', 'concurrency', 'size']);
      const sized = await expectError(
        service.grant({ userId: user.id, productType: 9, totalBytes: 1, days: 1, bandwidthMbps: 20, concurrency: 3 }),
        'TG_ERR_PARAM_INVALID',
      );
      assert.deepEqual(Object.keys(sized.errors ?? {}).sort(), ['bandwidth_mbps', 'concurrency']);
      await expectError(
        service.grant({ userId: user.id, productType: 11, bandwidthMbps: 100_001, concurrency: 0, days: 1 }),
        'TG_ERR_PARAM_INVALID',
      );
      await expectError(
        service.grant({ userId: user.id, productType: 9, totalBytes: 2 ** 50 + 1, days: 1 }),
        'TG_ERR_PARAM_INVALID',
      );
      await expectError(service.grant({ userId: user.id, productType: 9, totalBytes: 1, days: 3651 }), 'TG_ERR_PARAM_INVALID');
      await expectError(service.grant({ userId: 999_999, productType: 9, totalBytes: 1, days: 1 }), 'TG_ERR_USER_NOT_FOUND');
      await service.grant({ userId: user.id, productType: 9, totalBytes: 1, days: 1, tradeNo: `T${user.id}` });
      const dup = await expectError(
        service.grant({ userId: user.id, productType: 9, totalBytes: 1, days: 1, tradeNo: `T${user.id}` }),
        'TG_ERR_PARAM_INVALID',
      );
      assert.match(dup.errors?.trade_no ?? '', /already used/);
      assert.equal((await service.list(user.id)).total, 1);
      assert.equal((await changes(user.id)).length, 1);
      assert.equal((await changes(999_999)).length, 0);
    });

    it('summarises as the documents do, in KB, on a hand-built set', async () => {
      clock = T;
      const user = await createUser(tp);
      const stranger = await createUser(tp);
      const grant = async (kb: number, startsAt: number, days: number, usedBytes = 0, productType = 9, userId = user.id) => {
        const p = await service.grant({ userId, productType, totalBytes: kb * KB, days, startsAt });
        if (usedBytes > 0) await setUsed(p.id, usedBytes);
        return p;
      };
      // Valid, 30 days left.
      await grant(589_824, T, 30, 233_472 * KB);
      // Valid, expiring in 3 days: temporary.
      const soon = await grant(131_072, T - 27 * DAY, 30, 28_672 * KB);
      // Valid, unused, 60 days left.
      await grant(65_536, T, 60);
      // Expired yesterday, with 51,200 KB left.
      await grant(262_144, T - 31 * DAY, 30, 210_944 * KB);
      // Withdrawn: counts nowhere.
      const withdrawn = await grant(1_000_000_000, T, 30, 7 * KB);
      await service.revoke(withdrawn.id);
      // Another user's, another product type's.
      await grant(999, T, 30, 0, 9, stranger.id);
      await grant(4_096, T, 30, 1 * KB, 12);

      // The document's example: effective = effective_total - effective_used; used = effective_used + the expired
      // package's used; total = effective_total + the expired package's total. (Its total_count of 5 names a package
      // its other figures leave no room for; here the four packages are counted.)
      assert.deepEqual(await service.summary(user.id, 9), {
        total: 1_048_576,
        total_count: 4,
        effective: 524_288,
        effective_count: 3,
        effective_total: 786_432,
        effective_used: 262_144,
        temporary: 102_400,
        temporary_count: 1,
        expired: 51_200,
        expired_count: 1,
        used: 473_088,
      });
      assert.deepEqual(await service.summary(user.id, 12), {
        total: 4_096,
        total_count: 1,
        effective: 4_095,
        effective_count: 1,
        effective_total: 4_096,
        effective_used: 1,
        temporary: 0,
        temporary_count: 0,
        expired: 0,
        expired_count: 0,
        used: 1,
      });

      // A package used up (with the gateway's overshoot past its end, not shown) is not valid: it counts in the
      // totals and what was used, not in the effective figures.
      const usedUp = await grant(10_240, T, 60, 10_240 * KB + 5000);
      const withUsedUp = await service.summary(user.id, 9);
      assert.deepEqual(
        [withUsedUp.total, withUsedUp.total_count, withUsedUp.used, withUsedUp.effective_count, withUsedUp.effective_total],
        [1_048_576 + 10_240, 5, 473_088 + 10_240, 3, 786_432],
      );
      await service.revoke(usedUp.id);

      // The moment `soon` expires it moves from effective to expired (expires_at = now is expired).
      const atExpiry = await service.summary(user.id, 9, soon.expiresAt);
      assert.deepEqual(
        [atExpiry.effective_count, atExpiry.effective, atExpiry.temporary_count, atExpiry.expired_count, atExpiry.expired],
        [2, 421_888, 0, 2, 153_600],
      );
      // Seven days before the first package ends it is temporary; the boundary counts.
      const week = await service.summary(user.id, 9, T + 23 * DAY);
      assert.deepEqual([week.temporary_count, week.temporary], [1, 356_352]);
      const weekAndAMs = await service.summary(user.id, 9, T + 23 * DAY - 1);
      assert.deepEqual([weekAndAMs.temporary_count, weekAndAMs.temporary], [0, 0]);
    });

    it('sums bytes first, then floors to KB; a package not yet started is not valid until it starts; no packages give zeros', async () => {
      const user = await createUser(tp);
      const zeros = await service.summary(user.id, 9);
      assert.ok(Object.values(zeros).every((v) => v === 0));
      await service.grant({ userId: user.id, productType: 9, totalBytes: 1536, days: 1 });
      await service.grant({ userId: user.id, productType: 9, totalBytes: 1536, days: 1, startsAt: T + 5 * DAY });
      const s = await service.summary(user.id, 9);
      // 3,072 bytes in all are 3 KB; the started one alone is 1.5 KB, shown as 1.
      assert.deepEqual([s.total, s.total_count, s.effective, s.effective_count, s.expired_count], [3, 2, 1, 1, 0]);
      assert.deepEqual([s.temporary, s.temporary_count], [1, 1]);
      // Once it starts it is valid (and temporary: it ends a day later).
      const later = await service.summary(user.id, 9, T + 5 * DAY);
      assert.deepEqual([later.effective, later.effective_count, later.expired_count], [1, 1, 1]);
    });

    it('grants a time package (11): a bandwidth and a concurrency, no traffic', async () => {
      const user = await createUser(tp);
      const pkg = await service.grant({ userId: user.id, productType: 11, bandwidthMbps: 20, concurrency: 3, days: 30 });
      assert.deepEqual(
        [pkg.productType, pkg.totalBytes, pkg.bandwidthMbps, pkg.concurrency, pkg.expiresAt - pkg.startsAt],
        [11, 0, 20, 3, 30 * DAY],
      );
      assert.equal((await service.list(user.id, { productType: 11 })).items[0]?.id, pkg.id);
    });

    it('lists newest first with exact trade_no and product_type filters and pages; withdrawn only on request', async () => {
      const user = await createUser(tp);
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) {
        const p = await service.grant({
          userId: user.id,
          productType: i % 2 === 0 ? 9 : 12,
          totalBytes: KB,
          days: 1,
          tradeNo: `L${user.id}x${i}`,
        });
        ids.push(p.id);
      }
      const all = await service.list(user.id);
      assert.deepEqual([all.page, all.size, all.total], [1, 20, 5]);
      assert.deepEqual(
        all.items.map((p) => p.id),
        [...ids].reverse(),
      );
      const page2 = await service.list(user.id, { page: 2, size: 2 });
      assert.deepEqual(
        page2.items.map((p) => p.id),
        [ids[2], ids[1]],
      );
      assert.equal(page2.total, 5);
      assert.deepEqual(
        (await service.list(user.id, { productType: 12 })).items.map((p) => p.id),
        [ids[3], ids[1]],
      );
      assert.deepEqual(
        (await service.list(user.id, { tradeNo: `L${user.id}x2` })).items.map((p) => p.id),
        [ids[2]],
      );
      assert.equal((await service.list(user.id, { tradeNo: `L${user.id}x` })).total, 0, 'no partial match');
      await service.revoke(ids[0]!);
      assert.equal((await service.list(user.id)).total, 4);
      const withWithdrawn = await service.list(user.id, { includeWithdrawn: true });
      assert.equal(withWithdrawn.total, 5);
      assert.equal(withWithdrawn.items.at(-1)?.status, 0);
      await expectError(service.list(user.id, { size: 101 }), 'TG_ERR_PARAM_INVALID');
      await expectError(service.list(user.id, { page: 0 }), 'TG_ERR_PARAM_INVALID');
    });

    it('revokes once (status 0, change_log), again without a change, and refuses unknown ids', async () => {
      clock = T + 1000;
      const user = await createUser(tp);
      const pkg = await service.grant({ userId: user.id, productType: 9, totalBytes: KB, days: 1 });
      clock = T + 2000;
      const revoked = await service.revoke(pkg.id);
      assert.equal(revoked.status, 0);
      assert.deepEqual(
        (await changes(user.id)).map((c) => c.created_at),
        [T + 1000, T + 2000],
      );
      assert.equal((await service.revoke(pkg.id)).status, 0);
      assert.equal((await changes(user.id)).length, 2);
      await expectError(service.revoke(999_999), 'TG_ERR_PACKAGE_NOT_FOUND');
      await expectError(service.get(999_999), 'TG_ERR_PACKAGE_NOT_FOUND');
      assert.equal((await service.get(pkg.id)).status, 0);
      clock = T;
    });
  });
}
