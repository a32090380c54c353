/**
 * Auto-renewal of packages on every dialect (issue 17), with real timers driving the scheduler and a controllable
 * clock: a package marked for it (order/create `renew_duration`, or user-product/set-auto-renewal) is bought again
 * from the balance before it ends — a renewal order through the billing services, an `order` ledger row, a new
 * package starting when the old one ends — the outcome logged; a failure (no balance) is logged and retried until
 * the package ends; a team's package renews from the team's wallet; two schedulers renew nothing twice. Plus the
 * endpoints' shapes, every error path and team_id scoping.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { changeBalance } from '../src/billing/index.js';
import { AutoRenewalScheduler } from '../src/billing/auto-renewal/index.js';
import type { Product } from '../src/billing/catalogue/index.js';
import type { Team } from '../src/teams/index.js';
import { grantTestPackage } from './helpers/gateway.js';
import { addMethod } from './helpers/payments.js';
import { type Answer, call, createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const D = '/developers';
const GB = 1024 ** 3;
const DAY = 86_400_000;
const LEAD_S = 3600;
const RETRY_S = 600;

interface Person {
  id: number;
  appKey: string;
  email: string;
}

/** Polls `check` until it returns a value (not undefined), at most `ms`. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

for (const dialect of dialects()) {
  describe(`auto-renewal on ${dialect}`, () => {
    let tp: TestPlatform;
    let clock = Date.UTC(2026, 2, 1, 4, 0, 0); // 2026-03-01 12:00:00 in Asia/Shanghai
    let traffic: Product;
    let timed: Product;
    let topUp: Product;
    let balancePm: number;
    let manualPm: number;
    let scheduler: AutoRenewalScheduler;

    const post = (who: Person, route: string, json: Record<string, unknown> = {}, query: Record<string, string> = {}) =>
      call(tp.app, 'POST', `${D}/${route}`, { query: { app_key: who.appKey, language: 'en', ...query }, json });
    const ok = (answer: Answer) => {
      assert.equal(answer.code, 200, JSON.stringify(answer));
      return answer.data;
    };
    const refused = (answer: Answer, code: number) => {
      assert.equal(answer.code, code, JSON.stringify(answer));
      return answer;
    };
    const db = () => tp.platform.storage.db;
    const credit = (userId: number, cents: number) =>
      db()
        .transaction()
        .execute((trx) => changeBalance(trx, { userId, deltaCents: cents, reason: 'adjust', now: clock }));
    const balanceOf = async (userId: number) =>
      Number(
        (await db().selectFrom('users').select('balance_cents').where('id', '=', userId).executeTakeFirstOrThrow()).balance_cents,
      );
    const packagesOf = async (userId: number) =>
      (await db().selectFrom('user_packages').selectAll().where('user_id', '=', userId).orderBy('id').execute()).map((p) => ({
        id: Number(p.id),
        startsAt: Number(p.starts_at),
        expiresAt: Number(p.expires_at),
        totalBytes: Number(p.total_bytes),
        bandwidth: p.bandwidth_mbps,
        concurrency: p.concurrency,
        tradeNo: p.trade_no,
      }));
    const logsOf = async (userId: number) =>
      db().selectFrom('auto_renewal_logs').selectAll().where('user_id', '=', userId).orderBy('id').execute();
    /** Waits until the user has `n` log rows (the scheduler's timer does the work). */
    const logCount = (userId: number, n: number) =>
      waitFor(`${n} auto-renewal log rows`, async () => {
        const logs = await logsOf(userId);
        return logs.length >= n ? logs : undefined;
      });
    const buy = async (who: Person, body: Record<string, unknown>, query: Record<string, string> = {}) =>
      ok(await post(who, 'order/create', { pm_id: balancePm, ...body }, query));

    before(async () => {
      tp = await startTestPlatform(
        dialect,
        { TOLLGATE_TZ: 'Asia/Shanghai', TOLLGATE_AUTO_RENEW_LEAD: String(LEAD_S), TOLLGATE_AUTO_RENEW_RETRY: String(RETRY_S) },
        { now: () => clock },
      );
      const s = tp.platform.services;
      traffic = await s.products.add({ title: '1 GB monthly', productType: 9, price: '2.50', unitBytes: GB, unitDays: 30 });
      timed = await s.products.add({
        title: 'Unlimited',
        productType: 11,
        price: '20',
        unitDays: 30,
        skus: [
          { kind: 'bandwidth', title: '100M', value: 100, price: '5' },
          { kind: 'concurrency', title: '50', value: 50, price: '3.5' },
        ],
      });
      topUp = await s.products.add({ title: 'Top-up', productType: 3 });
      balancePm = (await addMethod(tp, 'balance')).id;
      manualPm = (await addMethod(tp, 'manual', 'Bank')).id;
      // Real timers: the scheduler runs every 25 ms; what is due is decided by the platform's clock.
      scheduler = new AutoRenewalScheduler(s.autoRenewals, { intervalMs: 25 });
      scheduler.start();
    });
    after(async () => {
      await scheduler?.stop();
      await tp?.close();
    });

    it('renews a package marked with renew_duration from the balance before it ends, logs it, retries a failure', async () => {
      const u = await createUser(tp);
      await credit(u.id, 500);
      const order = await buy(u, { pid: traffic.id, amount: 2, renew_duration: '2m' });
      assert.equal(order.status, 1);
      assert.equal(await balanceOf(u.id), 0);
      const [p1] = await packagesOf(u.id);
      assert.ok(p1);
      assert.equal(p1.totalBytes, 2 * GB);
      assert.deepEqual(ok(await post(u, 'user-product/get-auto-renewal', { user_product_id: p1.id })), {
        user_product_id: p1.id,
        status: 1,
        renew_duration: '2m',
        product_id: traffic.id,
        product_name: '1 GB monthly',
        amount: 2,
        expired_at: '2026-03-31 12:00:00',
        next_renewal_at: '2026-03-31 11:00:00',
        last_attempt_at: '',
        failures: 0,
      });

      // Not due yet: a run renews nothing.
      assert.deepEqual(await scheduler.runOnce(), { renewed: 0, failed: 0 });
      // Within the lead, short of balance: a failed attempt, logged with its code; nothing bought.
      clock = p1.expiresAt - 30 * 60_000;
      const [failure] = await logCount(u.id, 1);
      assert.equal(failure?.status, 0);
      assert.equal(failure?.error_code, 7007);
      assert.equal(Number(failure?.user_package_id), p1.id);
      assert.equal((await packagesOf(u.id)).length, 1);
      assert.equal(await balanceOf(u.id), 0);
      const failedView = ok(await post(u, 'user-product/get-auto-renewal', { user_product_id: p1.id }));
      assert.equal(failedView.failures, 1);
      assert.equal(failedView.last_attempt_at, '2026-03-31 11:30:00');
      assert.equal(failedView.next_renewal_at, '2026-03-31 11:40:00');
      // Before the retry interval: no second attempt.
      clock += 5 * 60_000;
      await scheduler.runOnce();
      await scheduler.runOnce();
      assert.equal((await logsOf(u.id)).length, 1);

      // Money arrives; at the retry the package is renewed: an order paid from the balance, starting at the end.
      await credit(u.id, 1000);
      clock += 5 * 60_000;
      const [, renewal] = await logCount(u.id, 2);
      assert.equal(renewal?.status, 1);
      assert.equal(renewal?.error_code, 0);
      assert.equal(Number(renewal?.pay_fee_cents), 500);
      const [, p2] = await packagesOf(u.id);
      assert.ok(p2);
      assert.equal(Number(renewal?.new_user_package_id), p2.id);
      assert.equal(p2.startsAt, p1.expiresAt);
      assert.equal(p2.expiresAt, p1.expiresAt + 30 * DAY);
      assert.equal(p2.totalBytes, 2 * GB);
      assert.equal(p2.tradeNo, renewal?.trade_no);
      assert.equal(await balanceOf(u.id), 500);
      const paid = await db().selectFrom('orders').selectAll().where('trade_no', '=', p2.tradeNo).executeTakeFirstOrThrow();
      assert.deepEqual(
        [paid.status, Number(paid.pm_id), Number(paid.product_id), paid.amount, Number(paid.pay_fee_cents)],
        [1, balancePm, traffic.id, 2, 500],
      );
      const ledger = await db().selectFrom('balance_ledger').selectAll().where('order_id', '=', paid.id).execute();
      assert.deepEqual(
        ledger.map((l) => [l.reason, Number(l.delta_cents), Number(l.balance_after_cents)]),
        [['order', -500, 500]],
      );
      // The mark moved to the new package, one renewal fewer.
      assert.equal(ok(await post(u, 'user-product/get-auto-renewal', { user_product_id: p1.id })).status, 0);
      const moved = ok(await post(u, 'user-product/get-auto-renewal', { user_product_id: p2.id }));
      assert.deepEqual([moved.status, moved.renew_duration, moved.failures], [1, '1m', 0]);

      // The second (last) renewal, then nothing more.
      clock = p2.expiresAt - 10 * 60_000;
      await logCount(u.id, 3);
      const [, , p3] = await packagesOf(u.id);
      assert.ok(p3);
      assert.equal(p3.startsAt, p2.expiresAt);
      assert.equal(await balanceOf(u.id), 0);
      assert.equal(ok(await post(u, 'user-product/get-auto-renewal', { user_product_id: p3.id })).status, 0);
      clock = p3.expiresAt - 10 * 60_000;
      await scheduler.runOnce();
      assert.equal((await logsOf(u.id)).length, 3);

      // The log, newest first, and one package's entries.
      const logs = ok(await post(u, 'user-product/auto-renewal-logs', {}));
      assert.equal(logs.total, 3);
      assert.deepEqual(
        logs.list.map((l: any) => [l.status, l.code, l.user_product_id, l.new_user_product_id, l.pay_fee]),
        [
          [1, 200, p2.id, p3.id, 5],
          [1, 200, p1.id, p2.id, 5],
          [0, 7007, p1.id, 0, 0],
        ],
      );
      assert.equal(logs.list[2].reason, 'Insufficient balance');
      assert.equal(logs.list[2].trade_no, '');
      assert.equal(logs.list[2].created_at, '2026-03-31 11:30:00');
      const ofP1 = ok(await post(u, 'user-product/auto-renewal-logs', { user_product_id: p1.id, page: 1, size: 1 }));
      assert.deepEqual([ofP1.total, ofP1.page, ofP1.page_size, ofP1.list.length], [2, 1, 1, 1]);
      assert.equal(ok(await post(u, 'user-product/auto-renewal-logs', { user_product_id: p3.id })).total, 1);
    });

    it('retries until the package ends, then stops and says so', async () => {
      const u = await createUser(tp);
      await credit(u.id, 250);
      await buy(u, { pid: traffic.id, renew_duration: 'em' });
      const [p] = await packagesOf(u.id);
      assert.ok(p);
      assert.equal(await balanceOf(u.id), 0);
      clock = p.expiresAt - 50 * 60_000;
      await logCount(u.id, 1);
      clock += RETRY_S * 1000;
      await logCount(u.id, 2);
      clock = p.expiresAt + 1;
      const logs = await logCount(u.id, 3);
      assert.deepEqual(
        logs.map((l) => l.error_code),
        [7007, 7007, 8323],
      );
      assert.equal(logs[2]?.reason, 'This package cannot be renewed automatically: it ended before it could be renewed');
      assert.equal(ok(await post(u, 'user-product/get-auto-renewal', { user_product_id: p.id })).status, 0);
      clock += RETRY_S * 1000;
      await scheduler.runOnce();
      assert.equal((await logsOf(u.id)).length, 3);
      assert.equal((await packagesOf(u.id)).length, 1);
    });

    it('marks with set-auto-renewal, renews a time package with its SKUs, and two schedulers renew it once', async () => {
      const u = await createUser(tp);
      await credit(u.id, 2850 * 3);
      await buy(u, { pid: timed.id, product_sku_bandwidth_id: timed.skus[0]!.id, product_sku_concurrency_id: timed.skus[1]!.id });
      const [p] = await packagesOf(u.id);
      assert.ok(p);
      assert.equal(ok(await post(u, 'user-product/get-auto-renewal', { user_product_id: p.id })).status, 0);
      const on = ok(await post(u, 'user-product/set-auto-renewal', { user_product_id: p.id, status: 1 }));
      assert.deepEqual([on.status, on.renew_duration], [1, 'em']);
      const once = ok(await post(u, 'user-product/set-auto-renewal', { user_product_id: p.id, status: 1, renew_duration: '1m' }));
      assert.equal(once.renew_duration, '1m');
      const off = ok(await post(u, 'user-product/set-auto-renewal', { user_product_id: p.id, status: 0 }));
      assert.deepEqual([off.status, off.renew_duration, off.next_renewal_at], [0, '', '']);
      ok(await post(u, 'user-product/set-auto-renewal', { user_product_id: p.id, status: 1, renew_duration: 'em' }));

      // Two more schedulers racing on the same due row (the timer-driven one may join too): one renewal.
      await scheduler.stop();
      const a = new AutoRenewalScheduler(tp.platform.services.autoRenewals, {});
      const b = new AutoRenewalScheduler(tp.platform.services.autoRenewals, {});
      clock = p.expiresAt - 60_000;
      const [ra, rb] = await Promise.all([a.runOnce(), b.runOnce()]);
      assert.equal(ra.renewed + rb.renewed, 1);
      assert.equal(ra.failed + rb.failed, 0);
      scheduler.start();
      const pkgs = await packagesOf(u.id);
      assert.equal(pkgs.length, 2);
      assert.deepEqual([pkgs[1]?.bandwidth, pkgs[1]?.concurrency, pkgs[1]?.startsAt], [100, 50, p.expiresAt]);
      assert.equal(await balanceOf(u.id), 2850);
      assert.equal((await logsOf(u.id)).length, 1);
    });

    it('refuses what cannot be renewed and bad input, changing nothing', async () => {
      const u = await createUser(tp);
      const other = await createUser(tp);
      await credit(u.id, 1000);
      await buy(u, { pid: traffic.id });
      const [bought] = await packagesOf(u.id);
      assert.ok(bought);
      const granted = await grantTestPackage(tp, u.id, GB);
      // Not the caller's, or none: 6001.
      refused(await post(other, 'user-product/get-auto-renewal', { user_product_id: bought.id }), 6001);
      refused(await post(other, 'user-product/set-auto-renewal', { user_product_id: bought.id, status: 1 }), 6001);
      refused(await post(u, 'user-product/get-auto-renewal', { user_product_id: 999_999 }), 6001);
      // An operator's grant has no order to buy again; a withdrawn or ended package cannot be renewed.
      const grant = refused(await post(u, 'user-product/set-auto-renewal', { user_product_id: granted, status: 1 }), 8323);
      assert.equal(grant.msg, 'This package cannot be renewed automatically: it was not bought through an order');
      const ended = await grantTestPackage(tp, u.id, GB, { startsAt: clock - 2 * DAY, expiresAt: clock - DAY });
      refused(await post(u, 'user-product/set-auto-renewal', { user_product_id: ended, status: 1 }), 8323);
      await tp.platform.services.packages.revoke(granted);
      refused(await post(u, 'user-product/set-auto-renewal', { user_product_id: granted, status: 1 }), 8323);
      // Turning off is always allowed.
      ok(await post(u, 'user-product/set-auto-renewal', { user_product_id: granted, status: 0 }));
      // Bad input: 400 naming the field.
      for (const [route, body, field] of [
        ['user-product/get-auto-renewal', {}, 'user_product_id'],
        ['user-product/get-auto-renewal', { user_product_id: 'x' }, 'user_product_id'],
        ['user-product/set-auto-renewal', { user_product_id: bought.id }, 'status'],
        ['user-product/set-auto-renewal', { user_product_id: bought.id, status: 2 }, 'status'],
        ['user-product/set-auto-renewal', { user_product_id: bought.id, status: 1, renew_duration: '3m' }, 'renew_duration'],
        ['user-product/auto-renewal-logs', { size: 101 }, 'size'],
        ['user-product/auto-renewal-logs', { page: 0 }, 'page'],
      ] as const) {
        const answer = refused(await post(u, route, body), 400);
        assert.ok(answer.errors?.[field], JSON.stringify(answer));
      }
      assert.equal((await db().selectFrom('auto_renewals').select('id').where('user_id', '=', u.id).execute()).length, 1);
      // order/create: 1m/2m/em are for packages and renewals; em never for renewals; others 400; nothing created.
      const orders = async () => (await db().selectFrom('orders').select('id').where('user_id', '=', u.id).execute()).length;
      const before = await orders();
      refused(
        await post(u, 'order/create', { pid: topUp.id, pm_id: manualPm, recharge_amount: '10', renew_duration: '1m' }),
        400,
      );
      refused(await post(u, 'order/create', { pid: traffic.id, pm_id: balancePm, renew_duration: '5m' }), 400);
      assert.equal(await orders(), before);
      // A number on a package is ignored, as it always was.
      await buy(u, { pid: traffic.id, renew_duration: 3 });
      const latest = (await packagesOf(u.id)).at(-1);
      assert.equal(ok(await post(u, 'user-product/get-auto-renewal', { user_product_id: latest!.id })).status, 0);
    });

    it('renews a team’s package from the team’s wallet, with the permissions each endpoint needs', async () => {
      const s = tp.platform.services;
      const [owner, reader, payer] = (await Promise.all(
        ['owner', 'reader', 'payer'].map((n) => createUser(tp, { email: `${n}-ar-${dialect}@example.com` })),
      )) as [Person, Person, Person];
      const team: Team = await s.teams.create({ ownerUserId: owner.id, name: 'Renewers', publicId: 'Renew1' });
      await s.teams.addMember(team.publicId, reader.id, []);
      await s.teams.addMember(team.publicId, payer.id, ['view_billing', 'pay']);
      const space = team.backingUserId;
      const teamId = { team_id: team.publicId };
      await credit(space, 500);
      await credit(payer.id, 10_000);
      await buy(payer, { pid: traffic.id, renew_duration: 'em' }, teamId);
      const [p] = await packagesOf(space);
      assert.ok(p);
      assert.equal(await balanceOf(space), 250);
      assert.equal((await packagesOf(payer.id)).length, 0);

      // Reading needs membership; the log view_billing; turning on or off pay. Outsiders: 8001.
      assert.equal(ok(await post(reader, 'user-product/get-auto-renewal', { user_product_id: p.id }, teamId)).status, 1);
      refused(await post(reader, 'user-product/auto-renewal-logs', {}, teamId), 8002);
      const denied = refused(
        await post(reader, 'user-product/set-auto-renewal', { user_product_id: p.id, status: 0 }, teamId),
        8002,
      );
      assert.deepEqual(denied.data, { permission: 'pay' });
      refused(await post(reader, 'user-product/get-auto-renewal', { user_product_id: p.id }, { team_id: 'Nobody1' }), 8001);
      // Without team_id the package is not the caller's.
      refused(await post(payer, 'user-product/get-auto-renewal', { user_product_id: p.id }), 6001);
      assert.equal(ok(await post(reader, 'user-product/get-auto-renewal', { user_product_id: p.id }, teamId)).status, 1);

      clock = p.expiresAt - 20 * 60_000;
      const [renewed] = await logCount(space, 1);
      assert.equal(renewed?.status, 1);
      assert.equal(await balanceOf(space), 0, 'the team’s wallet paid');
      assert.equal(await balanceOf(payer.id), 10_000, 'the member’s own balance did not');
      assert.equal((await logsOf(payer.id)).length, 0);
      const logs = ok(await post(payer, 'user-product/auto-renewal-logs', {}, teamId));
      assert.equal(logs.total, 1);
      assert.equal(ok(await post(payer, 'user-product/auto-renewal-logs', {})).total, 0);
      const [, p2] = await packagesOf(space);
      ok(await post(payer, 'user-product/set-auto-renewal', { user_product_id: p2!.id, status: 0 }, teamId));
      assert.equal(ok(await post(reader, 'user-product/get-auto-renewal', { user_product_id: p2!.id }, teamId)).status, 0);
    });
  });
}
