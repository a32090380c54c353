/**
 * order/create, order/close, order/list over the API on every dialect: validation of every parameter, pricing
 * (units, SKUs, regions, renewals, recharges), coupons and the invitation discount, payment-method rules, payment
 * from the balance (all or nothing), what provisioning gives (user-product/list, ip/get-static-ip, the ledger),
 * refunds' reversal, and the expiry of unpaid orders by the clock.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { changeBalance, ledgerSum, refundOrder, settleOrder } from '../src/billing/index.js';
import { OrderExpiry, orderCatalogue } from '../src/billing/orders/index.js';
import { buildProvisioners } from '../src/billing/provisioners.js';
import type { Product } from '../src/billing/catalogue/index.js';
import { startOrderExpiry } from '../src/main.js';
import { type Answer, call, createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const PREFIXES = ['/gateway', '/end-point', '/api-gate-way', '/pub'];
const DAY = 86_400_000;
const GB = 1024 ** 3;
/** 2026-11-23 12:00:00 UTC, 20:00:00 in Asia/Shanghai. */
const T = Date.UTC(2026, 10, 23, 12, 0, 0);
const TTL_S = 600;

interface User {
  id: number;
  appKey: string;
}

for (const dialect of dialects()) {
  describe(`orders API on ${dialect}`, () => {
    let tp: TestPlatform;
    let clock = T;
    const p: Record<string, Product> = {};
    const pm: Record<string, number> = {};

    const db = () => tp.platform.storage.db;
    const services = () => tp.platform.services;
    const registry = () => buildProvisioners({ packages: services().packages, staticIps: services().staticIps });

    const create = (user: User, body: Record<string, unknown>, query: Record<string, string> = {}) =>
      call(tp.app, 'POST', '/api-gate-way/order/create', { query: { app_key: user.appKey, ...query }, json: body });
    const balanceOf = async (userId: number) =>
      Number(
        (await db().selectFrom('users').select('balance_cents').where('id', '=', userId).executeTakeFirstOrThrow()).balance_cents,
      );
    const fund = (userId: number, cents: number) =>
      db()
        .transaction()
        .execute((trx) => changeBalance(trx, { userId, deltaCents: cents, reason: 'adjust', now: clock }));
    const ordersOf = (userId: number) =>
      db().selectFrom('orders').selectAll().where('user_id', '=', userId).orderBy('id').execute();
    const orderRow = (tradeNo: string) =>
      db().selectFrom('orders').selectAll().where('trade_no', '=', tradeNo).executeTakeFirstOrThrow();
    const couponUses = async (code: string) =>
      Number(
        (await db().selectFrom('coupons').select('used_count').where('code', '=', code).executeTakeFirstOrThrow()).used_count,
      );
    const newUser = async (fundCents = 0): Promise<User> => {
      const u = await createUser(tp);
      if (fundCents > 0) await fund(u.id, fundCents);
      return u;
    };
    const assertFails = (answer: Answer, code: number, pattern?: RegExp) => {
      assert.equal(answer.code, code, JSON.stringify(answer));
      if (pattern) assert.match(answer.msg, pattern);
    };

    before(async () => {
      tp = await startTestPlatform(
        dialect,
        { TOLLGATE_TZ: 'Asia/Shanghai', TOLLGATE_ORDER_TTL: String(TTL_S) },
        { now: () => clock },
      );
      const s = services();
      p.traffic = await s.products.add({ title: '10 GB', productType: 9, price: '10.00', unitBytes: GB, unitDays: 30 });
      p.idc = await s.products.add({ title: 'IDC', productType: 12, price: '5', unitBytes: 2 * GB, unitDays: 10 });
      p.timed = await s.products.add({
        title: 'Unlimited',
        productType: 11,
        price: '20',
        unitDays: 30,
        skus: [
          { kind: 'bandwidth', title: '100M', value: 100, price: '5' },
          { kind: 'concurrency', title: '50', value: 50, price: '3.5' },
        ],
      });
      p.timedOther = await s.products.add({
        title: 'Other unlimited',
        productType: 11,
        price: '1',
        unitDays: 1,
        skus: [{ kind: 'bandwidth', value: 10, price: '1' }],
      });
      p.recharge = await s.products.add({ title: 'Top-up', productType: 3 });
      p.makeup = await s.products.add({ title: 'Make-up', productType: 26 });
      p.resi = await s.products.add({ title: 'Static residential', productType: 25, price: '8', unitDays: 30 });
      p.dc = await s.products.add({ title: 'Static datacenter', productType: 14, price: '6', unitDays: 30 });
      p.renew = await s.products.add({ title: 'Static renewal', productType: 19, price: '7', unitDays: 30 });
      p.disabled = await s.products.add({ title: 'Old', productType: 9, price: '1', unitBytes: GB, unitDays: 1, enabled: false });
      // A product of a type nothing serves cannot be created; one left from before (written as an older platform
      // would have) stays in the table and cannot be ordered.
      const serp = await tp.platform.storage.db
        .insertInto('products')
        .values({
          title: 'Serp',
          description: '',
          product_type: 27,
          unit_price_cents: 100,
          unit_bytes: 0,
          unit_days: 0,
          enabled: 1,
          created_at: clock,
          updated_at: clock,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      p.serp = await s.products.get(Number(serp.id));
      pm.balance = (await s.paymentMethods.ensureBalanceMethod()).id;
      pm.card = (
        await s.paymentMethods.add({
          kind: 'external',
          title: 'Card',
          payUrl: 'https://pay.example.com/pay?order={trade_no}&amount={amount}',
          min: '1',
          max: '1000',
        })
      ).method.id;
      pm.bank = (await s.paymentMethods.add({ kind: 'manual', title: 'Bank transfer' })).method.id;
      pm.off = (
        await s.paymentMethods.add({ kind: 'external', title: 'Off', payUrl: 'https://x.example.com/{trade_no}', disabled: true })
      ).method.id;
      await s.giftTiers.add({ amount: '100', ratio: '1.1' });
      await s.giftTiers.add({ amount: '500', ratio: '1.2' });
      const later = T + 365 * DAY;
      await s.coupons.add({ code: 'PCT10', kind: 'percent', discount: 10, expiresAt: later });
      await s.coupons.add({ code: 'AMT5', kind: 'amount', discount: '5', expiresAt: later });
      await s.coupons.add({ code: 'BIG', kind: 'amount', discount: '1000', expiresAt: later });
      await s.coupons.add({ code: 'OLD', kind: 'amount', discount: '1', expiresAt: T - DAY });
      await s.coupons.add({ code: 'ONCE', kind: 'amount', discount: '1', expiresAt: later, maxUses: 1 });
      await s.coupons.add({ code: 'IDCONLY', kind: 'amount', discount: '1', expiresAt: later, productIds: [p.idc.id] });
      await s.coupons.add({ code: 'MIN50', kind: 'amount', discount: '1', expiresAt: later, minFee: '50' });
      await s.coupons.add({ code: 'TOPUP', kind: 'amount', discount: '1', expiresAt: later });
      for (const [ip, country, type] of [
        ['203.0.113.10', 'US', 25],
        ['203.0.113.11', 'US', 25],
        ['203.0.113.12', 'US', 25],
        ['203.0.113.20', 'DE', 14],
      ] as const) {
        await s.staticIps.add({ ip, port: 8000, country, productType: type });
      }
    });
    after(() => tp.close());
    beforeEach(() => {
      clock = T;
    });

    describe('paying from the balance', () => {
      it('debits the balance, provisions a traffic package and answers the documented Order (status 1)', async () => {
        const user = await newUser(100_00);
        const answer = await create(user, { pid: p.traffic!.id, amount: 2, pm_id: pm.balance });
        assert.equal(answer.code, 200, JSON.stringify(answer));
        const o = answer.data;
        assert.match(o.trade_no, /^20261123200000\d{14}$/);
        assert.deepEqual(o, {
          id: o.id,
          trade_no: o.trade_no,
          product_id: p.traffic!.id,
          product_name: '10 GB',
          total_fee: 20,
          pay_fee: 20,
          status: 1,
          created_at: '2026-11-23 20:00:00',
        });
        assert.equal(await balanceOf(user.id), 80_00);
        assert.equal(await ledgerSum(db(), user.id), 80_00);
        const info = await call(tp.app, 'GET', '/pub/user/info', { query: { app_key: user.appKey } });
        assert.equal(info.data.balance, 80);
        const ledger = await db().selectFrom('balance_ledger').selectAll().where('user_id', '=', user.id).orderBy('id').execute();
        assert.deepEqual(
          ledger.map((l) => [l.reason, Number(l.delta_cents), l.order_id === null ? null : Number(l.order_id)]),
          [
            ['adjust', 100_00, null],
            ['order', -20_00, o.id],
          ],
        );
        const list = await call(tp.app, 'GET', '/api-gate-way/user-product/list', { query: { app_key: user.appKey } });
        assert.equal(list.data.list.length, 1);
        assert.deepEqual(list.data.list[0], {
          id: list.data.list[0].id,
          created_at: '2026-11-23 20:00:00',
          expired_at: '2026-12-23 20:00:00',
          product_type: 9,
          trade_no: o.trade_no,
          total: (2 * GB) / 1024,
          used: 0,
          bandwidth_mbps: 0,
          concurrency: 0,
          order: { created_at: '2026-11-23 20:00:00', pay_at: '2026-11-23 20:00:00', title: '10 GB' },
        });
        const row = await orderRow(o.trade_no);
        assert.equal(Number(row.paid_at), T);
        const provisions = await db().selectFrom('order_provisions').selectAll().where('order_id', '=', o.id).execute();
        assert.deepEqual(
          provisions.map((r) => [r.kind, Number(r.ref_id)]),
          [['package', list.data.list[0].id]],
        );
      });

      it('type 12: amount × unit_bytes valid unit_days', async () => {
        const user = await newUser(100_00);
        const answer = await create(user, { pid: p.idc!.id, amount: 3, pm_id: pm.balance });
        assert.equal(answer.data.total_fee, 15);
        const list = await call(tp.app, 'GET', '/gateway/user-product/list', {
          query: { app_key: user.appKey, product_type: 12 },
        });
        assert.equal(list.data.list[0].total, (6 * GB) / 1024);
        assert.equal(list.data.list[0].expired_at, '2026-12-03 20:00:00');
      });

      it('refuses an order the balance cannot cover and changes nothing (order, coupon, ledger, packages)', async () => {
        const user = await newUser(8_99);
        const uses = await couponUses('PCT10');
        const answer = await create(user, { pid: p.traffic!.id, pm_id: pm.balance, coupon_sn: 'PCT10' });
        assertFails(answer, 7007);
        assert.equal(await balanceOf(user.id), 8_99);
        assert.equal(await ledgerSum(db(), user.id), 8_99);
        assert.deepEqual(await ordersOf(user.id), []);
        assert.equal(await couponUses('PCT10'), uses);
        const list = await call(tp.app, 'GET', '/gateway/user-product/list', { query: { app_key: user.appKey } });
        assert.equal(list.data.list.length, 0);
      });

      it('type 11: the SKUs are priced per unit and a time-based package of amount × unit_days is granted', async () => {
        const user = await newUser(200_00);
        const [bw, cc] = p.timed!.skus;
        const answer = await create(user, {
          pid: p.timed!.id,
          amount: 2,
          pm_id: pm.balance,
          product_sku_bandwidth_id: bw!.id,
          product_sku_concurrency_id: cc!.id,
        });
        assert.equal(answer.code, 200, JSON.stringify(answer));
        assert.equal(answer.data.total_fee, (20 + 5 + 3.5) * 2);
        assert.equal(answer.data.pay_fee, 57);
        assert.equal(await balanceOf(user.id), 143_00);
        const list = await call(tp.app, 'GET', '/gateway/user-product/list', {
          query: { app_key: user.appKey, product_type: 11 },
        });
        assert.equal(list.data.list.length, 1);
        assert.equal(list.data.list[0].total, 0);
        assert.equal(list.data.list[0].expired_at, '2027-01-22 20:00:00');
        assert.equal(list.data.list[0].order.title, 'Unlimited (100 Mbit/s, 50 concurrent)');
        // The package holds what the SKUs sold: their bandwidth and concurrency.
        assert.deepEqual([list.data.list[0].bandwidth_mbps, list.data.list[0].concurrency], [100, 50]);
        const row = await orderRow(answer.data.trade_no);
        assert.equal(row.amount, 2);
      });

      it('type 11: both SKUs are required and must be this product’s, each of its kind', async () => {
        const user = await newUser(200_00);
        const [bw, cc] = p.timed!.skus;
        const other = p.timedOther!.skus[0]!;
        const missing = await create(user, { pid: p.timed!.id, pm_id: pm.balance, product_sku_bandwidth_id: bw!.id });
        assertFails(missing, 400);
        assert.deepEqual(Object.keys(missing.errors ?? {}), ['product_sku_concurrency_id']);
        const none = await create(user, { pid: p.timed!.id, pm_id: pm.balance });
        assert.deepEqual(Object.keys(none.errors ?? {}).sort(), ['product_sku_bandwidth_id', 'product_sku_concurrency_id']);
        assertFails(
          await create(user, {
            pid: p.timed!.id,
            pm_id: pm.balance,
            product_sku_bandwidth_id: other.id,
            product_sku_concurrency_id: cc!.id,
          }),
          7020,
          new RegExp(`product_sku_bandwidth_id ${other.id}`),
        );
        assertFails(
          await create(user, {
            pid: p.timed!.id,
            pm_id: pm.balance,
            product_sku_bandwidth_id: cc!.id,
            product_sku_concurrency_id: bw!.id,
          }),
          7020,
        );
        assert.deepEqual(await ordersOf(user.id), []);
        assert.equal(await balanceOf(user.id), 200_00);
      });
    });

    describe('external and manual methods', () => {
      it('external: pending with expires_at = now + TTL and a filled pay_url; nothing paid or provisioned', async () => {
        const user = await newUser(100_00);
        const answer = await create(user, { pid: p.traffic!.id, amount: 3, pm_id: pm.card });
        assert.equal(answer.code, 200, JSON.stringify(answer));
        assert.equal(answer.data.status, 0);
        assert.equal(answer.data.pay_url, `https://pay.example.com/pay?order=${answer.data.trade_no}&amount=30.00`);
        const row = await orderRow(answer.data.trade_no);
        assert.equal(Number(row.expires_at), T + TTL_S * 1000);
        assert.equal(row.paid_at, null);
        assert.equal(await balanceOf(user.id), 100_00);
        const list = await call(tp.app, 'GET', '/gateway/user-product/list', { query: { app_key: user.appKey } });
        assert.equal(list.data.list.length, 0);
      });

      it('manual: pending, no pay_url', async () => {
        const user = await newUser();
        const answer = await create(user, { pid: p.traffic!.id, pm_id: pm.bank });
        assert.equal(answer.data.status, 0);
        assert.equal('pay_url' in answer.data, false);
      });

      it('payment method rules: unknown 7003, disabled 7004, pay_fee within min/max 7005, no balance for 3/26 7006', async () => {
        const user = await newUser(100_00);
        assertFails(await create(user, { pid: p.traffic!.id, pm_id: 9999 }), 7003, /9999/);
        assertFails(await create(user, { pid: p.traffic!.id, pm_id: pm.off }), 7004);
        // Card: 1-1000. 101 × 10 = 1010 is over; a 0.50 make-up payment is under.
        assertFails(await create(user, { pid: p.traffic!.id, pm_id: pm.card, amount: 101 }), 7005, /1010\.00.*1\.00-1000\.00/);
        assertFails(await create(user, { pid: p.makeup!.id, pm_id: pm.card, recharge_amount: '0.50' }), 7005);
        assert.equal((await create(user, { pid: p.traffic!.id, pm_id: pm.card, amount: 100 })).code, 200);
        assertFails(await create(user, { pid: p.recharge!.id, pm_id: pm.balance, recharge_amount: 10 }), 7006);
        assertFails(await create(user, { pid: p.makeup!.id, pm_id: pm.balance, recharge_amount: 10 }), 7006);
        assert.equal((await ordersOf(user.id)).length, 1);
      });

      it('product rules: unknown or disabled 7001, a type without provisioning 7002', async () => {
        const user = await newUser(100_00);
        assertFails(await create(user, { pid: 99999, pm_id: pm.balance }), 7001, /99999/);
        assertFails(await create(user, { pid: p.disabled!.id, pm_id: pm.balance }), 7001);
        assertFails(await create(user, { pid: p.serp!.id, pm_id: pm.balance }), 7002, /27/);
        assert.deepEqual(await ordersOf(user.id), []);
      });
    });

    describe('discounts', () => {
      it('coupons: percent and amount off, counted once per order, given back when the order closes', async () => {
        const user = await newUser(100_00);
        const before = await couponUses('PCT10');
        const pct = await create(user, { pid: p.traffic!.id, amount: 2, pm_id: pm.balance, coupon_sn: 'PCT10' });
        assert.deepEqual([pct.data.total_fee, pct.data.pay_fee], [20, 18]);
        assert.equal(await couponUses('PCT10'), before + 1);
        const amt = await create(user, { pid: p.traffic!.id, amount: 2, pm_id: pm.card, coupon_sn: 'AMT5' });
        assert.deepEqual([amt.data.total_fee, amt.data.pay_fee], [20, 15]);
        assert.equal(amt.data.pay_url.endsWith('amount=15.00'), true);
        const row = await orderRow(amt.data.trade_no);
        assert.equal(Number(row.discount_cents), 5_00);
        const amtUses = await couponUses('AMT5');
        const closed = await call(tp.app, 'POST', '/api-gate-way/order/close', {
          query: { app_key: user.appKey },
          json: { trade_no: amt.data.trade_no },
        });
        assert.equal(closed.code, 200);
        assert.equal(await couponUses('AMT5'), amtUses - 1);
        assert.equal(await balanceOf(user.id), 82_00);
      });

      it('a discount larger than the total makes the order free: pay_fee 0, settled at once', async () => {
        const user = await newUser();
        const answer = await create(user, { pid: p.traffic!.id, pm_id: pm.bank, coupon_sn: 'BIG' });
        assert.deepEqual([answer.data.total_fee, answer.data.pay_fee, answer.data.status], [10, 0, 1]);
        assert.equal(await balanceOf(user.id), 0);
        const list = await call(tp.app, 'GET', '/gateway/user-product/list', { query: { app_key: user.appKey } });
        assert.equal(list.data.list.length, 1);
      });

      it('coupon refusals (7008) name the reason and change nothing', async () => {
        const user = await newUser(100_00);
        await create(user, { pid: p.traffic!.id, pm_id: pm.balance, coupon_sn: 'ONCE' });
        const cases: [string, Record<string, unknown>, string][] = [
          ['NOPE', { pid: p.traffic!.id }, 'unknown'],
          ['OLD', { pid: p.traffic!.id }, 'expired'],
          ['ONCE', { pid: p.traffic!.id }, 'used up'],
          ['IDCONLY', { pid: p.traffic!.id }, 'not for this product'],
          ['MIN50', { pid: p.traffic!.id, amount: 2 }, 'below minimum'],
          ['TOPUP', { pid: p.recharge!.id, pm_id: pm.card, recharge_amount: '100' }, 'not for this product'],
        ];
        const balance = await balanceOf(user.id);
        const orders = (await ordersOf(user.id)).length;
        for (const [code, body, reason] of cases) {
          const answer = await create(user, { pm_id: pm.balance, ...body, coupon_sn: code }, { language: 'en' });
          assertFails(answer, 7008, new RegExp(`Coupon not usable: ${reason}`));
        }
        assert.equal(await balanceOf(user.id), balance);
        assert.equal((await ordersOf(user.id)).length, orders);
        assert.equal((await create(user, { pid: p.idc!.id, pm_id: pm.balance, coupon_sn: 'IDCONLY' })).data.pay_fee, 4);
        assert.equal(
          (await create(user, { pid: p.traffic!.id, amount: 5, pm_id: pm.card, coupon_sn: 'MIN50' })).data.pay_fee,
          49,
        );
      });

      it('invitation discount: an invited user’s first paid order, when asked; otherwise 7015', async () => {
        const inviter = await newUser();
        const invited = await newUser(100_00);
        await db().updateTable('users').set({ invited_by: inviter.id }).where('id', '=', invited.id).execute();
        // Not asked: full price, and a pending order does not use up the first-order right.
        const pending = await create(invited, { pid: p.traffic!.id, pm_id: pm.card });
        assert.equal(pending.data.pay_fee, 10);
        const first = await create(invited, {
          pid: p.traffic!.id,
          amount: 3,
          pm_id: pm.balance,
          coupon_sn: 'AMT5',
          use_invitation_registration_discount: true,
        });
        // 30 − 5 (coupon) − 3 (10 % of the total).
        assert.deepEqual([first.data.total_fee, first.data.pay_fee], [30, 22]);
        assert.equal(JSON.parse((await orderRow(first.data.trade_no)).details).inviteDiscount, true);
        // Now there is a paid order: not due any more.
        assertFails(
          await create(invited, { pid: p.traffic!.id, pm_id: pm.balance, use_invitation_registration_discount: 'true' }),
          7015,
        );
        // Not invited at all.
        const loner = await newUser(100_00);
        assertFails(
          await create(loner, { pid: p.traffic!.id, pm_id: pm.balance, use_invitation_registration_discount: 1 }),
          7015,
        );
        // Asking "false" is not asking.
        assert.equal(
          (await create(loner, { pid: p.traffic!.id, pm_id: pm.balance, use_invitation_registration_discount: 'false' })).code,
          200,
        );
        assert.equal(await balanceOf(loner.id), 90_00);
      });
    });

    describe('recharges (3, 26)', () => {
      it('type 3: recharge_amount is the total; paying credits it plus the gift of its tier; a refund debits both back', async () => {
        const user = await newUser();
        const answer = await create(user, { pid: p.recharge!.id, pm_id: pm.card, recharge_amount: '150.50' });
        assert.equal(answer.code, 200, JSON.stringify(answer));
        assert.deepEqual([answer.data.total_fee, answer.data.pay_fee, answer.data.status], [150.5, 150.5, 0]);
        assert.match(answer.data.pay_url, /amount=150\.50$/);
        const row = await orderRow(answer.data.trade_no);
        assert.deepEqual(JSON.parse(row.details), { rechargeCents: 150_50, giftCents: 15_05 });
        // What the webhook does once the provider confirms.
        await db()
          .transaction()
          .execute((trx) => settleOrder(trx, row, registry(), clock));
        assert.equal(await balanceOf(user.id), 165_55);
        assert.equal(await ledgerSum(db(), user.id), 165_55);
        const ledger = await db().selectFrom('balance_ledger').selectAll().where('user_id', '=', user.id).orderBy('id').execute();
        assert.deepEqual(
          ledger.map((l) => [l.reason, Number(l.delta_cents)]),
          [
            ['recharge', 150_50],
            ['gift', 15_05],
          ],
        );
        const paid = await orderRow(answer.data.trade_no);
        await db()
          .transaction()
          .execute((trx) => refundOrder(trx, paid, registry(), false, clock));
        assert.equal(await balanceOf(user.id), 0);
        assert.equal(await ledgerSum(db(), user.id), 0);
        assert.equal((await orderRow(answer.data.trade_no)).status, 3);
      });

      it('a refund of a top-up already spent is refused (7007) and changes nothing', async () => {
        const user = await newUser();
        const answer = await create(user, { pid: p.recharge!.id, pm_id: pm.card, recharge_amount: '50' });
        const pending = await orderRow(answer.data.trade_no);
        await db()
          .transaction()
          .execute((trx) => settleOrder(trx, pending, registry(), clock));
        assert.equal(await balanceOf(user.id), 50_00);
        await create(user, { pid: p.traffic!.id, amount: 2, pm_id: pm.balance });
        const paid = await orderRow(answer.data.trade_no);
        await assert.rejects(
          db()
            .transaction()
            .execute((trx) => refundOrder(trx, paid, registry(), false, clock)),
          (err: { key?: string }) => err.key === 'TG_ERR_BALANCE_INSUFFICIENT',
        );
        assert.equal(await balanceOf(user.id), 30_00);
        assert.equal((await orderRow(answer.data.trade_no)).status, 1);
      });

      it('type 26: credits the amount without a gift; recharge_amount is required, > 0, ≤ 2 decimals', async () => {
        const user = await newUser();
        const answer = await create(user, { pid: p.makeup!.id, pm_id: pm.bank, recharge_amount: 200 });
        assert.equal(answer.data.total_fee, 200);
        const row = await orderRow(answer.data.trade_no);
        assert.deepEqual(JSON.parse(row.details), { rechargeCents: 200_00 });
        await db()
          .transaction()
          .execute((trx) => settleOrder(trx, row, registry(), clock));
        assert.equal(await balanceOf(user.id), 200_00);
        for (const bad of [undefined, '0', '0.00', '1.234', '-5', 'abc', '1e3']) {
          const body: Record<string, unknown> = { pid: p.makeup!.id, pm_id: pm.bank };
          if (bad !== undefined) body.recharge_amount = bad;
          const refused = await create(user, body);
          assertFails(refused, 400);
          assert.deepEqual(Object.keys(refused.errors ?? {}), ['recharge_amount'], String(bad));
        }
        assertFails(
          await create(user, {
            pid: p.makeup!.id,
            pm_id: pm.bank,
            recharge_amount: 5,
            use_invitation_registration_discount: true,
          }),
          7015,
        );
      });
    });

    describe('static IPs (14, 25) and renewals (19)', () => {
      it('buys by region from the balance; the IPs show in ip/get-static-ip; a renewal moves their expiry', async () => {
        const user = await newUser(200_00);
        const answer = await create(user, { pid: p.resi!.id, pm_id: pm.balance, region_list: 'us:2' });
        assert.equal(answer.code, 200, JSON.stringify(answer));
        assert.deepEqual([answer.data.total_fee, answer.data.status], [16, 1]);
        assert.equal((await orderRow(answer.data.trade_no)).amount, 2);
        const ips = await call(tp.app, 'GET', '/gateway/ip/get-static-ip', { query: { app_key: user.appKey } });
        assert.equal(ips.data.list.length, 2);
        for (const ip of ips.data.list) {
          assert.equal(ip.trade_no, answer.data.trade_no);
          assert.equal(ip.expired_at, '2026-12-23 20:00:00');
        }
        const upids = ips.data.list.map((i: { id: number }) => i.id).join(',');
        const renewal = await create(user, { pid: p.renew!.id, pm_id: pm.balance, upids, renew_duration: 2 });
        assert.equal(renewal.code, 200, JSON.stringify(renewal));
        // 2 IPs × 2 units × 7.
        assert.deepEqual([renewal.data.total_fee, renewal.data.status], [28, 1]);
        assert.equal((await orderRow(renewal.data.trade_no)).amount, 4);
        const after = await call(tp.app, 'GET', '/gateway/ip/get-static-ip', { query: { app_key: user.appKey } });
        for (const ip of after.data.list) assert.equal(ip.expired_at, '2027-02-21 20:00:00');
        assert.equal(await balanceOf(user.id), 200_00 - 16_00 - 28_00);

        // Someone else's allocations cannot be renewed.
        const other = await newUser(100_00);
        assertFails(await create(other, { pid: p.renew!.id, pm_id: pm.balance, upids }), 6405);
        // Default renew_duration 1; an array of ids works too.
        const ids = ips.data.list.map((i: { id: number }) => i.id);
        const once = await create(user, { pid: p.renew!.id, pm_id: pm.card, upids: [ids[0]] });
        assert.deepEqual([once.data.total_fee, once.data.status], [7, 0]);
      });

      it('refuses bad regions (400), sold-out ones (6404, nothing changes) and bad upids', async () => {
        const user = await newUser(200_00);
        for (const bad of ['XX:1', 'US:0', 'US', 'US:1,US:1', ',', 'US:2;DE:1']) {
          const answer = await create(user, { pid: p.resi!.id, pm_id: pm.balance, region_list: bad });
          assertFails(answer, 400);
          assert.deepEqual(Object.keys(answer.errors ?? {}), ['region_list'], bad);
        }
        assertFails(await create(user, { pid: p.resi!.id, pm_id: pm.balance }), 400);
        // One US residential IP is left; DE has none of type 25.
        const sold = await create(user, { pid: p.resi!.id, pm_id: pm.balance, region_list: 'US:1,DE:1' });
        assertFails(sold, 6404, /DE:1/);
        assert.deepEqual(sold.data, { region: 'DE:1', available: 0 });
        assertFails(await create(user, { pid: p.resi!.id, pm_id: pm.card, region_list: 'US:2' }), 6404);
        assert.deepEqual(await ordersOf(user.id), []);
        assert.equal(await balanceOf(user.id), 200_00);
        const dc = await create(user, { pid: p.dc!.id, pm_id: pm.card, region_list: 'DE:1' });
        assert.deepEqual([dc.data.total_fee, dc.data.status], [6, 0]);
        for (const bad of ['a,b', '0', ',']) {
          const answer = await create(user, { pid: p.renew!.id, pm_id: pm.balance, upids: bad });
          assertFails(answer, 400);
          assert.deepEqual(Object.keys(answer.errors ?? {}), ['upids'], bad);
        }
        assertFails(await create(user, { pid: p.renew!.id, pm_id: pm.balance }), 400);
        assertFails(await create(user, { pid: p.renew!.id, pm_id: pm.balance, upids: '999999' }), 6405, /999999/);
      });

      it('sold out between creation and payment from the balance: the whole order rolls back', async () => {
        const user = await newUser(200_00);
        const before = await db().selectFrom('static_ip_allocations').select('id').execute();
        const last = await create(user, { pid: p.resi!.id, pm_id: pm.bank, region_list: 'US:1' });
        assert.equal(last.data.status, 0);
        const buyer = await newUser(100_00);
        assert.equal((await create(buyer, { pid: p.resi!.id, pm_id: pm.balance, region_list: 'US:1' })).data.status, 1);
        // The manual order's IP went meanwhile: settling it fails and changes nothing.
        const lastRow = await orderRow(last.data.trade_no);
        await assert.rejects(
          db()
            .transaction()
            .execute((trx) => settleOrder(trx, lastRow, registry(), clock)),
          (err: { key?: string }) => err.key === 'TG_ERR_STATIC_IP_UNAVAILABLE',
        );
        assert.equal((await orderRow(last.data.trade_no)).status, 0);
        assert.equal((await db().selectFrom('static_ip_allocations').select('id').execute()).length, before.length + 1);
      });
    });

    describe('parameters', () => {
      it('validates pid, pm_id, amount and renew_duration', async () => {
        const user = await newUser(100_00);
        const cases: [Record<string, unknown>, string][] = [
          [{ pm_id: pm.balance }, 'pid'],
          [{ pid: p.traffic!.id }, 'pm_id'],
          [{ pid: 'x', pm_id: pm.balance }, 'pid'],
          [{ pid: 0, pm_id: pm.balance }, 'pid'],
          [{ pid: p.traffic!.id, pm_id: pm.balance, amount: 0 }, 'amount'],
          [{ pid: p.traffic!.id, pm_id: pm.balance, amount: 1.5 }, 'amount'],
          [{ pid: p.traffic!.id, pm_id: pm.balance, amount: 10_001 }, 'amount'],
          [{ pid: p.renew!.id, pm_id: pm.balance, upids: '1', renew_duration: 0 }, 'renew_duration'],
          [
            { pid: p.traffic!.id, pm_id: pm.balance, use_invitation_registration_discount: 'maybe' },
            'use_invitation_registration_discount',
          ],
          [{ pid: p.traffic!.id, pm_id: pm.balance, coupon_sn: 'x'.repeat(65) }, 'coupon_sn'],
          [
            { pid: p.timed!.id, pm_id: pm.balance, product_sku_bandwidth_id: -1, product_sku_concurrency_id: 1 },
            'product_sku_bandwidth_id',
          ],
        ];
        for (const [body, field] of cases) {
          const answer = await create(user, body);
          assertFails(answer, 400);
          assert.ok(answer.errors && field in answer.errors, `${JSON.stringify(body)} → ${JSON.stringify(answer.errors)}`);
        }
        assert.deepEqual(await ordersOf(user.id), []);
      });

      it('takes app_key in the query with a JSON body, form bodies, numbers as text, empty fields as absent, unknown params', async () => {
        const user = await newUser(100_00);
        const form = await call(tp.app, 'POST', '/end-point/order/create', {
          form: {
            app_key: user.appKey,
            pid: String(p.traffic!.id),
            amount: '2',
            pm_id: String(pm.balance),
            coupon_sn: '',
            region_list: '',
            use_invitation_registration_discount: '0',
            recharge_amount: '',
            whatever: 'ignored',
          },
        });
        assert.equal(form.code, 200, JSON.stringify(form));
        assert.equal(form.data.total_fee, 20);
        const query = await call(tp.app, 'POST', '/pub/order/create', {
          query: { app_key: user.appKey, pid: p.traffic!.id, pm_id: pm.bank!, amount: '' },
        });
        assert.equal(query.code, 200, JSON.stringify(query));
        assert.equal(query.data.total_fee, 10);
        const bad = await call(tp.app, 'POST', '/pub/order/create', { json: { pid: p.traffic!.id, pm_id: pm.bank } });
        assert.equal(bad.code, 3);
      });

      it('answers in English with language=en', async () => {
        const user = await newUser();
        const zh = await create(user, { pid: 424242, pm_id: pm.balance });
        assert.equal(zh.msg, '套餐不存在:424242');
        const en = await create(user, { pid: 424242, pm_id: pm.balance, language: 'en' });
        assert.equal(en.msg, 'No such product: 424242');
        assert.equal(en.message, en.msg);
      });
    });

    describe('order/close and order/list', () => {
      it('close: the caller’s pending order → 2; not pending 7010; unknown or another user’s 7009', async () => {
        const user = await newUser(100_00);
        const pending = await create(user, { pid: p.traffic!.id, pm_id: pm.card });
        const close = (u: User, tradeNo: string) =>
          call(tp.app, 'POST', '/gateway/order/close', { query: { app_key: u.appKey }, json: { trade_no: tradeNo } });
        const stranger = await newUser();
        assertFails(await close(stranger, pending.data.trade_no), 7009);
        assertFails(await close(user, '2026112320000000000000000000'), 7009);
        const ok = await close(user, pending.data.trade_no);
        assert.deepEqual([ok.code, ok.data], [200, null]);
        const row = await orderRow(pending.data.trade_no);
        assert.deepEqual([row.status, Number(row.closed_at)], [2, T]);
        assertFails(await close(user, pending.data.trade_no), 7010);
        const paid = await create(user, { pid: p.traffic!.id, pm_id: pm.balance });
        assertFails(await close(user, paid.data.trade_no), 7010, /订单不是待支付状态/);
        const missing = await call(tp.app, 'POST', '/gateway/order/close', { query: { app_key: user.appKey }, json: {} });
        assertFails(missing, 400);
        assert.deepEqual(Object.keys(missing.errors ?? {}), ['trade_no']);
      });

      it('list: newest first, paged, filtered by trade_no, status and product_type, under every prefix', async () => {
        const user = await newUser(100_00);
        const made: string[] = [];
        for (let i = 0; i < 5; i++) {
          clock = T + i * 1000;
          made.push((await create(user, { pid: p.traffic!.id, pm_id: i % 2 === 0 ? pm.balance : pm.card })).data.trade_no);
        }
        clock = T + 10_000;
        made.push((await create(user, { pid: p.idc!.id, pm_id: pm.balance })).data.trade_no);
        await create(await newUser(100_00), { pid: p.traffic!.id, pm_id: pm.balance });
        for (const prefix of PREFIXES) {
          const all = await call(tp.app, 'GET', `${prefix}/order/list`, { query: { app_key: user.appKey } });
          assert.equal(all.code, 200);
          assert.deepEqual(
            all.data.list.map((o: { trade_no: string }) => o.trade_no),
            [...made].reverse(),
          );
          assert.deepEqual(all.data.pagination, { total: 6, page_no: 1, page_size: 20, total_pages: 1 });
        }
        const page = await call(tp.app, 'GET', '/gateway/order/list', {
          query: { app_key: user.appKey, page_no: 2, page_size: 4 },
        });
        assert.deepEqual(
          page.data.list.map((o: { trade_no: string }) => o.trade_no),
          [made[1], made[0]],
        );
        assert.deepEqual(page.data.pagination, { total: 6, page_no: 2, page_size: 4, total_pages: 2 });
        const pending = await call(tp.app, 'GET', '/gateway/order/list', { query: { app_key: user.appKey, status: 0 } });
        assert.deepEqual(
          pending.data.list.map((o: { trade_no: string; status: number }) => [o.trade_no, o.status]),
          [
            [made[3], 0],
            [made[1], 0],
          ],
        );
        const idc = await call(tp.app, 'GET', '/gateway/order/list', { query: { app_key: user.appKey, product_type: 12 } });
        assert.deepEqual(
          idc.data.list.map((o: { trade_no: string }) => o.trade_no),
          [made[5]],
        );
        const one = await call(tp.app, 'GET', '/gateway/order/list', { query: { app_key: user.appKey, trade_no: made[2]! } });
        assert.equal(one.data.list.length, 1);
        assert.equal(one.data.list[0].created_at, '2026-11-23 20:00:02');
        const empty = await call(tp.app, 'GET', '/gateway/order/list', { query: { app_key: user.appKey, page_no: 9 } });
        assert.deepEqual(empty.data, { list: [], pagination: { total: 6, page_no: 9, page_size: 20, total_pages: 1 } });
        for (const [key, value] of [
          ['page_size', 101],
          ['page_no', 0],
          ['status', 4],
          ['product_type', 99],
        ] as const) {
          const bad = await call(tp.app, 'GET', '/gateway/order/list', { query: { app_key: user.appKey, [key]: value } });
          assertFails(bad, 400);
          assert.deepEqual(Object.keys(bad.errors ?? {}), [key]);
        }
      });
    });

    describe('expiry of unpaid orders', () => {
      it('closes pending orders past their deadline by the clock, gives coupons back, and survives a restart', async () => {
        const expiry = new OrderExpiry({
          db: db(),
          caps: tp.platform.storage.caps,
          catalogue: orderCatalogue(services()),
          now: () => clock,
        });
        // Later than every other test's orders, which this first run closes.
        const B = T + 100 * DAY;
        clock = B;
        await expiry.runOnce();
        const user = await newUser(100_00);
        const uses = await couponUses('PCT10');
        const early = await create(user, { pid: p.traffic!.id, pm_id: pm.card, coupon_sn: 'PCT10' });
        clock = B + 60_000;
        const late = await create(user, { pid: p.traffic!.id, pm_id: pm.bank });
        const paid = await create(user, { pid: p.traffic!.id, pm_id: pm.balance });
        assert.equal(await couponUses('PCT10'), uses + 1);
        clock = B + TTL_S * 1000 - 1;
        assert.equal(await expiry.runOnce(), 0);
        clock = B + TTL_S * 1000;
        assert.equal(await expiry.runOnce(), 1);
        const closed = await orderRow(early.data.trade_no);
        assert.deepEqual([closed.status, Number(closed.closed_at)], [2, B + TTL_S * 1000]);
        assert.equal(await couponUses('PCT10'), uses);
        assert.equal((await orderRow(late.data.trade_no)).status, 0);
        // Running again (or in a second process) changes nothing more.
        assert.equal(await expiry.runOnce(), 0);
        assert.equal(await couponUses('PCT10'), uses);
        // A "restart": a new scheduler's first run, at start, closes what expired while none ran.
        clock = B + 10 * TTL_S * 1000;
        const restarted = startOrderExpiry(tp.platform);
        await restarted.stop();
        assert.equal((await orderRow(late.data.trade_no)).status, 2);
        assert.equal((await orderRow(paid.data.trade_no)).status, 1);
        // A closed order cannot be paid any more.
        const lateRow = await orderRow(late.data.trade_no);
        assert.equal(
          await db()
            .transaction()
            .execute((trx) => settleOrder(trx, lateRow, registry(), clock)),
          false,
        );
        const list = await call(tp.app, 'GET', '/gateway/order/list', { query: { app_key: user.appKey, status: 2 } });
        assert.equal(list.data.pagination.total, 2);
      });
    });

    describe('refunds of packages', () => {
      it('takes back the unused part of a package, or withdraws it when unused', async () => {
        const user = await newUser(100_00);
        const a = await create(user, { pid: p.traffic!.id, amount: 2, pm_id: pm.balance });
        const b = await create(user, { pid: p.traffic!.id, pm_id: pm.balance });
        const pkgs = await db().selectFrom('user_packages').selectAll().where('user_id', '=', user.id).orderBy('id').execute();
        await db().updateTable('user_packages').set({ used_bytes: 1000 }).where('id', '=', pkgs[0]!.id).execute();
        for (const tradeNo of [a.data.trade_no, b.data.trade_no]) {
          const row = await orderRow(tradeNo);
          await db()
            .transaction()
            .execute((trx) => refundOrder(trx, row, registry(), true, clock));
        }
        const after = await db().selectFrom('user_packages').selectAll().where('user_id', '=', user.id).orderBy('id').execute();
        assert.deepEqual(
          after.map((r) => [Number(r.total_bytes), r.status]),
          [
            [1000, 1],
            [GB, 0],
          ],
        );
        assert.equal(await balanceOf(user.id), 100_00);
        assert.equal(await ledgerSum(db(), user.id), 100_00);
        const changes = await db()
          .selectFrom('change_log')
          .select('entity_id')
          .where('entity', '=', 'user_package')
          .where('entity_id', '=', user.id)
          .execute();
        assert.ok(changes.length >= 4);
      });
    });
  });

  describe(`orders with TOLLGATE_REQUIRE_REAL_NAME on ${dialect}`, () => {
    let tp: TestPlatform;
    before(async () => {
      tp = await startTestPlatform(dialect, { TOLLGATE_REQUIRE_REAL_NAME: '1' });
    });
    after(() => tp.close());

    it('refuses order/create and order/close to unverified users (156); order/list stays open', async () => {
      const product = await tp.platform.services.products.add({
        title: 'T',
        productType: 9,
        price: '1',
        unitBytes: GB,
        unitDays: 1,
      });
      const method = await tp.platform.services.paymentMethods.add({ kind: 'manual', title: 'Bank' });
      const unverified = await createUser(tp);
      const verified = await createUser(tp, { isRealName: true });
      const body = { pid: product.id, pm_id: method.method.id };
      const refused = await call(tp.app, 'POST', '/gateway/order/create', { query: { app_key: unverified.appKey }, json: body });
      assert.equal(refused.code, 156);
      const closed = await call(tp.app, 'POST', '/gateway/order/close', {
        query: { app_key: unverified.appKey },
        json: { trade_no: 'x' },
      });
      assert.equal(closed.code, 156);
      const list = await call(tp.app, 'GET', '/gateway/order/list', { query: { app_key: unverified.appKey } });
      assert.equal(list.code, 200);
      const done = await call(tp.app, 'POST', '/gateway/order/create', { query: { app_key: verified.appKey }, json: body });
      assert.equal(done.code, 200, JSON.stringify(done));
    });
  });
}
