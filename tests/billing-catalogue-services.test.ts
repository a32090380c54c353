/**
 * The billing catalogue's services on real databases: product rules, payment methods and their secrets,
 * coupon rules and reservations, gift tiers.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { SecretBox } from '../src/accounts/index.js';
import { amountInRange, fillPayUrl, mayPayFor } from '../src/billing/catalogue/index.js';
import { AppError } from '../src/errors/index.js';
import { dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const T0 = Date.UTC(2026, 2, 1, 0, 0, 0);
const DAY = 86_400_000;
const GB = 1024 ** 3;

/** Asserts `promise` rejects with the AppError `key`, and returns it. */
async function rejectsWith(promise: Promise<unknown>, key: string): Promise<AppError> {
  let caught: unknown;
  await assert.rejects(promise, (err: unknown) => {
    caught = err;
    return err instanceof AppError && err.key === key;
  });
  return caught as AppError;
}

async function invalid(promise: Promise<unknown>, field: string, pattern?: RegExp): Promise<void> {
  const err = await rejectsWith(promise, 'TG_ERR_PARAM_INVALID');
  assert.ok(err.errors?.[field], `expected an error on ${field}, got ${JSON.stringify(err.errors)}`);
  if (pattern) assert.match(err.errors[field] ?? '', pattern);
}

