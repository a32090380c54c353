/**
 * `tollgate products|payments|coupons|gifts …` in process: the commands registered on a Commander program,
 * opening a real platform of every dialect, printing into an array.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Command, InvalidArgumentError } from 'commander';
import { registerBillingCommands } from '../src/cli/billing.js';
import { AppError } from '../src/errors/index.js';
import { dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const T0 = Date.UTC(2026, 2, 1, 0, 0, 0);
const GB = 1024 ** 3;

for (const dialect of dialects()) {
  describe(`tollgate billing catalogue commands on ${dialect}`, () => {
    let tp: TestPlatform;
    let lines: string[] = [];

    const tollgate = async (...args: string[]): Promise<string[]> => {
      lines = [];
      const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
      registerBillingCommands(
        program,
        (fn) => {
          const { products, paymentMethods, coupons, giftTiers } = tp.platform.services;
          return fn({ products, paymentMethods, coupons, giftTiers, time: tp.platform.time });
        },
        (line) => lines.push(line),
      );
      await program.parseAsync(['node', 'tollgate', ...args]);
      return lines;
    };

    const fails = async (args: string[], pattern: RegExp) => {
      await assert.rejects(tollgate(...args), (err: unknown) => {
        assert.ok(err instanceof InvalidArgumentError || err instanceof AppError || err instanceof Error, String(err));
        assert.match((err as Error).message, pattern);
        return true;
      });
    };

    before(async () => {
      tp = await startTestPlatform(dialect, {}, { now: () => T0 });
    });
    after(() => tp.close());
    beforeEach(async () => {
      const db = tp.platform.storage.db;
      await db.deleteFrom('coupons').execute();
      await db.deleteFrom('gift_tiers').execute();
      await db.deleteFrom('product_skus').execute();
      await db.deleteFrom('products').execute();
      await db.deleteFrom('payment_methods').where('kind', '!=', 'balance').execute();
    });

    it('products add, list, update and disable', async () => {
      const [added] = await tollgate(
        'products',
        'add',
        '--title',
        'Traffic 10 GB',
        '--type',
        '9',
        '--price',
        '12.50',
        '--gb',
        '10',
        '--days',
        '30',
      );
      assert.match(added ?? '', /^added product (\d+) "Traffic 10 GB" \(type 9, 12\.50 per unit of 10 GB, 30 days\)$/);
      const id = /product (\d+)/.exec(added ?? '')?.[1] ?? '';
      const [json] = await tollgate(
        'products',
        'add',
        '--title',
        'Timed',
        '--type',
        '11',
        '--price',
        '0',
        '--days',
        '30',
        '--sku',
        'bandwidth:100:20:100 Mbps',
        '--sku',
        'concurrency:50:10',
        '--json',
      );
      const timed = JSON.parse(json ?? '{}');
      assert.deepEqual(
        timed.skus.map((s: any) => [s.kind, s.value, s.price, s.title]),
        [
          ['bandwidth', 100, 20, '100 Mbps'],
          ['concurrency', 50, 10, ''],
        ],
      );
      const [listed] = await tollgate('products', 'list', '--json');
      const list = JSON.parse(listed ?? '[]');
      assert.deepEqual(
        list.map((p: any) => [p.title, p.product_type, p.unit_bytes]),
        [
          ['Traffic 10 GB', 9, 10 * GB],
          ['Timed', 11, 0],
        ],
      );
      const table = await tollgate('products', 'list');
      assert.match(table[0] ?? '', /^id\s+title\s+type\s+price\s+gb\s+days\s+skus\s+enabled\s+orderable$/);
      assert.equal(table.length, 3);
      const [updated] = await tollgate('products', 'update', id, '--price', '9.99', '--gb', '0.5', '--json');
      assert.equal(JSON.parse(updated ?? '{}').price, 9.99);
      assert.equal(JSON.parse(updated ?? '{}').unit_bytes, GB / 2);
      const [disabled] = await tollgate('products', 'disable', id);
      assert.match(disabled ?? '', /^disabled product \d+ .*; disabled\)$/);
      await fails(
        ['products', 'add', '--title', 'x', '--type', '12', '--price', '1', '--days', '3'],
        /--gb\/--bytes must be greater than 0/,
      );
      await fails(['products', 'add', '--title', 'x', '--type', '9', '--gb', '1', '--days', '3'], /--price is required/);
      await fails(
        ['products', 'add', '--title', 'x', '--type', '11', '--price', '1', '--days', '3', '--sku', 'speed:1:1'],
        /kind:value:price/,
      );
      await fails(['products', 'disable', '999999'], /No such product: 999999/);
      // A documented type nothing on the platform serves: refused by its own code (7002), nothing written.
      await assert.rejects(
        tollgate('products', 'add', '--title', 'x', '--type', '13', '--price', '1', '--days', '3'),
        (err: unknown) => err instanceof AppError && err.code === 7002 && /type 13 is not served/.test(err.message),
      );
      assert.equal((await tp.platform.services.products.list()).length, 2);
    });

    it('payments add (the secret printed once), list, update and rotate-secret', async () => {
      const out = await tollgate(
        'payments',
        'add',
        '--kind',
        'external',
        '--title',
        'Card',
        '--pay-url',
        'https://pay.example.com/?o={trade_no}&a={amount}',
        '--min',
        '10',
        '--max',
        '5000',
      );
      assert.match(out[0] ?? '', /^added payment method (\d+) "Card" \(external, group online, 10\.00-5000\.00\)$/);
      const secret = /^signing secret: ([A-Za-z0-9]{32})$/.exec(out[1] ?? '')?.[1];
      assert.ok(secret, out.join('\n'));
      const id = Number(/method (\d+)/.exec(out[0] ?? '')?.[1]);
      assert.equal((await tp.platform.services.paymentMethods.get(id)).secret, secret);
      const [json] = await tollgate('payments', 'add', '--kind', 'manual', '--title', 'Bank', '--json');
      assert.equal(JSON.parse(json ?? '{}').secret, null);
      const [listed] = await tollgate('payments', 'list', '--json');
      assert.deepEqual(
        JSON.parse(listed ?? '[]').map((m: any) => m.title),
        ['余额', 'Card', 'Bank'],
      );
      assert.doesNotMatch(listed ?? '', new RegExp(secret ?? 'x'));
      const [updated] = await tollgate('payments', 'update', String(id), '--disable', '--sort', '-1');
      assert.match(updated ?? '', /^updated payment method \d+ "Card" \(external, group online, 10\.00-5000\.00, disabled\)$/);
      const [rotated] = await tollgate('payments', 'rotate-secret', String(id), '--json');
      const next = JSON.parse(rotated ?? '{}').secret;
      assert.notEqual(next, secret);
      assert.equal((await tp.platform.services.paymentMethods.get(id)).secret, next);
      await fails(['payments', 'add', '--kind', 'external', '--title', 'x'], /--pay-url is required/);
      await fails(
        ['payments', 'update', String(id), '--min', '10', '--max', '5'],
        /--max must be 0 \(no limit\) or at least min/,
      );
    });

    it('coupons add, list and disable', async () => {
      const [added] = await tollgate(
        'coupons',
        'add',
        '--code',
        'SPRING',
        '--kind',
        'percent',
        '--discount',
        '12.5',
        '--expires',
        '2026-04-01 00:00:00',
        '--max-uses',
        '3',
      );
      assert.match(added ?? '', /^added coupon \d+ SPRING \(12\.5% off, until 2026-04-01 00:00:00, 0\/3 used\)$/);
      const [json] = await tollgate(
        'coupons',
        'add',
        '--code',
        'TEN',
        '--kind',
        'amount',
        '--discount',
        '10',
        '--expires',
        '2026-04-01T00:00:00Z',
        '--json',
      );
      assert.equal(JSON.parse(json ?? '{}').discount, 10);
      const [listed] = await tollgate('coupons', 'list', '--json');
      assert.deepEqual(
        JSON.parse(listed ?? '[]').map((c: any) => c.code),
        ['SPRING', 'TEN'],
      );
      const id = /coupon (\d+)/.exec(added ?? '')?.[1] ?? '';
      const [disabled] = await tollgate('coupons', 'disable', id);
      assert.match(disabled ?? '', /, disabled\)$/);
      await fails(
        ['coupons', 'add', '--code', 'X', '--kind', 'percent', '--discount', '150', '--expires', '2026-04-01'],
        /--discount/,
      );
      await fails(['coupons', 'add', '--code', 'X', '--kind', 'percent', '--discount', '5', '--expires', 'soon'], /--expires/);
      await fails(
        ['coupons', 'add', '--code', 'TEN', '--kind', 'amount', '--discount', '5', '--expires', '2026-04-01'],
        /already exists: TEN/,
      );
    });

    it('gifts add, list and remove', async () => {
      const [added] = await tollgate('gifts', 'add', '--amount', '100', '--ratio', '1.2');
      assert.match(added ?? '', /^added gift tier (\d+): from 100\.00 credit ×1\.2$/);
      await tollgate('gifts', 'add', '--amount', '50', '--ratio', '1.1');
      const [listed] = await tollgate('gifts', 'list', '--json');
      assert.deepEqual(
        JSON.parse(listed ?? '[]').map((t: any) => [t.amount, t.ratio]),
        [
          [50, 1.1],
          [100, 1.2],
        ],
      );
      const id = /tier (\d+)/.exec(added ?? '')?.[1] ?? '';
      assert.deepEqual(await tollgate('gifts', 'remove', id), [`removed gift tier ${id}`]);
      await fails(['gifts', 'remove', id], /No such gift tier/);
      await fails(['gifts', 'add', '--amount', '10', '--ratio', 'x'], /--ratio/);
      assert.deepEqual(await tollgate('gifts', 'list'), [
        'gift tier ' + (await tp.platform.services.giftTiers.list())[0]?.id + ': from 50.00 credit ×1.1',
      ]);
    });
  });
}
