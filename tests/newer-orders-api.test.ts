/**
 * The newer release's order and payment endpoints under /developers (and an old prefix) on every dialect:
 * order/check prices exactly as order/create and writes nothing; duration SKUs and `etd`; the `JP,2|US,1`
 * region form; order/info; pay/pay-check and pay with every kind of method; order/list's time, invoice and
 * pay_fee filters; `product` and `payment/list`; every error path and team_id scoping.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { changeBalance } from '../src/billing/index.js';
import type { Product } from '../src/billing/catalogue/index.js';
import type { Team } from '../src/teams/index.js';
import { type Answer, call, createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const D = '/developers';
const GB = 1024 ** 3;
const DAY = 86_400_000;
/** 2026-11-23 12:00:00 UTC, 20:00:00 in Asia/Shanghai. */
const T = Date.UTC(2026, 10, 23, 12, 0, 0);

interface Person {
  id: number;
  appKey: string;
}

for (const dialect of dialects()) {
  describe(`newer orders and payment API on ${dialect}`, () => {
    let tp: TestPlatform;
    let clock = T;
    const p: Record<string, Product> = {};
    const pm: Record<string, number> = {};
    let owner: Person;
    let reader: Person;
    let payer: Person;
    let team: Team;

    const db = () => tp.platform.storage.db;
    const get = (who: Person, route: string, query: Record<string, string | number> = {}, prefix = D) =>
      call(tp.app, 'GET', `${prefix}/${route}`, { query: { app_key: who.appKey, language: 'en', ...query } });
    const post = (who: Person, route: string, json: Record<string, unknown> = {}, prefix = D) =>
      call(tp.app, 'POST', `${prefix}/${route}`, { query: { app_key: who.appKey, language: 'en' }, json });
    const ok = (answer: Answer) => {
      assert.equal(answer.code, 200, JSON.stringify(answer));
      return answer.data;
    };
    const refused = (answer: Answer, code: number) => {
      assert.equal(answer.code, code, JSON.stringify(answer));
      return answer;
    };
    const fund = (userId: number, cents: number) =>
      db()
        .transaction()
        .execute((trx) => changeBalance(trx, { userId, deltaCents: cents, reason: 'adjust', now: clock }));
    const balanceOf = async (userId: number) =>
      Number(
        (await db().selectFrom('users').select('balance_cents').where('id', '=', userId).executeTakeFirstOrThrow()).balance_cents,
      );
    const orderCount = async () =>
      Number(
        (
          await db()
            .selectFrom('orders')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const couponUses = async (code: string) =>
      Number(
        (await db().selectFrom('coupons').select('used_count').where('code', '=', code).executeTakeFirstOrThrow()).used_count,
      );
    const newUser = async (cents = 0): Promise<Person> => {
      const u = await createUser(tp);
      if (cents > 0) await fund(u.id, cents);
      return u;
    };

    before(async () => {
      tp = await startTestPlatform(dialect, { TOLLGATE_TZ: 'Asia/Shanghai', TOLLGATE_ORDER_TTL: '600' }, { now: () => clock });
      const s = tp.platform.services;
      p.traffic = await s.products.add({ title: '10 GB', productType: 9, price: '10.00', unitBytes: GB, unitDays: 30 });
      p.timed = await s.products.add({
        title: 'Unlimited',
        productType: 11,
        price: '20',
        unitDays: 30,
        skus: [
          { kind: 'bandwidth', title: '100M', value: 100, price: '5' },
          { kind: 'concurrency', title: '50', value: 50, price: '3.5' },
          { kind: 'duration', title: '7 days', value: 7, price: '1' },
          { kind: 'duration', title: '90 days', value: 90, price: '40' },
        ],
      });
      p.resi = await s.products.add({ title: 'Static residential', productType: 25, price: '8', unitDays: 30 });
      p.renew = await s.products.add({ title: 'Static renewal', productType: 19, price: '7', unitDays: 30 });
      p.topUp = await s.products.add({ title: 'Top-up', productType: 3 });
      p.off = await s.products.add({ title: 'Old', productType: 9, price: '1', unitBytes: GB, unitDays: 1, enabled: false });
      pm.balance = (await s.paymentMethods.ensureBalanceMethod()).id;
      pm.card = (
        await s.paymentMethods.add({
          kind: 'external',
          title: 'Card',
          payUrl: 'https://pay.example.com/?o={trade_no}&a={amount}',
          max: '1000',
        })
      ).method.id;
      pm.bank = (await s.paymentMethods.add({ kind: 'manual', title: 'Bank transfer' })).method.id;
      pm.off = (await s.paymentMethods.add({ kind: 'manual', title: 'Off', disabled: true })).method.id;
      await s.coupons.add({ code: 'AMT5', kind: 'amount', discount: '5', expiresAt: T + 365 * DAY });
      for (const [ip, n] of [
        ['127.0.0.31', 'JP'],
        ['127.0.0.32', 'JP'],
        ['127.0.0.33', 'US'],
      ] as const) {
        await s.staticIps.add({ ip, port: 8000, country: n, productType: 25 });
      }
      owner = await newUser();
      reader = await newUser();
      payer = await newUser();
      team = await s.teams.create({ ownerUserId: owner.id, name: 'Buyers', publicId: 'Buyers1' });
      await s.teams.addMember(team.publicId, reader.id, []);
      await s.teams.addMember(team.publicId, payer.id, ['view_billing', 'pay']);
    });
    after(() => tp.close());

    it('order/check answers what order/create then charges, and writes nothing (coupon unused, no order)', async () => {
      const u = await newUser(100_000);
      const body = { pid: p.traffic!.id, pm_id: pm.balance, amount: 3, coupon_sn: 'AMT5' };
      const before = { orders: await orderCount(), uses: await couponUses('AMT5'), balance: await balanceOf(u.id) };
      const quote = ok(await post(u, 'order/check', body));
      assert.deepEqual(quote, {
        pid: p.traffic!.id,
        product_name: '10 GB',
        product_type: 9,
        pm_id: pm.balance,
        amount: 3,
        total_fee: 30,
        coupon_discount: 5,
        invitation_discount: 0,
        discount: 5,
        pay_fee: 25,
      });
      assert.equal(await orderCount(), before.orders);
      assert.equal(await couponUses('AMT5'), before.uses);
      assert.equal(await balanceOf(u.id), before.balance);
      const created = ok(await post(u, 'order/create', body));
      assert.equal(created.pay_fee, quote.pay_fee);
      assert.equal(created.total_fee, quote.total_fee);
      assert.equal(await balanceOf(u.id), before.balance - 2500);
    });

    it('order/check refuses every body order/create refuses, with the same codes', async () => {
      const u = await newUser();
      refused(await post(u, 'order/check', { pid: p.off!.id, pm_id: pm.card }), 7001);
      refused(await post(u, 'order/check', { pid: 999_999, pm_id: pm.card }), 7001);
      refused(await post(u, 'order/check', { pid: p.traffic!.id, pm_id: 999_999 }), 7003);
      refused(await post(u, 'order/check', { pid: p.traffic!.id, pm_id: pm.off }), 7004);
      refused(await post(u, 'order/check', { pid: p.topUp!.id, pm_id: pm.balance, recharge_amount: '10' }), 7006);
      refused(await post(u, 'order/check', { pid: p.traffic!.id, pm_id: pm.card, coupon_sn: 'NOPE' }), 7008);
      refused(await post(u, 'order/check', { pid: p.traffic!.id, pm_id: pm.card, amount: 200 }), 7005);
      const missing = refused(await post(u, 'order/check', { pid: p.timed!.id, pm_id: pm.card }), 400);
      assert.deepEqual(Object.keys(missing.errors ?? {}).sort(), [
        'product_sku_bandwidth_id',
        'product_sku_concurrency_id',
        'product_sku_duration_id',
      ]);
      refused(await post(u, 'order/check', { pid: p.traffic!.id }), 400);
    });

    it('type 11 with duration SKUs: the duration sets the days and adds its price; etd counts durations like amount', async () => {
      const u = await newUser(100_000);
      const sku = (kind: string, value: number) => p.timed!.skus.find((s) => s.kind === kind && s.value === value)!.id;
      const body = {
        pid: p.timed!.id,
        pm_id: pm.balance,
        product_sku_bandwidth_id: sku('bandwidth', 100),
        product_sku_concurrency_id: sku('concurrency', 50),
        product_sku_duration_id: sku('duration', 7),
        etd: 2,
      };
      const quote = ok(await post(u, 'order/check', body));
      // (20 + 5 + 3.5 + 1) × 2
      assert.equal(quote.total_fee, 59);
      assert.equal(quote.amount, 2);
      const order = ok(await post(u, 'order/create', body));
      assert.equal(order.status, 1);
      const pkg = await db().selectFrom('user_packages').selectAll().where('user_id', '=', u.id).executeTakeFirstOrThrow();
      assert.equal(Number(pkg.expires_at) - Number(pkg.starts_at), 14 * DAY);
      refused(await post(u, 'order/check', { ...body, amount: 3 }), 400);
      const wrongKind = refused(await post(u, 'order/check', { ...body, product_sku_duration_id: sku('bandwidth', 100) }), 7020);
      assert.match(wrongKind.msg, /duration/);
      refused(await post(u, 'order/check', { ...body, product_sku_duration_id: 999_999 }), 7020);
    });

    it('static orders take the newer region form JP,2|US,1', async () => {
      const u = await newUser();
      const quote = ok(await post(u, 'order/check', { pid: p.resi!.id, pm_id: pm.card, region_list: 'JP,2|US,1' }));
      assert.equal(quote.amount, 3);
      assert.equal(quote.total_fee, 24);
      refused(await post(u, 'order/check', { pid: p.resi!.id, pm_id: pm.card, region_list: 'JP,3' }), 6404);
      refused(await post(u, 'order/check', { pid: p.resi!.id, pm_id: pm.card, region_list: 'JP,1|JP,1' }), 400);
    });

    it('order/info shows one order directly in data; pay-check and pay with the balance, an external and a manual method', async () => {
      const u = await newUser(2000);
      const order = ok(await post(u, 'order/create', { pid: p.traffic!.id, pm_id: pm.card }));
      const info = ok(await get(u, 'order/info', { trade_no: order.trade_no }));
      assert.deepEqual(
        { ...info, created_at: undefined },
        {
          id: order.id,
          trade_no: order.trade_no,
          title: '10 GB',
          product_id: p.traffic!.id,
          product_type: 9,
          amount: 1,
          total_fee: 10,
          discount: 0,
          pay_fee: 10,
          pm_id: pm.card,
          status: 0,
          created_at: undefined,
          expired_at: '2026-11-23 20:10:00',
          pay_at: '',
        },
      );
      assert.equal(info.created_at, '2026-11-23 20:00:00');
      refused(await get(u, 'order/info', { trade_no: '123' }), 7009);
      refused(await get(await newUser(), 'order/info', { trade_no: order.trade_no }), 7009);

      // Checks: the order's own method by default, the balance on request.
      const own = ok(await post(u, 'pay/pay-check', { trade_no: order.trade_no }));
      assert.deepEqual(own, {
        trade_no: order.trade_no,
        title: '10 GB',
        pay_fee: 10,
        pm_id: pm.card,
        method: 'Card',
        kind: 'external',
        payable: true,
      });
      const byBalance = ok(await post(u, 'pay/pay-check', { trade_no: order.trade_no, pay_method: 7 }));
      assert.equal(byBalance.balance, 20);
      assert.equal(byBalance.payable, true);
      refused(await post(u, 'pay/pay-check', { trade_no: order.trade_no, pm_id: 999_999 }), 7003);
      refused(await post(u, 'pay/pay-check', { trade_no: order.trade_no, pm_id: pm.off }), 7004);
      refused(await post(u, 'pay/pay-check', { trade_no: order.trade_no, pay_method: 8 }), 400);

      // An external method: the order takes it and answers pay_url; a manual one waits for the operator.
      const external = ok(await post(u, 'pay', { trade_no: order.trade_no, pm_id: pm.card }));
      assert.equal(external.status, 0);
      assert.equal(external.pay_url, `https://pay.example.com/?o=${order.trade_no}&a=10.00`);
      const manual = ok(await post(u, 'pay', { trade_no: order.trade_no, pm_id: pm.bank }));
      assert.equal(manual.pm_id, pm.bank);
      assert.equal(manual.pay_url, undefined);
      // The balance pays at once, once.
      const paid = ok(await post(u, 'pay', { trade_no: order.trade_no, pay_method: 7 }));
      assert.equal(paid.status, 1);
      assert.equal(paid.pm_id, pm.balance);
      assert.equal(paid.pay_at, '2026-11-23 20:00:00');
      assert.equal(await balanceOf(u.id), 1000);
      refused(await post(u, 'pay', { trade_no: order.trade_no, pay_method: 7 }), 7010);
      refused(await post(u, 'pay/pay-check', { trade_no: order.trade_no }), 7010);
      assert.equal(await balanceOf(u.id), 1000);
    });

    it('pay refuses what cannot be paid and changes nothing: short balance, a top-up from the balance, an expired order', async () => {
      const u = await newUser(500);
      const order = ok(await post(u, 'order/create', { pid: p.traffic!.id, pm_id: pm.card }));
      const check = ok(await post(u, 'pay/pay-check', { trade_no: order.trade_no, pm_id: pm.balance }));
      assert.deepEqual([check.balance, check.payable], [5, false]);
      refused(await post(u, 'pay', { trade_no: order.trade_no, pm_id: pm.balance }), 7007);
      const after = ok(await get(u, 'order/info', { trade_no: order.trade_no }));
      assert.deepEqual([after.status, after.pm_id], [0, pm.card]);
      assert.equal(await balanceOf(u.id), 500);

      const topUp = ok(await post(u, 'order/create', { pid: p.topUp!.id, pm_id: pm.card, recharge_amount: '50' }));
      refused(await post(u, 'pay', { trade_no: topUp.trade_no, pay_method: 7 }), 7006);
      refused(await post(u, 'pay', { trade_no: 'nope' }), 7009);

      clock += 11 * 60_000;
      try {
        refused(await post(u, 'pay', { trade_no: order.trade_no, pm_id: pm.bank }), 7010);
      } finally {
        clock = T;
      }
    });

    it('order/list filters by creation time, pay_fee and invoice', async () => {
      const u = await newUser(100_000);
      clock = T - 2 * DAY;
      const old = ok(await post(u, 'order/create', { pid: p.traffic!.id, pm_id: pm.card }));
      clock = T;
      const now = ok(await post(u, 'order/create', { pid: p.traffic!.id, pm_id: pm.bank }));
      await tp.platform.services.payments.markPaid(now.id);
      const list = async (q: Record<string, string | number>) =>
        (ok(await get(u, 'order/list', q)).list as { trade_no: string }[]).map((o) => o.trade_no);
      assert.deepEqual(await list({}), [now.trade_no, old.trade_no]);
      assert.deepEqual(await list({ start_time: '2026-11-23 00:00:00' }), [now.trade_no]);
      assert.deepEqual(await list({ end_time: '2026-11-21' }), [old.trade_no]);
      assert.deepEqual(await list({ start_time: '2026-11-21', end_time: '2026-11-21 20:00:00' }), [old.trade_no]);
      assert.deepEqual(await list({ end_time: '2026-11-21 19:59:59' }), []);
      assert.deepEqual(await list({ pay_fee_status: 1 }), [now.trade_no, old.trade_no]);
      assert.deepEqual(await list({ pay_fee_status: 2 }), []);
      assert.deepEqual(await list({ invoice: 0 }), [now.trade_no, old.trade_no]);
      assert.deepEqual(await list({ invoice: 1 }), []);
      const s = tp.platform.services;
      const profile = await s.invoices.addProfile(u.id, { kind: 'personal', title: 'Me' });
      await s.invoices.request(u.id, { profileId: profile.id, tradeNos: [now.trade_no] });
      assert.deepEqual(await list({ invoice: 1 }), [now.trade_no]);
      assert.deepEqual(await list({ invoice: 0 }), [old.trade_no]);
      assert.deepEqual(await list({ invoice: -1 }), [now.trade_no, old.trade_no]);

      const bad = refused(await get(u, 'order/list', { start_time: '2026-13-01', end_time: 'yesterday' }), 400);
      assert.deepEqual(Object.keys(bad.errors ?? {}).sort(), ['end_time', 'start_time']);
      refused(await get(u, 'order/list', { start_time: '2026-11-24', end_time: '2026-11-23' }), 400);
      refused(await get(u, 'order/list', { invoice: 2 }), 400);
      refused(await get(u, 'order/list', { pay_fee_status: 0 }), 400);
    });

    it('product lists what can be ordered, with filters; payment/list lists methods, also under an old prefix', async () => {
      const u = await newUser();
      const all = ok(await get(u, 'product')).list as { id: number; type: number }[];
      assert.ok(all.some((x) => x.id === p.traffic!.id));
      assert.ok(!all.some((x) => x.id === p.off!.id));
      const timed = (ok(await get(u, 'product', { type: 11 })).list as any[]).find((x) => x.id === p.timed!.id);
      assert.deepEqual(
        { ...timed, skus: timed.skus.map((s: any) => [s.kind, s.value, s.price]) },
        {
          id: p.timed!.id,
          name: 'Unlimited',
          type: 11,
          price: 20,
          description: '',
          unit_bytes: 0,
          unit_days: 30,
          skus: [
            ['bandwidth', 100, 5],
            ['concurrency', 50, 3.5],
            ['duration', 7, 1],
            ['duration', 90, 40],
          ],
        },
      );
      assert.deepEqual(
        (ok(await get(u, 'product', { parent_product_type: 14 })).list as any[]).map((x) => x.id),
        [p.renew!.id],
      );
      assert.deepEqual(
        (ok(await get(u, 'product', { type: 9, time_days: 30 })).list as any[]).map((x) => x.id),
        [p.traffic!.id],
      );
      refused(await get(u, 'product', { parent_product_type: 9 }), 400);

      for (const prefix of [D, '/api-gate-way']) {
        const methods = (ok(await get(u, 'payment/list', { currency: 'USD' }, prefix)).list as { id: number }[]).map((m) => m.id);
        assert.ok([pm.balance, pm.card, pm.bank].every((id) => methods.includes(id!)));
      }
      const topUp = ok(await post(u, 'order/create', { pid: p.topUp!.id, pm_id: pm.card, recharge_amount: '5' }));
      const forTopUp = (ok(await get(u, 'payment/list', { trade_no: topUp.trade_no })).list as { id: number }[]).map((m) => m.id);
      assert.ok(!forTopUp.includes(pm.balance!));
      refused(await get(u, 'payment/list', { trade_no: 'nope' }), 7009);
    });

    it('team_id: order/check needs membership, order/info view_billing, pay and pay-check the pay permission; the team pays from its wallet', async () => {
      const s = tp.platform.services;
      await fund(payer.id, 100_000);
      await fund(team.backingUserId, 3000);
      const body = { team_id: team.publicId, pid: p.traffic!.id, pm_id: pm.card };
      ok(await post(reader, 'order/check', body));
      const order = ok(await post(payer, 'order/create', body));
      assert.equal((await s.orders.byTradeNo(team.backingUserId, order.trade_no)).id, order.id);

      refused(await get(reader, 'order/info', { team_id: team.publicId, trade_no: order.trade_no }), 8002);
      ok(await get(payer, 'order/info', { team_id: team.publicId, trade_no: order.trade_no }));
      // The team's order is not the payer's own.
      refused(await get(payer, 'order/info', { trade_no: order.trade_no }), 7009);
      refused(await post(payer, 'pay', { trade_no: order.trade_no, pay_method: 7 }), 7009);
      refused(await post(reader, 'pay/pay-check', { team_id: team.publicId, trade_no: order.trade_no }), 8002);
      refused(await post(reader, 'pay', { team_id: team.publicId, trade_no: order.trade_no, pay_method: 7 }), 8002);
      refused(await get(await newUser(), 'order/info', { team_id: team.publicId, trade_no: order.trade_no }), 8001);

      const check = ok(await post(payer, 'pay/pay-check', { team_id: team.publicId, trade_no: order.trade_no, pay_method: 7 }));
      assert.equal(check.balance, 30);
      const paid = ok(await post(payer, 'pay', { team_id: team.publicId, trade_no: order.trade_no, pay_method: 7 }));
      assert.equal(paid.status, 1);
      assert.equal(await balanceOf(team.backingUserId), 2000);
      assert.equal(await balanceOf(payer.id), 100_000);
      const listed = ok(await get(payer, 'order/list', { team_id: team.publicId, pay_fee_status: 1 })).list as any[];
      assert.deepEqual(
        listed.map((o) => o.trade_no),
        [order.trade_no],
      );
    });
    it('user-usage-flow/total counts whole hours; an end_time of a day alone counts that whole day', async () => {
      const u = await newUser();
      const hour = (h: number) => Date.UTC(2026, 10, 22, h - 8, 0, 0); // 2026-11-22 h:00 in Asia/Shanghai
      for (const [h, kb] of [
        [0, 1],
        [10, 2],
        [23, 4],
      ] as const) {
        await db()
          .insertInto('usage_hourly')
          .values({ user_id: u.id, product_type: 9, username: 'acct1', hour_start: hour(h), bytes: kb * 1024 })
          .execute();
      }
      const flow = async (q: Record<string, string>) => ok(await get(u, 'user-usage-flow/total', q)).list;
      assert.deepEqual(await flow({ start_time: '2026-11-22', end_time: '2026-11-22' }), [{ day: '2026-11-22', flow: 7 }]);
      // 10:30 lies in the 10:00 hour: that hour counts whole, the documents' "to the second" is an hour here.
      assert.deepEqual(await flow({ start_time: '2026-11-22 10:30:00', end_time: '2026-11-22 22:59:59' }), [
        { day: '2026-11-22', flow: 2 },
      ]);
      assert.deepEqual(await flow({ start_time: '2026-11-22 00:00:00', end_time: '2026-11-22 00:00:00' }), [
        { day: '2026-11-22', flow: 1 },
      ]);
    });
  });
}