for (const dialect of dialects()) {
  describe(`billing catalogue services on ${dialect}`, () => {
    let tp: TestPlatform;
    let clock = T0;
    const db = () => tp.platform.storage.db;
    const s = () => tp.platform.services;

    before(async () => {
      tp = await startTestPlatform(dialect, {}, { now: () => clock });
    });
    after(() => tp.close());
    beforeEach(async () => {
      clock = T0;
      await db().deleteFrom('coupons').execute();
      await db().deleteFrom('gift_tiers').execute();
      await db().deleteFrom('product_skus').execute();
      await db().deleteFrom('products').execute();
      await db().deleteFrom('payment_methods').where('kind', '!=', 'balance').execute();
    });

    describe('products', () => {
      it('adds a traffic product with its units and reads it back', async () => {
        const p = await s().products.add({
          title: ' 10 GB ',
          productType: 9,
          price: '12.50',
          unitBytes: 10 * GB,
          unitDays: 30,
          description: 'residential',
        });
        assert.equal(p.title, '10 GB');
        assert.equal(p.unitPriceCents, 1250);
        assert.equal(p.unitBytes, 10 * GB);
        assert.equal(p.unitDays, 30);
        assert.equal(p.enabled, true);
        assert.equal(p.orderable, true);
        assert.deepEqual(await s().products.get(p.id), p);
        assert.deepEqual(
          (await s().products.list()).map((x) => x.id),
          [p.id],
        );
      });

      it('requires traffic and days for 9 and 12', async () => {
        for (const productType of [9, 12]) {
          await invalid(s().products.add({ title: 't', productType, price: 1, unitDays: 30 }), 'unit_bytes', /greater than 0/);
          await invalid(s().products.add({ title: 't', productType, price: 1, unitBytes: GB }), 'unit_days', /greater than 0/);
        }
      });

      it('requires days for 11, 14, 19 and 25, and a price above 0 for 14, 19 and 25', async () => {
        for (const productType of [11, 14, 19, 25]) {
          await invalid(s().products.add({ title: 't', productType, price: 1 }), 'unit_days');
        }
        for (const productType of [14, 19, 25]) {
          await invalid(s().products.add({ title: 't', productType, price: 0, unitDays: 30 }), 'price', /greater than 0/);
        }
        // Type 11 may be priced by its SKUs alone.
        const p = await s().products.add({ title: 't', productType: 11, price: 0, unitDays: 30 });
        assert.equal(p.unitPriceCents, 0);
      });

      it('takes no price or units for 3 and 26, and requires a price for the others', async () => {
        for (const productType of [3, 26]) {
          const p = await s().products.add({ title: 'top-up', productType });
          assert.equal(p.unitPriceCents, 0);
          assert.equal(p.orderable, true);
          await invalid(s().products.add({ title: 't', productType, price: 5 }), 'price', /recharge_amount/);
          await invalid(s().products.add({ title: 't', productType, unitDays: 5 }), 'unit_days');
        }
        await invalid(s().products.add({ title: 't', productType: 9, unitBytes: GB, unitDays: 1 }), 'price', /required/);
      });

      it('refuses unknown types, bad prices, titles and ranges, changing nothing', async () => {
        await invalid(s().products.add({ title: 't', productType: 10, price: 1 }), 'product_type');
        await invalid(s().products.add({ title: 't', productType: 14, price: '1.234', unitDays: 1 }), 'price', /2 decimals/);
        await invalid(s().products.add({ title: 't', productType: 14, price: -1, unitDays: 1 }), 'price');
        await invalid(s().products.add({ title: '  ', productType: 14, price: 1, unitDays: 1 }), 'title');
        await invalid(s().products.add({ title: 'a\u0007', productType: 14, price: 1, unitDays: 1 }), 'title');
        await invalid(s().products.add({ title: 't', productType: 14, price: 1, unitDays: 3651 }), 'unit_days');
        await invalid(s().products.add({ title: 't', productType: 9, price: 1, unitDays: 1, unitBytes: 1.5 }), 'unit_bytes');
        assert.deepEqual(await s().products.list(), []);
      });

      it('refuses products of the types nothing serves (7002) and writes nothing', async () => {
        const before = (await s().products.list()).length;
        for (const productType of [13, 15, 16, 17, 18, 20, 21, 24, 27, 28]) {
          await assert.rejects(
            s().products.add({ title: `type ${productType}`, productType, price: 1 }),
            (err: unknown) => err instanceof AppError && err.key === 'TG_ERR_PRODUCT_NOT_ORDERABLE' && err.code === 7002,
            `type ${productType}`,
          );
        }
        assert.equal((await s().products.list()).length, before);
        const p = await s().products.add({ title: 'p', productType: 9, price: 1, unitBytes: 1, unitDays: 1 });
        await assert.rejects(s().products.update(p.id, { productType: 28 }), /not served/);
        assert.equal((await s().products.get(p.id)).productType, 9);
      });

      it('updates given fields, checking the product as it would be stored', async () => {
        const p = await s().products.add({ title: 'p', productType: 14, price: 3, unitDays: 30 });
        clock += 1000;
        const u = await s().products.update(p.id, { title: 'renamed', price: '4.05' });
        assert.equal(u.title, 'renamed');
        assert.equal(u.unitPriceCents, 405);
        assert.equal(u.unitDays, 30);
        assert.equal(u.updatedAt, T0 + 1000);
        // Becoming a traffic product needs traffic.
        await invalid(s().products.update(p.id, { productType: 9 }), 'unit_bytes');
        assert.equal((await s().products.get(p.id)).productType, 14);
        const t = await s().products.update(p.id, { productType: 9, unitBytes: GB });
        assert.equal(t.productType, 9);
        const d = await s().products.setEnabled(p.id, false);
        assert.equal(d.enabled, false);
        await rejectsWith(s().products.update(999_999, { title: 'x' }), 'TG_ERR_PRODUCT_NOT_FOUND');
        const err = await rejectsWith(s().products.get(999_999), 'TG_ERR_PRODUCT_NOT_FOUND');
        assert.match(err.message, /999999/);
      });

      it('keeps SKUs to type 11: added, ordered, changed and removed', async () => {
        const p = await s().products.add({
          title: 'timed',
          productType: 11,
          price: 0,
          unitDays: 30,
          skus: [
            { kind: 'concurrency', value: 50, price: '10' },
            { kind: 'bandwidth', value: 100, price: 20, title: '100 Mbps' },
            { kind: 'bandwidth', value: 10, price: 5 },
          ],
        });
        assert.deepEqual(
          p.skus.map((x) => [x.kind, x.value, x.priceCents, x.title]),
          [
            ['bandwidth', 10, 500, ''],
            ['bandwidth', 100, 2000, '100 Mbps'],
            ['concurrency', 50, 1000, ''],
          ],
        );
        const added = await s().products.addSku(p.id, { kind: 'concurrency', value: 200, price: '30.5' });
        const sku = added.skus.find((x) => x.value === 200);
        assert.equal(sku?.priceCents, 3050);
        const changed = await s().products.updateSku(p.id, sku?.id ?? 0, { price: 31 });
        assert.equal(changed.skus.find((x) => x.id === sku?.id)?.priceCents, 3100);
        const removed = await s().products.removeSku(p.id, sku?.id ?? 0);
        assert.equal(removed.skus.length, 3);
        await rejectsWith(s().products.removeSku(p.id, sku?.id ?? 0), 'TG_ERR_SKU_INVALID');
        await invalid(s().products.addSku(p.id, { kind: 'speed', value: 1, price: 1 }), 'kind');
        await invalid(s().products.addSku(p.id, { kind: 'bandwidth', value: 0, price: 1 }), 'value');
        // Not while it has SKUs: another type.
        await rejectsWith(s().products.update(p.id, { productType: 14, price: 1 }), 'TG_ERR_SKU_INVALID');

        const other = await s().products.add({ title: 'static', productType: 14, price: 1, unitDays: 30 });
        await rejectsWith(s().products.addSku(other.id, { kind: 'bandwidth', value: 1, price: 1 }), 'TG_ERR_SKU_INVALID');
        await rejectsWith(
          s().products.add({
            title: 'x',
            productType: 14,
            price: 1,
            unitDays: 1,
            skus: [{ kind: 'bandwidth', value: 1, price: 1 }],
          }),
          'TG_ERR_SKU_INVALID',
        );
        await invalid(
          s().products.add({
            title: 'x',
            productType: 11,
            price: 1,
            unitDays: 1,
            skus: [{ kind: 'bandwidth', value: 1, price: 'x' }],
          }),
          'skus[0].price',
        );
        assert.equal((await s().products.list()).length, 2);
      });
    });

    describe('payment methods', () => {
      it('has exactly one balance method, created on first need', async () => {
        const before = await s().paymentMethods.list();
        const balance = before.filter((m) => m.kind === 'balance');
        assert.equal(balance.length, 1);
        assert.equal(balance[0]?.title, '余额');
        assert.equal(balance[0]?.group, 'balance');
        assert.equal(balance[0]?.secret, undefined);
        assert.equal((await s().paymentMethods.ensureBalanceMethod()).id, balance[0]?.id);
        assert.equal((await s().paymentMethods.list('en')).find((m) => m.kind === 'balance')?.title, 'Balance');
        const rows = await db().selectFrom('payment_methods').select('id').where('kind', '=', 'balance').execute();
        assert.equal(rows.length, 1);
      });

      it('adds an external method with a generated secret, stored encrypted', async () => {
        const { method, secret } = await s().paymentMethods.add({
          kind: 'external',
          title: 'Card',
          payUrl: 'https://pay.example.com/c?o={trade_no}&a={amount}',
          min: '10',
          max: 5000,
        });
        assert.match(secret ?? '', /^[A-Za-z0-9]{32}$/);
        assert.equal(method.group, 'online');
        assert.equal(method.minCents, 1000);
        assert.equal(method.maxCents, 500_000);
        const got = await s().paymentMethods.get(method.id);
        assert.equal(got.secret, secret);
        assert.equal(got.kind, 'external');
        const row = await db()
          .selectFrom('payment_methods')
          .select('secret_enc')
          .where('id', '=', method.id)
          .executeTakeFirstOrThrow();
        assert.ok(!row.secret_enc.includes(secret ?? '-'), 'stored in plain text');
        const box = new SecretBox(tp.platform.config.secret, 'payment-secret');
        assert.equal(box.decrypt(row.secret_enc), secret);
        assert.equal(fillPayUrl(got.payUrl, '2026 1', 1250), 'https://pay.example.com/c?o=2026%201&a=12.50');
      });

      it('takes a given secret, rotates it, and refuses secrets where there are none', async () => {
        const { method, secret } = await s().paymentMethods.add({
          kind: 'external',
          title: 'Crypto',
          payUrl: 'https://pay.example.com/{trade_no}',
          secret: 'a-given-secret-0123456789',
        });
        assert.equal(secret, 'a-given-secret-0123456789');
        const rotated = await s().paymentMethods.rotateSecret(method.id);
        assert.notEqual(rotated.secret, secret);
        assert.equal((await s().paymentMethods.get(method.id)).secret, rotated.secret);
        const chosen = await s().paymentMethods.rotateSecret(method.id, 'another-secret-abcdefgh');
        assert.equal((await s().paymentMethods.get(method.id)).secret, chosen.secret);
        await invalid(s().paymentMethods.rotateSecret(method.id, 'short'), 'secret');
        const manual = await s().paymentMethods.add({ kind: 'manual', title: 'Bank transfer' });
        assert.equal(manual.secret, undefined);
        assert.equal(manual.method.group, 'offline');
        await invalid(s().paymentMethods.rotateSecret(manual.method.id), 'kind');
        await invalid(s().paymentMethods.add({ kind: 'manual', title: 'x', secret: 'abcdefghijklmnopq' }), 'secret');
        await rejectsWith(s().paymentMethods.rotateSecret(999_999), 'TG_ERR_PAYMENT_METHOD_NOT_FOUND');
      });

      it('validates kinds, URLs, bounds and groups', async () => {
        await invalid(s().paymentMethods.add({ kind: 'balance', title: 'b' }), 'kind', /built in/);
        await invalid(s().paymentMethods.add({ kind: 'cash', title: 'b' }), 'kind');
        await invalid(s().paymentMethods.add({ kind: 'external', title: 'x' }), 'pay_url', /required/);
        await invalid(
          s().paymentMethods.add({ kind: 'external', title: 'x', payUrl: 'https://p.example.com/' }),
          'pay_url',
          /trade_no/,
        );
        await invalid(
          s().paymentMethods.add({ kind: 'external', title: 'x', payUrl: 'ftp://p.example.com/{trade_no}' }),
          'pay_url',
        );
        await invalid(s().paymentMethods.add({ kind: 'manual', title: 'x', min: 10, max: 5 }), 'max');
        await invalid(s().paymentMethods.add({ kind: 'manual', title: 'x', min: '1.001' }), 'min');
        await invalid(s().paymentMethods.add({ kind: 'manual', title: 'x', group: 'a b' }), 'group');
        await invalid(s().paymentMethods.add({ kind: 'manual', title: 'x', logo: 'not a url' }), 'logo');
        const listed = await s().paymentMethods.list();
        assert.deepEqual(
          listed.map((m) => m.kind),
          ['balance'],
        );
      });

      it('updates methods; the balance method keeps its group and has no pay URL', async () => {
        const balance = await s().paymentMethods.ensureBalanceMethod();
        const b = await s().paymentMethods.update(balance.id, { min: 1, max: 100, sort: -1, title: 'Wallet' });
        assert.equal(b.title, 'Wallet');
        assert.equal(b.minCents, 100);
        await invalid(s().paymentMethods.update(balance.id, { group: 'online' }), 'group');
        await invalid(s().paymentMethods.update(balance.id, { payUrl: 'https://x.example.com/{trade_no}' }), 'pay_url');
        await invalid(s().paymentMethods.update(balance.id, { max: '0.5' }), 'max');
        const reset = await s().paymentMethods.update(balance.id, { title: '', min: 0, max: 0, sort: 0 });
        assert.equal(reset.title, '余额');
        const { method } = await s().paymentMethods.add({ kind: 'manual', title: 'Bank' });
        const d = await s().paymentMethods.update(method.id, { disabled: true, title: 'Bank (SWIFT)' });
        assert.equal(d.disabled, true);
        assert.equal(d.title, 'Bank (SWIFT)');
        await invalid(s().paymentMethods.update(method.id, { title: '' }), 'title');
        await rejectsWith(s().paymentMethods.update(999_999, { sort: 1 }), 'TG_ERR_PAYMENT_METHOD_NOT_FOUND');
        await rejectsWith(s().paymentMethods.get(999_999), 'TG_ERR_PAYMENT_METHOD_NOT_FOUND');
      });

      it('says which methods may pay what', () => {
        assert.equal(mayPayFor({ kind: 'balance' }, 3), false);
        assert.equal(mayPayFor({ kind: 'balance' }, 26), false);
        assert.equal(mayPayFor({ kind: 'balance' }, 9), true);
        assert.equal(mayPayFor({ kind: 'external' }, 3), true);
        assert.equal(amountInRange({ minCents: 100, maxCents: 0 }, 1_000_000), true);
        assert.equal(amountInRange({ minCents: 100, maxCents: 0 }, 99), false);
        assert.equal(amountInRange({ minCents: 100, maxCents: 500 }, 500), true);
        assert.equal(amountInRange({ minCents: 100, maxCents: 500 }, 501), false);
      });
    });

    describe('coupons', () => {
      const tx = <T>(fn: (trx: any) => Promise<T>) => db().transaction().execute(fn);

      it('gives a percent discount rounded half up, and an amount capped at the total', async () => {
        await s().coupons.add({ code: 'P125', kind: 'percent', discount: '12.5', expiresAt: T0 + DAY });
        await s().coupons.add({ code: 'A30', kind: 'amount', discount: 30, expiresAt: T0 + DAY });
        // 12.5 % of 0.99 = 0.12375 → 0.12; of 1.00 = 0.125 → 0.13 (half up).
        assert.equal(await tx((trx) => s().coupons.checkFor(trx, 'P125', 1, 99, T0)), 12);
        assert.equal(await tx((trx) => s().coupons.checkFor(trx, 'P125', 1, 100, T0)), 13);
        assert.equal(await tx((trx) => s().coupons.checkFor(trx, 'P125', 1, 10_000, T0)), 1250);
        assert.equal(await tx((trx) => s().coupons.checkFor(trx, 'A30', 1, 10_000, T0)), 3000);
        assert.equal(await tx((trx) => s().coupons.checkFor(trx, 'A30', 1, 1999, T0)), 1999);
        const found = await tx((trx) => s().coupons.check(trx, 'A30', 1, 5000, T0));
        assert.equal(found.coupon.code, 'A30');
        assert.equal(found.discountCents, 3000);
      });

      const reasonOf = async (code: string, productId: number, total: number, now = T0): Promise<string> => {
        const err = await rejectsWith(
          tx((trx) => s().coupons.checkFor(trx, code, productId, total, now)),
          'TG_ERR_COUPON_INVALID',
        );
        return String(err.params.reason);
      };

      it('rejects unknown, disabled, expired, used-up, other-product and below-minimum coupons', async () => {
        const p1 = await s().products.add({ title: 'a', productType: 14, price: 1, unitDays: 1 });
        const p2 = await s().products.add({ title: 'b', productType: 14, price: 1, unitDays: 1 });
        assert.equal(await reasonOf('NOPE', p1.id, 100), 'unknown');
        const off = await s().coupons.add({ code: 'OFF', kind: 'amount', discount: 1, expiresAt: T0 + DAY });
        await s().coupons.setEnabled(off.id, false);
        assert.equal(await reasonOf('OFF', p1.id, 100), 'disabled');
        await s().coupons.add({ code: 'OLD', kind: 'amount', discount: 1, expiresAt: T0 + DAY });
        assert.equal(await reasonOf('OLD', p1.id, 100, T0 + DAY), 'expired');
        assert.equal(await tx((trx) => s().coupons.checkFor(trx, 'OLD', p1.id, 100, T0 + DAY - 1)), 100);
        const once = await s().coupons.add({ code: 'ONCE', kind: 'amount', discount: 1, expiresAt: T0 + DAY, maxUses: 1 });
        assert.equal(await tx((trx) => s().coupons.reserve(trx, once.id)), true);
        assert.equal(await tx((trx) => s().coupons.reserve(trx, once.id)), false);
        assert.equal((await s().coupons.get(once.id)).usedCount, 1);
        assert.equal(await reasonOf('ONCE', p1.id, 100), 'used up');
        assert.equal(await tx((trx) => s().coupons.release(trx, once.id)), true);
        assert.equal(await tx((trx) => s().coupons.checkFor(trx, 'ONCE', p1.id, 100, T0)), 100);
        assert.equal(await tx((trx) => s().coupons.release(trx, once.id)), false);
        assert.equal((await s().coupons.get(once.id)).usedCount, 0);
        await s().coupons.add({ code: 'ONLY1', kind: 'percent', discount: 10, expiresAt: T0 + DAY, productIds: [p1.id] });
        assert.equal(await reasonOf('ONLY1', p2.id, 100), 'not for this product');
        assert.equal(await tx((trx) => s().coupons.checkFor(trx, 'ONLY1', p1.id, 100, T0)), 10);
        await s().coupons.add({ code: 'MIN', kind: 'amount', discount: 1, expiresAt: T0 + DAY, minFee: '50.00' });
        assert.equal(await reasonOf('MIN', p1.id, 4999), 'below minimum');
        assert.equal(await tx((trx) => s().coupons.checkFor(trx, 'MIN', p1.id, 5000, T0)), 100);
      });

      it('never lets concurrent reservations exceed max_uses', async () => {
        const c = await s().coupons.add({ code: 'RACE', kind: 'amount', discount: 1, expiresAt: T0 + DAY, maxUses: 3 });
        const results = await Promise.all(Array.from({ length: 10 }, () => tx((trx) => s().coupons.reserve(trx, c.id))));
        assert.equal(results.filter(Boolean).length, 3);
        assert.equal((await s().coupons.get(c.id)).usedCount, 3);
        const unlimited = await s().coupons.add({ code: 'MANY', kind: 'amount', discount: 1, expiresAt: T0 + DAY });
        for (let i = 0; i < 5; i++) assert.equal(await tx((trx) => s().coupons.reserve(trx, unlimited.id)), true);
        assert.equal((await s().coupons.get(unlimited.id)).usedCount, 5);
      });

      it('validates coupons and refuses a duplicate code', async () => {
        await invalid(s().coupons.add({ code: 'x y', kind: 'amount', discount: 1, expiresAt: T0 }), 'code');
        await invalid(s().coupons.add({ code: 'X', kind: 'gift', discount: 1, expiresAt: T0 }), 'kind');
        await invalid(s().coupons.add({ code: 'X', kind: 'percent', discount: 101, expiresAt: T0 }), 'discount');
        await invalid(s().coupons.add({ code: 'X', kind: 'percent', discount: 0, expiresAt: T0 }), 'discount');
        await invalid(s().coupons.add({ code: 'X', kind: 'amount', discount: '0.001', expiresAt: T0 }), 'discount');
        await invalid(s().coupons.add({ code: 'X', kind: 'amount', discount: 1, expiresAt: T0, maxUses: -1 }), 'max_uses');
        await rejectsWith(
          s().coupons.add({ code: 'X', kind: 'amount', discount: 1, expiresAt: T0, productIds: [999_999] }),
          'TG_ERR_PRODUCT_NOT_FOUND',
        );
        await s().coupons.add({ code: 'DUP', kind: 'amount', discount: 1, expiresAt: T0 });
        const err = await rejectsWith(
          s().coupons.add({ code: 'DUP', kind: 'percent', discount: 5, expiresAt: T0 }),
          'TG_ERR_COUPON_EXISTS',
        );
        assert.match(err.message, /DUP/);
        assert.deepEqual(
          (await s().coupons.list()).map((c) => c.code),
          ['DUP'],
        );
      });

      it('updates coupons', async () => {
        const c = await s().coupons.add({ code: 'UPD', kind: 'percent', discount: 10, expiresAt: T0 });
        const u = await s().coupons.update(c.id, { discount: '15.5', expiresAt: T0 + DAY, maxUses: 4, name: 'spring' });
        assert.equal(u.discountValue, 1550);
        assert.equal(u.expiresAt, T0 + DAY);
        assert.equal(u.maxUses, 4);
        assert.equal(u.name, 'spring');
        await invalid(s().coupons.update(c.id, { discount: 200 }), 'discount');
        await rejectsWith(s().coupons.update(999_999, { name: 'x' }), 'TG_ERR_COUPON_NOT_FOUND');
      });
    });

    describe('gift tiers', () => {
      it('picks the highest tier at or below the amount; ×1 below every tier', async () => {
        await s().giftTiers.add({ amount: 500, ratio: '1.3' });
        await s().giftTiers.add({ amount: '100', ratio: 1.2 });
        assert.equal(await s().giftTiers.ratioFor(9_999), 10_000);
        assert.equal(await s().giftTiers.ratioFor(10_000), 12_000);
        assert.equal(await s().giftTiers.ratioFor(30_000), 12_000);
        assert.equal(await s().giftTiers.ratioFor(49_999), 12_000);
        assert.equal(await s().giftTiers.ratioFor(50_000), 13_000);
        assert.equal(await s().giftTiers.ratioFor(10_000_000), 13_000);
        assert.deepEqual(
          (await s().giftTiers.list()).map((t) => [t.amountCents, t.ratioBp]),
          [
            [10_000, 12_000],
            [50_000, 13_000],
          ],
        );
      });

      it('validates tiers, one per amount; updates and removes them', async () => {
        await invalid(s().giftTiers.add({ amount: 0, ratio: 1.2 }), 'amount');
        await invalid(s().giftTiers.add({ amount: 100, ratio: 0.9 }), 'ratio');
        await invalid(s().giftTiers.add({ amount: 100, ratio: '1.23456' }), 'ratio');
        const t = await s().giftTiers.add({ amount: 100, ratio: 1 });
        await rejectsWith(s().giftTiers.add({ amount: '100.00', ratio: 2 }), 'TG_ERR_GIFT_TIER_EXISTS');
        assert.equal((await s().giftTiers.update(t.id, { ratio: '1.05' })).ratioBp, 10_500);
        await s().giftTiers.remove(t.id);
        await rejectsWith(s().giftTiers.remove(t.id), 'TG_ERR_GIFT_TIER_NOT_FOUND');
        assert.equal(await s().giftTiers.ratioFor(1_000_000), 10_000);
      });
    });
  });
}
