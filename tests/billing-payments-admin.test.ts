/**
 * The operator's side of payments on every dialect: GET /admin/orders, mark-paid for manual methods, refunds
 * (packages withdrawn, static IPs released, renewals taken back, balance credited back with both ledger rows),
 * static IP provisioning (all or nothing, renewals moving expiry), and `tollgate orders …`.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Command } from 'commander';
import { changeBalance, ledgerSum, settleOrder } from '../src/billing/index.js';
import { buildProvisioners } from '../src/billing/provisioners.js';
import { registerOrderCommands } from '../src/cli/orders.js';
import { AppError } from '../src/errors/index.js';
import { type Answer, call, createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';
import { addMethod, counts, deliverPaid, insertOrder, type Method, orderStatus } from './helpers/payments.js';

const DAY = 86_400_000;
const GB = 1024 ** 3;
const T0 = Date.UTC(2026, 2, 1, 0, 0, 0);

function assertCode(answer: Answer, code: number): void {
  assert.equal(answer.code, code, JSON.stringify(answer));
}

for (const dialect of dialects()) {
  describe(`payments admin on ${dialect}`, () => {
    let tp: TestPlatform;
    let clock = T0;
    let auth: Record<string, string>;
    let external: Method;
    let manual: Method;
    let balance: Method;
    let port = 30_000;

    before(async () => {
      tp = await startTestPlatform(dialect, {}, { now: () => clock });
      auth = { authorization: `Bearer ${tp.platform.config.adminToken}` };
      external = await addMethod(tp, 'external', 'Card');
      manual = await addMethod(tp, 'manual', 'Bank transfer');
      balance = await addMethod(tp, 'balance', 'Balance');
    });
    after(() => tp.close());
    beforeEach(async () => {
      clock = T0;
      await tp.platform.storage.db.deleteFrom('static_ip_allocations').execute();
      await tp.platform.storage.db.deleteFrom('static_ips').execute();
    });

    const admin = (
      method: 'GET' | 'POST',
      url: string,
      options: { query?: Record<string, string | number>; status?: number } = {},
    ) => call(tp.app, method, `/admin${url}`, { headers: auth, ...options });

    const addIps = async (country: string, productType: 14 | 25, n: number) => {
      for (let i = 0; i < n; i++) {
        await tp.platform.services.staticIps.add({ ip: '203.0.113.10', port: port++, country, productType });
      }
    };

    const allocations = (userId: number) =>
      tp.platform.storage.db
        .selectFrom('static_ip_allocations')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('id')
        .execute();

    const provisions = (orderId: number) =>
      tp.platform.storage.db.selectFrom('order_provisions').selectAll().where('order_id', '=', orderId).orderBy('id').execute();

    /** What order/create does for a balance payment: debit and settle in one transaction. */
    const payFromBalance = async (order: Awaited<ReturnType<typeof insertOrder>>) => {
      const { packages, staticIps } = tp.platform.services;
      const registry = buildProvisioners({ packages, staticIps });
      await tp.platform.storage.db.transaction().execute(async (trx) => {
        await changeBalance(trx, {
          userId: order.user_id,
          deltaCents: -order.pay_fee_cents,
          reason: 'order',
          orderId: order.id,
          now: clock,
        });
        assert.equal(await settleOrder(trx, order, registry, clock), true);
      });
    };

    describe('static IP provisioning', () => {
      it('allocates every ordered region for unit_days with the order’s trade_no, recorded per allocation', async () => {
        await addIps('US', 14, 3);
        await addIps('DE', 14, 1);
        await addIps('US', 25, 2);
        const user = await createUser(tp);
        const order = await insertOrder(tp, {
          userId: user.id,
          pmId: manual.id,
          productType: 14,
          payFeeCents: 3000,
          amount: 3,
          details: {
            regions: [
              { country: 'US', count: 2 },
              { country: 'DE', count: 1 },
            ],
            unitDays: 30,
          },
        });
        const paid = await admin('POST', `/orders/${order.id}/mark-paid`);
        assertCode(paid, 200);
        assert.equal(paid.data.status, 1);
        const list = await allocations(user.id);
        assert.equal(list.length, 3);
        for (const a of list) {
          assert.equal(a.trade_no, order.trade_no);
          assert.equal(Number(a.expires_at), T0 + 30 * DAY);
        }
        const ips = await tp.platform.storage.db
          .selectFrom('static_ips')
          .select(['id', 'country', 'product_type'])
          .where(
            'id',
            'in',
            list.map((a) => a.static_ip_id),
          )
          .execute();
        assert.deepEqual(ips.map((i) => `${i.country}/${i.product_type}`).sort(), ['DE/14', 'US/14', 'US/14']);
        const rows = await provisions(order.id);
        assert.deepEqual(
          rows.map((r) => [r.kind, Number(r.ref_id)]),
          list.map((a) => ['static', Number(a.id)]),
        );
        // The gateway's feed hears of each IP.
        const changes = await tp.platform.storage.db
          .selectFrom('change_log')
          .select('entity_id')
          .where('entity', '=', 'static_ip')
          .where('created_at', '=', T0)
          .execute();
        for (const a of list) assert.ok(changes.some((c) => Number(c.entity_id) === Number(a.static_ip_id)));
        // The customer finds them in ip/get-static-ip.
        const seen = await call(tp.app, 'GET', '/pub/ip/get-static-ip', {
          query: { app_key: user.appKey, trade_no: order.trade_no },
        });
        assertCode(seen, 200);
        assert.equal(seen.data.list.length, 3);
      });

      it('is all or nothing: a region short of IPs refuses the payment and allocates none', async () => {
        await addIps('US', 25, 2);
        await addIps('DE', 25, 1);
        const user = await createUser(tp);
        const order = await insertOrder(tp, {
          userId: user.id,
          pmId: manual.id,
          productType: 25,
          payFeeCents: 5000,
          amount: 4,
          details: {
            regions: [
              { country: 'US', count: 2 },
              { country: 'DE', count: 2 },
            ],
            unitDays: 7,
          },
        });
        const refused = await admin('POST', `/orders/${order.id}/mark-paid`, { status: 409 });
        assertCode(refused, 6404);
        assert.equal(await orderStatus(tp, order.id), 0);
        assert.equal((await allocations(user.id)).length, 0);
        assert.equal((await provisions(order.id)).length, 0);
        assert.deepEqual(await tp.platform.services.staticIps.regionCounts(25), [
          { country: 'DE', number: 1 },
          { country: 'US', number: 2 },
        ]);
      });

      it('renews allocations by renew_duration × unit_days, and a refund before it counts moves expiry back', async () => {
        await addIps('US', 14, 2);
        const user = await createUser(tp);
        const held = await tp.platform.services.staticIps.allocate({
          userId: user.id,
          country: 'US',
          productType: 14,
          count: 2,
          days: 10,
        });
        const upids = held.map((a) => a.id);
        const order = await insertOrder(tp, {
          userId: user.id,
          pmId: external.id,
          productType: 19,
          payFeeCents: 4000,
          details: { upids, renewDuration: 2, unitDays: 30 },
        });
        clock = T0 + DAY;
        const res = await deliverPaid(tp, external, order);
        assert.equal(res.statusCode, 200, res.body);
        for (const a of await allocations(user.id)) assert.equal(Number(a.expires_at), T0 + 70 * DAY);
        const rows = await provisions(order.id);
        assert.deepEqual(
          rows.map((r) => [r.kind, Number(r.ref_id), JSON.parse(r.detail).previousExpiresAt]),
          upids.map((id) => ['renewal', id, T0 + 10 * DAY]),
        );
        clock = T0 + 2 * DAY;
        assertCode(await admin('POST', `/orders/${order.id}/refund`), 200);
        for (const a of await allocations(user.id)) assert.equal(Number(a.expires_at), T0 + 10 * DAY);
        assert.equal(await orderStatus(tp, order.id), 3);
      });

      it('cuts a refunded renewal at now once it has started counting', async () => {
        await addIps('US', 14, 1);
        const user = await createUser(tp);
        const [held] = await tp.platform.services.staticIps.allocate({
          userId: user.id,
          country: 'US',
          productType: 14,
          count: 1,
          days: 5,
        });
        const order = await insertOrder(tp, {
          userId: user.id,
          pmId: manual.id,
          productType: 19,
          payFeeCents: 1000,
          details: { upids: [held!.id], renewDuration: 1, unitDays: 30 },
        });
        assertCode(await admin('POST', `/orders/${order.id}/mark-paid`), 200);
        assert.equal(Number((await allocations(user.id))[0]!.expires_at), T0 + 35 * DAY);
        clock = T0 + 8 * DAY;
        assertCode(await admin('POST', `/orders/${order.id}/refund`), 200);
        assert.equal(Number((await allocations(user.id))[0]!.expires_at), T0 + 8 * DAY);
      });

      it('refuses a renewal of another user’s allocation, changing nothing', async () => {
        await addIps('US', 14, 1);
        const owner = await createUser(tp);
        const other = await createUser(tp);
        const [held] = await tp.platform.services.staticIps.allocate({
          userId: owner.id,
          country: 'US',
          productType: 14,
          count: 1,
          days: 5,
        });
        const order = await insertOrder(tp, {
          userId: other.id,
          pmId: manual.id,
          productType: 19,
          payFeeCents: 1000,
          details: { upids: [held!.id], renewDuration: 1, unitDays: 30 },
        });
        assertCode(await admin('POST', `/orders/${order.id}/mark-paid`, { status: 404 }), 6405);
        assert.equal(await orderStatus(tp, order.id), 0);
        assert.equal(Number((await allocations(owner.id))[0]!.expires_at), T0 + 5 * DAY);
      });

      it('a refund releases the allocated IPs: they are free for sale again', async () => {
        await addIps('DE', 25, 2);
        const user = await createUser(tp);
        const order = await insertOrder(tp, {
          userId: user.id,
          pmId: external.id,
          productType: 25,
          payFeeCents: 2000,
          amount: 2,
          details: { regions: [{ country: 'DE', count: 2 }], unitDays: 30 },
        });
        assert.equal((await deliverPaid(tp, external, order)).statusCode, 200);
        assert.deepEqual(await tp.platform.services.staticIps.regionCounts(25), []);
        clock = T0 + DAY;
        const refunded = await admin('POST', `/orders/${order.id}/refund`);
        assertCode(refunded, 200);
        assert.equal(refunded.data.status, 3);
        assert.equal(refunded.data.refunded_at, new Date(T0 + DAY).toISOString());
        for (const a of await allocations(user.id)) assert.equal(Number(a.released_at), T0 + DAY);
        assert.deepEqual(await tp.platform.services.staticIps.regionCounts(25), [{ country: 'DE', number: 2 }]);
        // The balance was not touched: the order was paid outside.
        assert.equal((await counts(tp, user.id)).ledger, 0);
      });
    });

    describe('mark-paid and refunds', () => {
      it('marks a manual order paid once; refuses other methods, other statuses and unknown orders', async () => {
        const user = await createUser(tp);
        const order = await insertOrder(tp, {
          userId: user.id,
          pmId: manual.id,
          productType: 9,
          payFeeCents: 900,
          details: { unitBytes: GB, unitDays: 30 },
        });
        const paid = await admin('POST', `/orders/${order.id}/mark-paid`);
        assertCode(paid, 200);
        assert.equal(paid.data.trade_no, order.trade_no);
        assert.equal(paid.data.pay_fee, 9);
        assert.equal(paid.data.paid_at, new Date(T0).toISOString());
        assert.equal((await counts(tp, user.id)).packages, 1);
        assertCode(await admin('POST', `/orders/${order.id}/mark-paid`, { status: 409 }), 7010);
        assert.equal((await counts(tp, user.id)).packages, 1);
        const viaCard = await insertOrder(tp, {
          userId: user.id,
          pmId: external.id,
          productType: 9,
          payFeeCents: 900,
          details: { unitBytes: GB, unitDays: 30 },
        });
        assertCode(await admin('POST', `/orders/${viaCard.id}/mark-paid`, { status: 400 }), 7006);
        assert.equal(await orderStatus(tp, viaCard.id), 0);
        assertCode(await admin('POST', '/orders/999999/mark-paid', { status: 404 }), 7009);
        const closed = await insertOrder(tp, {
          userId: user.id,
          pmId: manual.id,
          productType: 9,
          payFeeCents: 900,
          status: 2,
          details: { unitBytes: GB, unitDays: 30 },
        });
        assertCode(await admin('POST', `/orders/${closed.id}/mark-paid`, { status: 409 }), 7010);
        assert.equal((await counts(tp, user.id)).packages, 1);
      });

      it('refunds a balance-paid package order: package withdrawn, pay_fee credited back, both ledger rows kept', async () => {
        const user = await createUser(tp);
        await tp.platform.storage.db
          .transaction()
          .execute((trx) => changeBalance(trx, { userId: user.id, deltaCents: 5000, reason: 'adjust', now: clock }));
        const order = await insertOrder(tp, {
          userId: user.id,
          pmId: balance.id,
          productType: 9,
          payFeeCents: 1200,
          details: { unitBytes: GB, unitDays: 30 },
        });
        await payFromBalance(order);
        assert.equal((await counts(tp, user.id)).balanceCents, 3800);
        clock = T0 + DAY;
        assertCode(await admin('POST', `/orders/${order.id}/refund`), 200);
        const pkgs = await tp.platform.storage.db
          .selectFrom('user_packages')
          .selectAll()
          .where('user_id', '=', user.id)
          .execute();
        assert.equal(pkgs.length, 1);
        assert.equal(pkgs[0]!.status, 0);
        const ledger = await tp.platform.storage.db
          .selectFrom('balance_ledger')
          .select(['delta_cents', 'reason', 'order_id'])
          .where('user_id', '=', user.id)
          .orderBy('id')
          .execute();
        assert.deepEqual(
          ledger.map((l) => [Number(l.delta_cents), l.reason, l.order_id === null ? null : Number(l.order_id)]),
          [
            [5000, 'adjust', null],
            [-1200, 'order', order.id],
            [1200, 'refund', order.id],
          ],
        );
        assert.equal((await counts(tp, user.id)).balanceCents, 5000);
        assert.equal(await ledgerSum(tp.platform.storage.db, user.id), 5000);
        // A second refund is refused and changes nothing.
        const before = await counts(tp, user.id);
        assertCode(await admin('POST', `/orders/${order.id}/refund`, { status: 409 }), 7011);
        assert.deepEqual(await counts(tp, user.id), before);
      });

      it('refunds an externally paid recharge by debiting the recharge and gift back; refuses unpaid orders', async () => {
        const user = await createUser(tp);
        const order = await insertOrder(tp, {
          userId: user.id,
          pmId: external.id,
          productType: 3,
          payFeeCents: 10_000,
          details: { rechargeCents: 10_000, giftCents: 1_000 },
        });
        assert.equal((await deliverPaid(tp, external, order)).statusCode, 200);
        assert.equal((await counts(tp, user.id)).balanceCents, 11_000);
        assertCode(await admin('POST', `/orders/${order.id}/refund`), 200);
        const c = await counts(tp, user.id);
        assert.equal(c.balanceCents, 0);
        assert.equal(c.ledger, 3);
        assert.equal(await ledgerSum(tp.platform.storage.db, user.id), 0);
        const pending = await insertOrder(tp, {
          userId: user.id,
          pmId: external.id,
          productType: 3,
          payFeeCents: 100,
          details: { rechargeCents: 100 },
        });
        assertCode(await admin('POST', `/orders/${pending.id}/refund`, { status: 409 }), 7011);
        assert.equal(await orderStatus(tp, pending.id), 0);
        assertCode(await admin('POST', '/orders/999999/refund', { status: 404 }), 7009);
      });

      it('refuses a recharge refund the balance can no longer cover, changing nothing', async () => {
        const user = await createUser(tp);
        const order = await insertOrder(tp, {
          userId: user.id,
          pmId: external.id,
          productType: 3,
          payFeeCents: 1000,
          details: { rechargeCents: 1000 },
        });
        assert.equal((await deliverPaid(tp, external, order)).statusCode, 200);
        await tp.platform.storage.db
          .transaction()
          .execute((trx) => changeBalance(trx, { userId: user.id, deltaCents: -600, reason: 'order', now: clock }));
        const before = await counts(tp, user.id);
        assertCode(await admin('POST', `/orders/${order.id}/refund`, { status: 402 }), 7007);
        assert.deepEqual(await counts(tp, user.id), before);
        assert.equal(await orderStatus(tp, order.id), 1);
      });
    });

    describe('GET /admin/orders', () => {
      it('lists newest first with user, status and trade_no filters and paging, behind the admin token', async () => {
        const user = await createUser(tp);
        const made = [];
        for (let i = 0; i < 3; i++) {
          made.push(
            await insertOrder(tp, {
              userId: user.id,
              pmId: manual.id,
              productType: 9,
              payFeeCents: 100 + i,
              details: { unitBytes: GB, unitDays: 1 },
            }),
          );
        }
        await admin('POST', `/orders/${made[1]!.id}/mark-paid`);
        const all = await admin('GET', '/orders', { query: { user_id: user.id } });
        assertCode(all, 200);
        assert.deepEqual(
          all.data.list.map((o: { id: number }) => o.id),
          made.map((o) => o.id).reverse(),
        );
        assert.equal(all.data.total_count, 3);
        const first = all.data.list[2];
        assert.equal(first.trade_no, made[0]!.trade_no);
        assert.equal(first.pay_fee, 1);
        assert.equal(first.user_id, user.id);
        assert.equal(first.pm_id, manual.id);
        assert.deepEqual(first.details, { unitBytes: GB, unitDays: 1 });
        assert.equal(first.created_at, new Date(T0).toISOString());
        const paid = await admin('GET', '/orders', { query: { user_id: user.id, status: 1 } });
        assert.deepEqual(
          paid.data.list.map((o: { id: number }) => o.id),
          [made[1]!.id],
        );
        const byTrade = await admin('GET', '/orders', { query: { trade_no: made[2]!.trade_no } });
        assert.deepEqual(
          byTrade.data.list.map((o: { id: number }) => o.id),
          [made[2]!.id],
        );
        const page2 = await admin('GET', '/orders', { query: { user_id: user.id, page: 2, size: 2 } });
        assert.deepEqual(
          page2.data.list.map((o: { id: number }) => o.id),
          [made[0]!.id],
        );
        assert.equal(page2.data.total_page, 2);
        assertCode(await admin('GET', '/orders', { query: { status: 7 }, status: 400 }), 400);
        const res = await tp.app.inject({ method: 'GET', url: '/admin/orders' });
        assert.equal(res.statusCode, 401);
      });
    });

    describe('tollgate orders', () => {
      let lines: string[] = [];
      const tollgate = async (...args: string[]): Promise<string[]> => {
        lines = [];
        const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
        registerOrderCommands(
          program,
          (fn) => fn({ payments: tp.platform.services.payments }),
          (line) => lines.push(line),
        );
        await program.parseAsync(['node', 'tollgate', 'orders', ...args]);
        return lines;
      };

      it('lists, marks paid and refunds', async () => {
        const user = await createUser(tp);
        const order = await insertOrder(tp, {
          userId: user.id,
          pmId: manual.id,
          productType: 9,
          payFeeCents: 250,
          details: { unitBytes: GB, unitDays: 1 },
        });
        const [header, row, footer] = await tollgate('list', '--user', String(user.id));
        assert.match(header!, /^id\s+trade_no\s+user/);
        assert.match(row!, new RegExp(`^${order.id}\\s+${order.trade_no}\\s+${user.id}\\s+9 .*2\\.50.*pending`));
        assert.equal(footer, '1 of 1 (page 1)');
        const [marked] = await tollgate('mark-paid', String(order.id));
        assert.equal(
          marked,
          `marked paid: order ${order.id} ${order.trade_no} (user ${user.id}, type 9 product 9, pay 2.50): paid`,
        );
        const [json] = await tollgate('list', '--user', String(user.id), '--status', 'paid', '--json');
        const parsed = JSON.parse(json!);
        assert.equal(parsed.total_count, 1);
        assert.equal(parsed.list[0].status, 1);
        const [refunded] = await tollgate('refund', String(order.id), '--json');
        assert.equal(JSON.parse(refunded!).status, 3);
        assert.deepEqual(await tollgate('list', '--user', String(user.id), '--status', '0'), ['no orders']);
        await assert.rejects(
          tollgate('refund', String(order.id)),
          (err: unknown) => err instanceof AppError && err.key === 'TG_ERR_ORDER_NOT_PAID',
        );
        await assert.rejects(tollgate('list', '--status', 'lost'), /0-3 or pending/);
      });
    });
  });
}
