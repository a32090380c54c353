/**
 * The account directory on a real database of every dialect, with a clock the tests move: credentials, the
 * negative cache, the change feed's revocations and limits (closing through the connection registry), the
 * packages' refusals, and names shared by two types of one entry.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { usageRig, unthrottled } from '../../tests/helpers/usage.js';
import { createUser, dialects, startTestPlatform, type TestPlatform } from '../../tests/helpers/platform.js';
import { AppError } from '../errors/index.js';

const T = Date.parse('2026-11-23T12:00:00Z');

const refusedWith = (key: string) => (err: unknown) => err instanceof AppError && err.key === key;

for (const dialect of dialects()) {
  describe(`AccountDirectory on ${dialect}`, () => {
    let tp: TestPlatform;
    let clock = T;
    const now = () => clock;

    before(async () => {
      tp = await startTestPlatform(dialect, {}, { now });
    });
    after(() => tp.close());

    const services = () => tp.platform.services;
    const changesOf = async (entity: string, ids: number[]) => ids.map((entityId, i) => ({ id: i + 1, entity, entityId }));

    it('answers an unknown name and a wrong password alike, and remembers unknown names for a while', async () => {
      clock = T;
      const rig = usageRig(tp, now);
      const user = await createUser(tp);
      await assert.rejects(
        rig.directory.authenticate('late1', 'pass1234', [9], unthrottled),
        refusedWith('TG_ERR_PROXY_AUTH_FAILED'),
      );
      await services().subAccounts.add(user.id, 'late1:pass1234', '', 9);
      // Added behind the directory's back (no feed): still unknown until the negative cache ends.
      await assert.rejects(
        rig.directory.authenticate('late1', 'pass1234', [9], unthrottled),
        refusedWith('TG_ERR_PROXY_AUTH_FAILED'),
      );
      clock += 5_001;
      await services().packages.grant({ userId: user.id, productType: 9, totalBytes: 1000, days: 1 });
      const state = await rig.directory.authenticate('late1', 'pass1234', [9], unthrottled);
      assert.equal(state.username, 'late1');
      await assert.rejects(
        rig.directory.authenticate('late1', 'wrong999', [9], unthrottled),
        refusedWith('TG_ERR_PROXY_AUTH_FAILED'),
      );
      await assert.rejects(
        rig.directory.authenticate('late1', 'pass1234', [14], unthrottled),
        refusedWith('TG_ERR_PROXY_AUTH_FAILED'),
      );
    });

    it('revokes on the feed (disabled, new password, user disabled) and closes the connections', async () => {
      clock = T;
      const rig = usageRig(tp, now);
      const user = await createUser(tp);
      await services().subAccounts.add(user.id, 'rev1:pass1234,rev2:pass1234', '', 9);
      await services().packages.grant({ userId: user.id, productType: 9, totalBytes: 1000, days: 1 });
      const a = await rig.directory.authenticate('rev1', 'pass1234', [9], unthrottled);
      const b = await rig.directory.authenticate('rev2', 'pass1234', [9], unthrottled);
      const ca = rig.connect(a);
      const cb = rig.connect(b);

      await services().subAccounts.setStatus(user.id, 'rev1', false);
      await rig.directory.apply(await changesOf('sub_account', [a.accountId]));
      assert.deepEqual([a.revoked, ca.closed, cb.closed], [true, true, false]);
      await assert.rejects(
        rig.directory.authenticate('rev1', 'pass1234', [9], unthrottled),
        refusedWith('TG_ERR_PROXY_ACCOUNT_DISABLED'),
      );

      await services().users.update(user.id, { status: 0 });
      await rig.directory.apply(await changesOf('user', [user.id]));
      assert.deepEqual([b.revoked, cb.closed], [true, true]);
    });

    it('applies a new limit_flow from the feed: a reached one closes, a raised one lets in', async () => {
      clock = T;
      const rig = usageRig(tp, now);
      const user = await createUser(tp);
      await services().subAccounts.add(user.id, 'lim1:pass1234', '', 9);
      await services().packages.grant({ userId: user.id, productType: 9, totalBytes: 10 * 1024 ** 3, days: 1 });
      await services().subAccounts.changeLimit(user.id, 'lim1', 1);
      const state = await rig.directory.authenticate('lim1', 'pass1234', [9], unthrottled);
      state.used = 1024 ** 3; // as if the limit was reached since
      const conn = rig.connect(state);
      await rig.directory.apply(await changesOf('sub_account', [state.accountId]));
      assert.equal(conn.closed, true);
      await assert.rejects(
        rig.directory.authenticate('lim1', 'pass1234', [9], unthrottled),
        refusedWith('TG_ERR_QUOTA_ACCOUNT_LIMIT'),
      );
      await services().subAccounts.changeLimit(user.id, 'lim1', 2);
      await rig.directory.apply(await changesOf('sub_account', [state.accountId]));
      assert.equal(await rig.directory.authenticate('lim1', 'pass1234', [9], unthrottled), state);
    });

    it('refuses by the product’s limit: no traffic package (4102), no time package (4103)', async () => {
      clock = T;
      const rig = usageRig(tp, now);
      const user = await createUser(tp);
      await services().subAccounts.add(user.id, 'nop9:pass1234', '', 9);
      await services().subAccounts.add(user.id, 'nop11:pass1234', '', 11);
      await services().subAccounts.add(user.id, 'nop14:pass1234', '', 14);
      await assert.rejects(
        rig.directory.authenticate('nop9', 'pass1234', [9, 11, 12], unthrottled),
        refusedWith('TG_ERR_QUOTA_NO_PACKAGE'),
      );
      await assert.rejects(
        rig.directory.authenticate('nop11', 'pass1234', [9, 11, 12], unthrottled),
        refusedWith('TG_ERR_QUOTA_NO_TIME_PACKAGE'),
      );
      const staticAccount = await rig.directory.authenticate('nop14', 'pass1234', [14, 25], unthrottled);
      assert.equal(staticAccount.quota, undefined, 'static IPs: the entry checks the IPs');
    });

    it('tells apart older accounts of one entry that share a name, by password', async () => {
      clock = T;
      const rig = usageRig(tp, now);
      const a = await createUser(tp);
      const b = await createUser(tp);
      await services().subAccounts.add(a.id, 'shared1:aaaa1111', '', 9);
      await services().packages.grant({ userId: a.id, productType: 9, totalBytes: 1000, days: 1 });
      await services().packages.grant({ userId: b.id, productType: 11, bandwidthMbps: 1, concurrency: 1, days: 1 });
      // Written as an older platform would have: the same name in another type of the main entry.
      await tp.platform.storage.db
        .insertInto('sub_accounts')
        .values({
          user_id: b.id,
          product_type: 11,
          username: 'shared1',
          password_enc: tp.platform.passwords.encrypt('bbbb2222'),
          remark: '',
          limit_gb: 0,
          used_bytes: 0,
          status: 1,
          created_at: clock,
          updated_at: clock,
        })
        .execute();
      const first = await rig.directory.authenticate('shared1', 'aaaa1111', [9, 11, 12], unthrottled);
      const second = await rig.directory.authenticate('shared1', 'bbbb2222', [9, 11, 12], unthrottled);
      assert.deepEqual([first.userId, first.productType, second.userId, second.productType], [a.id, 9, b.id, 11]);
    });

    it('meters whitelisted extraction traffic to a user-level account, revoked with the user', async () => {
      clock = T;
      const rig = usageRig(tp, now);
      const user = await createUser(tp);
      await assert.rejects(rig.directory.forUser(user.id, 9), refusedWith('TG_ERR_QUOTA_NO_PACKAGE'));
      await services().packages.grant({ userId: user.id, productType: 9, totalBytes: 1000, days: 1 });
      await rig.quotas.reloadUsers([user.id]);
      const state = await rig.directory.forUser(user.id, 9);
      assert.ok(state.accountId < 0);
      await services().users.update(user.id, { status: 0 });
      await rig.directory.apply(await changesOf('user', [user.id]));
      await assert.rejects(rig.directory.forUser(user.id, 9), refusedWith('TG_ERR_PROXY_ACCOUNT_DISABLED'));
    });
    it('daily_limit: today’s billed hours count, yesterday’s do not; refused at the limit; a new local day lets in', async () => {
      const time = tp.platform.time;
      // Two hours before local midnight.
      clock = time.nextDayStart(T) - 2 * 3_600_000;
      const rig = usageRig(tp, now);
      const user = await createUser(tp);
      await services().subAccounts.add(user.id, 'day1:pass1234', '', 9);
      await services().packages.grant({ userId: user.id, productType: 9, totalBytes: 10 * 1024 ** 3, days: 3 });
      await services().subAccounts.change(user.id, 'day1', { dailyLimitGb: 1 });
      const today = time.dayStart(clock);
      const row = (hour_start: number, bytes: number) => ({
        user_id: user.id,
        product_type: 9,
        username: 'day1',
        hour_start,
        bytes,
      });
      await tp.platform.storage.db
        .insertInto('usage_hourly')
        .values([row(today - 3_600_000, 5 * 1024 ** 3), row(today, 1000), row(today + 3_600_000, 1024 ** 3 - 11_000)])
        .execute();
      const state = await rig.directory.authenticate('day1', 'pass1234', [9], unthrottled);
      assert.equal(state.dailyLimit, 1024 ** 3);
      assert.equal(state.dayUsed, 1024 ** 3 - 10_000, 'today’s hours only');
      assert.equal(state.dayEndsAt, time.nextDayStart(clock));
      const conn = rig.connect(state);
      assert.equal(state.charge(9_999), true);
      assert.equal(state.charge(1), false, 'the byte that reaches the daily limit stops the connection');
      assert.equal(conn.closed, true, 'and the account’s connections are closed');
      await assert.rejects(
        rig.directory.authenticate('day1', 'pass1234', [9], unthrottled),
        refusedWith('TG_ERR_QUOTA_DAILY_LIMIT'),
      );
      // Still the same day a second before midnight.
      clock = state.dayEndsAt - 1000;
      rig.directory.rollDays();
      await assert.rejects(
        rig.directory.authenticate('day1', 'pass1234', [9], unthrottled),
        refusedWith('TG_ERR_QUOTA_DAILY_LIMIT'),
      );
      // Local midnight: the bytes not flushed yet are billed to the new day's hour, so they count for it.
      clock = state.dayEndsAt;
      rig.directory.rollDays();
      assert.equal(state.dayUsed, 10_000);
      assert.equal(state.dayEndsAt, time.nextDayStart(clock));
      assert.equal(await rig.directory.authenticate('day1', 'pass1234', [9], unthrottled), state);
      await rig.meter.flush();
      assert.equal(state.dayUsed, 10_000, 'a flush changes nothing of the day');
    });

    it('daily_limit from the feed: a lowered one closes at once, a raised or removed one lets in; udp follows', async () => {
      clock = T;
      const rig = usageRig(tp, now);
      const user = await createUser(tp);
      await services().subAccounts.add(user.id, 'day2:pass1234', '', 9);
      await services().packages.grant({ userId: user.id, productType: 9, totalBytes: 10 * 1024 ** 3, days: 1 });
      const state = await rig.directory.authenticate('day2', 'pass1234', [9], unthrottled);
      assert.deepEqual([state.dailyLimit, state.dayEndsAt, state.udp], [Infinity, Infinity, false]);
      state.charge(2 * 1024 ** 3);
      const conn = rig.connect(state);
      await services().subAccounts.change(user.id, 'day2', { dailyLimitGb: 1, udp: 1 });
      await rig.directory.apply(await changesOf('sub_account', [state.accountId]));
      assert.equal(state.udp, true);
      assert.equal(state.dayUsed, 2 * 1024 ** 3, 'what is counted and not flushed is today’s');
      assert.equal(conn.closed, true);
      await assert.rejects(
        rig.directory.authenticate('day2', 'pass1234', [9], unthrottled),
        refusedWith('TG_ERR_QUOTA_DAILY_LIMIT'),
      );
      await services().subAccounts.change(user.id, 'day2', { dailyLimitGb: 3 });
      await rig.directory.apply(await changesOf('sub_account', [state.accountId]));
      assert.equal(await rig.directory.authenticate('day2', 'pass1234', [9], unthrottled), state);
      await services().subAccounts.change(user.id, 'day2', { dailyLimitGb: 0, udp: 0 });
      await rig.directory.apply(await changesOf('sub_account', [state.accountId]));
      assert.deepEqual([state.dailyLimit, state.dayEndsAt, state.udp], [Infinity, Infinity, false]);
      assert.equal(state.charge(5 * 1024 ** 3), true, 'no daily limit');
    });
  });
}
