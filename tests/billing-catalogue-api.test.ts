/**
 * The catalogue over HTTP: the customer's payment/groups and activity/balance-recharge-gift-ratio under every
 * prefix, and the operator's products, payment methods, coupons and gift tiers under /admin.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { call, createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const PREFIXES = ['/gateway', '/end-point', '/api-gate-way', '/pub'];
const T0 = Date.UTC(2026, 2, 1, 0, 0, 0);

for (const dialect of dialects()) {
  describe(`billing catalogue API on ${dialect}`, () => {
    let tp: TestPlatform;
    let auth: Record<string, string>;
    let user: { id: number; appKey: string };
    const db = () => tp.platform.storage.db;

    const admin = (method: 'GET' | 'POST' | 'PATCH', url: string, json?: unknown, status = 200) =>
      call(tp.app, method, url, { headers: auth, ...(json !== undefined ? { json } : {}), status });

    const adminDelete = async (url: string, status = 200) => {
      const res = await tp.app.inject({ method: 'DELETE', url, headers: auth });
      assert.equal(res.statusCode, status, res.body);
      return res.json();
    };

    /** An order row as the orders module writes it, for trade_no filtering. */
    const insertOrder = async (userId: number, tradeNo: string, productType: number, payFeeCents: number) => {
      await db()
        .insertInto('orders')
        .values({
          trade_no: tradeNo,
          user_id: userId,
          product_id: 1,
          product_type: productType,
          product_name: 'p',
          amount: 1,
          total_fee_cents: payFeeCents,
          discount_cents: 0,
          pay_fee_cents: payFeeCents,
          pm_id: 1,
          status: 0,
          details: '{}',
          created_at: T0,
          expires_at: T0 + 1_800_000,
          updated_at: T0,
        })
        .execute();
    };

    before(async () => {
      tp = await startTestPlatform(dialect, {}, { now: () => T0 });
      auth = { authorization: `Bearer ${tp.platform.config.adminToken}` };
      user = await createUser(tp);
    });
    after(() => tp.close());
    beforeEach(async () => {
      await db().deleteFrom('orders').execute();
      await db().deleteFrom('coupons').execute();
      await db().deleteFrom('gift_tiers').execute();
      await db().deleteFrom('product_skus').execute();
      await db().deleteFrom('products').execute();
      await db().deleteFrom('payment_methods').where('kind', '!=', 'balance').execute();
      await db().updateTable('payment_methods').set({ title: '', min_cents: 0, max_cents: 0, sort: 0, disabled: 0 }).execute();
    });

    describe('payment/groups', () => {
      it('answers the documented shape under every prefix: groups by sort, disabled methods marked', async () => {
        const card = await tp.platform.services.paymentMethods.add({
          kind: 'external',
          title: 'Card',
          logo: 'https://cdn.example.com/card.png',
          payUrl: 'https://pay.example.com/{trade_no}',
          min: 10,
          max: '5000',
          sort: 2,
        });
        const wallet = await tp.platform.services.paymentMethods.add({
          kind: 'external',
          title: 'Wallet',
          logo: 'https://cdn.example.com/wallet.png',
          payUrl: 'https://pay.example.com/w/{trade_no}',
          sort: 1,
          disabled: true,
        });
        const bank = await tp.platform.services.paymentMethods.add({
          kind: 'manual',
          title: 'Bank transfer',
          sort: 5,
          group: 'offline',
          groupName: '银行转账',
        });
        const balance = await tp.platform.services.paymentMethods.ensureBalanceMethod();
        for (const prefix of PREFIXES) {
          const answer = await call(tp.app, 'GET', `${prefix}/payment/groups`, { query: { app_key: user.appKey, trade_no: '' } });
          assert.equal(answer.code, 200, JSON.stringify(answer));
          assert.deepEqual(answer.data, {
            list: [
              {
                name: '余额',
                logos: [],
                items: [{ id: balance.id, title: '余额', logo: '', group: 'balance', disabled: false, min: 0, max: 0 }],
              },
              {
                name: '在线支付',
                logos: ['https://cdn.example.com/wallet.png', 'https://cdn.example.com/card.png'],
                items: [
                  {
                    id: wallet.method.id,
                    title: 'Wallet',
                    logo: 'https://cdn.example.com/wallet.png',
                    group: 'online',
                    disabled: true,
                    min: 0,
                    max: 0,
                  },
                  {
                    id: card.method.id,
                    title: 'Card',
                    logo: 'https://cdn.example.com/card.png',
                    group: 'online',
                    disabled: false,
                    min: 10,
                    max: 5000,
                  },
                ],
              },
              {
                name: '银行转账',
                logos: [],
                items: [
                  { id: bank.method.id, title: 'Bank transfer', logo: '', group: 'offline', disabled: false, min: 0, max: 0 },
                ],
              },
            ],
          });
        }
        const en = await call(tp.app, 'GET', '/pub/payment/groups', { query: { app_key: user.appKey, language: 'en' } });
        assert.equal(en.data.list[0].name, 'Balance');
        assert.equal(en.data.list[0].items[0].title, 'Balance');
        assert.equal(en.data.list[1].name, 'Online payment');
        // Secrets never reach customers.
        assert.doesNotMatch(JSON.stringify(en), new RegExp(card.secret ?? 'x'));
      });

      it('with trade_no lists only the methods that may pay that order', async () => {
        await tp.platform.services.paymentMethods.add({
          kind: 'external',
          title: 'Small',
          payUrl: 'https://pay.example.com/{trade_no}',
          max: 100,
        });
        await tp.platform.services.paymentMethods.add({
          kind: 'external',
          title: 'Big',
          payUrl: 'https://pay.example.com/{trade_no}',
          min: 50,
        });
        await insertOrder(user.id, '20260301000000111', 3, 20_000);
        await insertOrder(user.id, '20260301000000222', 9, 3_000);
        const titles = async (tradeNo: string) => {
          const answer = await call(tp.app, 'GET', '/gateway/payment/groups', {
            query: { app_key: user.appKey, trade_no: tradeNo },
          });
          assert.equal(answer.code, 200, JSON.stringify(answer));
          return answer.data.list.flatMap((g: any) => g.items.map((i: any) => i.title));
        };
        assert.deepEqual(await titles('20260301000000111'), ['Big']); // a top-up: no balance; 200 > Small's max
        assert.deepEqual(await titles('20260301000000222'), ['余额', 'Small']); // 30 < Big's min
        await insertOrder(user.id, '20260301000000333', 26, 5_000);
        assert.deepEqual(await titles('20260301000000333'), ['Small', 'Big']);
      });

      it('answers code 7009 for an unknown order or another user’s', async () => {
        const other = await createUser(tp);
        await insertOrder(other.id, '20260301000000999', 9, 100);
        for (const tradeNo of ['20260301000000999', 'nope']) {
          const answer = await call(tp.app, 'GET', '/end-point/payment/groups', {
            query: { app_key: user.appKey, trade_no: tradeNo, language: 'en' },
          });
          assert.equal(answer.code, 7009);
          assert.equal(answer.msg, 'No such order');
          assert.equal(answer.data, null);
        }
      });

      it('needs an app_key', async () => {
        const answer = await call(tp.app, 'GET', '/gateway/payment/groups');
        assert.equal(answer.code, 3);
      });
    });

    describe('activity/balance-recharge-gift-ratio', () => {
      it('lists the tiers by amount under every prefix', async () => {
        for (const prefix of PREFIXES) {
          const empty = await call(tp.app, 'GET', `${prefix}/activity/balance-recharge-gift-ratio`, {
            query: { app_key: user.appKey },
          });
          assert.deepEqual(empty.data, { list: [] });
        }
        await tp.platform.services.giftTiers.add({ amount: 500, ratio: '1.35' });
        await tp.platform.services.giftTiers.add({ amount: '100.5', ratio: 1.2 });
        for (const prefix of PREFIXES) {
          const answer = await call(tp.app, 'GET', `${prefix}/activity/balance-recharge-gift-ratio`, {
            query: { app_key: user.appKey },
          });
          assert.equal(answer.code, 200);
          assert.deepEqual(answer.data, {
            list: [
              { amount: 100.5, ratio: 1.2 },
              { amount: 500, ratio: 1.35 },
            ],
          });
        }
      });
    });

    describe('admin', () => {
      it('refuses requests without the admin token', async () => {
        for (const path of ['/admin/products', '/admin/payment-methods', '/admin/coupons', '/admin/gift-tiers']) {
          const answer = await call(tp.app, 'GET', path, { status: 401 });
          assert.equal(answer.code, 1004);
        }
      });

      it('adds, lists, shows, changes and disables products with SKUs', async () => {
        const added = await admin('POST', '/admin/products', {
          title: 'Traffic 10 GB',
          product_type: 9,
          price: 12.5,
          unit_gb: 10,
          unit_days: 30,
        });
        assert.equal(added.code, 200);
        assert.deepEqual(
          { ...added.data, id: 0 },
          {
            id: 0,
            title: 'Traffic 10 GB',
            description: '',
            product_type: 9,
            price: 12.5,
            unit_bytes: 10 * 1024 ** 3,
            unit_days: 30,
            enabled: true,
            orderable: true,
            skus: [],
            created_at: '2026-03-01T00:00:00Z',
          },
        );
        const bad = await admin('POST', '/admin/products', { title: 'x', product_type: 12, price: '1', unit_days: 3 }, 400);
        assert.equal(bad.code, 400);
        assert.ok(bad.errors?.unit_bytes);
        const both = await admin(
          'POST',
          '/admin/products',
          { title: 'x', product_type: 9, price: 1, unit_gb: 1, unit_bytes: 5, unit_days: 1 },
          400,
        );
        assert.ok(both.errors?.unit_gb);
        const unknownType = await admin('POST', '/admin/products', { title: 'x', product_type: 10, price: 1 }, 400);
        assert.equal(unknownType.code, 400);

        const timed = await admin('POST', '/admin/products', {
          title: 'Timed',
          product_type: 11,
          price: '0',
          unit_days: 30,
          skus: [{ kind: 'bandwidth', value: 100, price: '20.00', title: '100 Mbps' }],
        });
        assert.equal(timed.data.skus.length, 1);
        assert.deepEqual(
          { ...timed.data.skus[0], id: 0 },
          { id: 0, kind: 'bandwidth', title: '100 Mbps', value: 100, price: 20 },
        );
        const withSku = await admin('POST', `/admin/products/${timed.data.id}/skus`, {
          kind: 'concurrency',
          value: 50,
          price: 10,
        });
        const concurrency = withSku.data.skus.find((s: any) => s.kind === 'concurrency');
        assert.equal(concurrency.price, 10);
        const changed = await admin('PATCH', `/admin/products/${timed.data.id}/skus/${concurrency.id}`, { price: '12.34' });
        assert.equal(changed.data.skus.find((s: any) => s.id === concurrency.id).price, 12.34);
        const removed = await adminDelete(`/admin/products/${timed.data.id}/skus/${concurrency.id}`);
        assert.equal(removed.data.skus.length, 1);
        const gone = await adminDelete(`/admin/products/${timed.data.id}/skus/${concurrency.id}`, 400);
        assert.equal(gone.code, 7020);
        const notTimed = await admin(
          'POST',
          `/admin/products/${added.data.id}/skus`,
          { kind: 'bandwidth', value: 1, price: 1 },
          400,
        );
        assert.equal(notTimed.code, 7020);

        // A documented type nothing on the platform serves is refused by its own code, and nothing is written.
        const unserved = await admin('POST', '/admin/products', { title: 'SERP', product_type: 27, price: 1 }, 400);
        assert.equal(unserved.code, 7002);
        assert.match(unserved.msg, /27/);
        const retyped = await admin('PATCH', `/admin/products/${added.data.id}`, { product_type: 13 }, 400);
        assert.equal(retyped.code, 7002);

        const list = await admin('GET', '/admin/products');
        assert.deepEqual(
          list.data.list.map((p: any) => p.title),
          ['Traffic 10 GB', 'Timed'],
        );
        const shown = await admin('GET', `/admin/products/${added.data.id}`);
        assert.deepEqual(shown.data, added.data);
        const patched = await admin('PATCH', `/admin/products/${added.data.id}`, { price: '9.99', unit_gb: 0.5 });
        assert.equal(patched.data.price, 9.99);
        assert.equal(patched.data.unit_bytes, 512 * 1024 ** 2);
        const disabled = await admin('POST', `/admin/products/${added.data.id}/disable`);
        assert.equal(disabled.data.enabled, false);
        const missing = await admin('GET', '/admin/products/999999', undefined, 404);
        assert.equal(missing.code, 7001);
      });

      it('adds payment methods showing the secret once, lists, changes and rotates them', async () => {
        const added = await admin('POST', '/admin/payment-methods', {
          kind: 'external',
          title: 'Card',
          pay_url: 'https://pay.example.com/?o={trade_no}&a={amount}',
          min: '1',
          max: 100,
        });
        assert.equal(added.code, 200);
        const secret: string = added.data.secret;
        assert.match(secret, /^[A-Za-z0-9]{32}$/);
        assert.equal(added.data.payment_method.has_secret, true);
        assert.equal(added.data.payment_method.min, 1);
        assert.equal(added.data.payment_method.max, 100);
        const list = await admin('GET', '/admin/payment-methods');
        assert.deepEqual(
          list.data.list.map((m: any) => m.kind),
          ['balance', 'external'],
        );
        assert.doesNotMatch(JSON.stringify(list), new RegExp(secret));
        const id = added.data.payment_method.id;
        const shown = await admin('GET', `/admin/payment-methods/${id}`);
        assert.doesNotMatch(JSON.stringify(shown), new RegExp(secret));
        const patched = await admin('PATCH', `/admin/payment-methods/${id}`, { disabled: true, sort: 3, max: 0 });
        assert.equal(patched.data.disabled, true);
        assert.equal(patched.data.max, 0);
        const rotated = await admin('POST', `/admin/payment-methods/${id}/rotate-secret`);
        assert.notEqual(rotated.data.secret, secret);
        assert.equal((await tp.platform.services.paymentMethods.get(id)).secret, rotated.data.secret);
        const chosen = await admin('POST', `/admin/payment-methods/${id}/rotate-secret`, { secret: 'my-own-secret-123456' });
        assert.equal(chosen.data.secret, 'my-own-secret-123456');

        const manual = await admin('POST', '/admin/payment-methods', { kind: 'manual', title: 'Bank' });
        assert.equal(manual.data.secret, null);
        const noUrl = await admin('POST', '/admin/payment-methods', { kind: 'external', title: 'x' }, 400);
        assert.ok(noUrl.errors?.pay_url);
        const balance = await admin('POST', '/admin/payment-methods', { kind: 'balance', title: 'x' }, 400);
        assert.equal(balance.code, 400);
        const unknown = await admin('PATCH', '/admin/payment-methods/999999', { sort: 1 }, 404);
        assert.equal(unknown.code, 7003);
      });

      it('adds coupons (the documents’ Coupon), lists, changes and disables them', async () => {
        const product = await tp.platform.services.products.add({ title: 'p', productType: 14, price: 1, unitDays: 1 });
        const added = await admin('POST', '/admin/coupons', {
          code: 'SPRING',
          name: 'Spring',
          kind: 'percent',
          discount: 12.5,
          expire_time: '2026-04-01 00:00:00',
          min_fee: '10',
          product_ids: [product.id],
          max_uses: 5,
        });
        assert.equal(added.code, 200, JSON.stringify(added));
        assert.deepEqual(
          { ...added.data, id: 0 },
          {
            id: 0,
            name: 'Spring',
            code: 'SPRING',
            kind: 'percent',
            discount: 12.5,
            expire_time: '2026-04-01T00:00:00Z',
            min_fee: 10,
            product_ids: [product.id],
            max_uses: 5,
            used_count: 0,
            enabled: true,
            created_at: '2026-03-01T00:00:00Z',
          },
        );
        const dup = await admin(
          'POST',
          '/admin/coupons',
          { code: 'SPRING', kind: 'amount', discount: 1, expire_time: '2026-04-01T00:00:00+08:00' },
          409,
        );
        assert.equal(dup.code, 7016);
        const badTime = await admin(
          'POST',
          '/admin/coupons',
          { code: 'X', kind: 'amount', discount: 1, expire_time: 'tomorrow' },
          400,
        );
        assert.ok(badTime.errors?.expire_time);
        const noProduct = await admin(
          'POST',
          '/admin/coupons',
          { code: 'Y', kind: 'amount', discount: 1, expire_time: '2026-04-01', product_ids: [999999] },
          404,
        );
        assert.equal(noProduct.code, 7001);
        const patched = await admin('PATCH', `/admin/coupons/${added.data.id}`, {
          enabled: false,
          discount: '20',
          expire_time: '2026-05-01T08:00:00+08:00',
        });
        assert.equal(patched.data.enabled, false);
        assert.equal(patched.data.discount, 20);
        assert.equal(patched.data.expire_time, '2026-05-01T00:00:00Z');
        const list = await admin('GET', '/admin/coupons');
        assert.deepEqual(
          list.data.list.map((c: any) => c.code),
          ['SPRING'],
        );
        assert.equal((await admin('GET', `/admin/coupons/${added.data.id}`)).data.code, 'SPRING');
        assert.equal((await admin('GET', '/admin/coupons/999999', undefined, 404)).code, 7017);
      });

      it('adds, lists, changes and removes gift tiers', async () => {
        const added = await admin('POST', '/admin/gift-tiers', { amount: 100, ratio: 1.2 });
        assert.deepEqual({ ...added.data, id: 0 }, { id: 0, amount: 100, ratio: 1.2, created_at: '2026-03-01T00:00:00Z' });
        const dup = await admin('POST', '/admin/gift-tiers', { amount: '100.00', ratio: '1.5' }, 409);
        assert.equal(dup.code, 7018);
        const bad = await admin('POST', '/admin/gift-tiers', { amount: 50, ratio: '0.5' }, 400);
        assert.ok(bad.errors?.ratio);
        await admin('POST', '/admin/gift-tiers', { amount: '50', ratio: '1.1' });
        const list = await admin('GET', '/admin/gift-tiers');
        assert.deepEqual(
          list.data.list.map((t: any) => [t.amount, t.ratio]),
          [
            [50, 1.1],
            [100, 1.2],
          ],
        );
        const patched = await admin('PATCH', `/admin/gift-tiers/${added.data.id}`, { ratio: 1.25 });
        assert.equal(patched.data.ratio, 1.25);
        const removed = await adminDelete(`/admin/gift-tiers/${added.data.id}`);
        assert.equal(removed.data, null);
        const again = await adminDelete(`/admin/gift-tiers/${added.data.id}`, 404);
        assert.equal(again.code, 7019);
      });
    });
  });
}
