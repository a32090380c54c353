/**
 * Concurrent order/create calls paid from one balance that covers only some of them: the balance never goes below
 * zero, always equals the sum of the user's ledger, and exactly the orders that were debited are paid and
 * provisioned. Likewise a coupon with a use limit is never used past it. On SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { changeBalance, ledgerSum } from '../src/billing/index.js';
import { type Answer, call, createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const GB = 1024 ** 3;
const BURST = 20;

for (const dialect of dialects()) {
  describe(`concurrent balance orders on ${dialect}`, () => {
    let tp: TestPlatform;
    let pid: number;
    let balancePm: number;

    before(async () => {
      tp = await startTestPlatform(dialect);
      const s = tp.platform.services;
      pid = (await s.products.add({ title: 'Traffic', productType: 9, price: '7.25', unitBytes: GB, unitDays: 30 })).id;
      balancePm = (await s.paymentMethods.ensureBalanceMethod()).id;
    });
    after(() => tp.close());

    const db = () => tp.platform.storage.db;
    const burst = (appKey: string, body: Record<string, unknown>) =>
      Promise.all(
        Array.from({ length: BURST }, () =>
          call(tp.app, 'POST', '/gateway/order/create', { query: { app_key: appKey }, json: { pid, pm_id: balancePm, ...body } }),
        ),
      );
    const balanceOf = async (userId: number) =>
      Number(
        (await db().selectFrom('users').select('balance_cents').where('id', '=', userId).executeTakeFirstOrThrow()).balance_cents,
      );

    it(`${BURST} orders at once against a balance covering 7 never overdraw, and the ledger matches`, async () => {
      const user = await createUser(tp);
      const start = 7 * 7_25 + 3_00;
      await db()
        .transaction()
        .execute((trx) => changeBalance(trx, { userId: user.id, deltaCents: start, reason: 'adjust', now: Date.now() }));

      const answers: Answer[] = await burst(user.appKey, {});
      const paid = answers.filter((a) => a.code === 200);
      const refused = answers.filter((a) => a.code !== 200);
      assert.equal(paid.length, 7, JSON.stringify(answers.map((a) => a.code)));
      assert.ok(
        refused.every((a) => a.code === 7007),
        JSON.stringify(refused),
      );
      assert.ok(paid.every((a) => a.data.status === 1));

      const balance = await balanceOf(user.id);
      assert.ok(balance >= 0);
      assert.equal(balance, 3_00);
      assert.equal(await ledgerSum(db(), user.id), balance);

      const orders = await db().selectFrom('orders').selectAll().where('user_id', '=', user.id).execute();
      assert.equal(orders.length, 7, 'refused orders leave no row');
      assert.ok(orders.every((o) => o.status === 1));
      const debits = await db()
        .selectFrom('balance_ledger')
        .select('delta_cents')
        .where('user_id', '=', user.id)
        .where('reason', '=', 'order')
        .execute();
      assert.equal(debits.length, 7);
      assert.equal(-debits.reduce((sum, d) => sum + Number(d.delta_cents), 0), orders.length * 7_25);
      const packages = await db().selectFrom('user_packages').select('trade_no').where('user_id', '=', user.id).execute();
      assert.deepEqual(packages.map((p) => p.trade_no).sort(), orders.map((o) => o.trade_no).sort());
      // Every ledger row's balance_after is consistent with the running sum.
      const ledger = await db().selectFrom('balance_ledger').selectAll().where('user_id', '=', user.id).orderBy('id').execute();
      let running = 0;
      for (const row of ledger) {
        running += Number(row.delta_cents);
        assert.equal(Number(row.balance_after_cents), running);
      }
    });

    it('a coupon limited to 3 uses is used exactly 3 times by a burst', async () => {
      const user = await createUser(tp);
      await db()
        .transaction()
        .execute((trx) => changeBalance(trx, { userId: user.id, deltaCents: 1000_00, reason: 'adjust', now: Date.now() }));
      await tp.platform.services.coupons.add({
        code: 'THREE',
        kind: 'amount',
        discount: '1',
        expiresAt: Date.now() + 86_400_000,
        maxUses: 3,
      });
      const answers = await burst(user.appKey, { coupon_sn: 'THREE' });
      const ok = answers.filter((a) => a.code === 200);
      assert.equal(ok.length, 3, JSON.stringify(answers.map((a) => a.code)));
      assert.ok(answers.filter((a) => a.code !== 200).every((a) => a.code === 7008));
      const coupon = await db().selectFrom('coupons').select('used_count').where('code', '=', 'THREE').executeTakeFirstOrThrow();
      assert.equal(Number(coupon.used_count), 3);
      assert.equal(await balanceOf(user.id), 1000_00 - 3 * 6_25);
      assert.equal(await ledgerSum(db(), user.id), await balanceOf(user.id));
    });
  });
}
