/**
 * Billing end to end, under every API prefix and on every dialect, through the real API, the signed webhook
 * and the real gateway: a top-up paid by an external method earns its gift; a traffic package bought with the
 * balance shows in user-product/list and carries proxy traffic until it is used up; static IPs bought by region
 * show in ip/get-static-ip and a renewal moves their expiry; an unpaid order expires; a cancelled order cannot
 * be paid; a refund reverses. The balance equals the ledger throughout.
 */
import assert from 'node:assert/strict';
import type net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { ledgerSum } from '../src/billing/index.js';
import { OrderExpiry, orderCatalogue } from '../src/billing/orders/index.js';
import { signWebhook } from '../src/billing/payments/index.js';
import { TimeFormatter } from '../src/time/time-format.js';
import { connectTunnel, type GatewayPlatform, startEcho, startGatewayPlatform, type Target } from './helpers/gateway.js';
import { type Answer, call, createUser, dialects } from './helpers/platform.js';

const PREFIXES = ['/gateway', '/end-point', '/api-gate-way', '/pub'];
const DAY = 86_400_000;
const TZ = 'Asia/Shanghai';
const PACKAGE_BYTES = 200_000;

function assertOk(answer: Answer): void {
  assert.equal(answer.code, 200, JSON.stringify(answer));
}

/** Pushes bytes through the tunnel until the gateway cuts it (or `max` bytes went through). */
async function pushUntilCut(socket: net.Socket, max: number): Promise<number> {
  socket.resume();
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  let sent = 0;
  while (!socket.destroyed && sent < max) {
    socket.write(Buffer.alloc(4096, 0x43));
    sent += 4096;
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.race([closed, new Promise((r) => setTimeout(r, 5000))]);
  return sent;
}

for (const dialect of dialects()) {
  describe(`billing end to end on ${dialect}`, () => {
    let clock = Date.parse('2026-11-23T04:00:00Z');
    const now = () => clock;
    const time = new TimeFormatter(TZ);
    let g: GatewayPlatform;
    let echo: Target;
    let auth: Record<string, string>;
    const pid = { recharge: 0, traffic: 0, static: 0, renew: 0 };
    let external = { id: 0, secret: '' };
    let balanceId = 0;

    before(async () => {
      g = await startGatewayPlatform(dialect, { TOLLGATE_METER_FLUSH_MS: '100', TOLLGATE_TZ: TZ }, { now });
      echo = await startEcho();
      auth = { authorization: `Bearer ${g.tp.platform.config.adminToken}` };
      const s = g.tp.platform.services;
      pid.recharge = (await s.products.add({ title: 'Top up', productType: 3 })).id;
      pid.traffic = (
        await s.products.add({ title: 'Traffic 200 KB', productType: 9, price: '5', unitBytes: PACKAGE_BYTES, unitDays: 30 })
      ).id;
      pid.static = (await s.products.add({ title: 'Static DC IP', productType: 14, price: '10', unitDays: 30 })).id;
      pid.renew = (await s.products.add({ title: 'Static renewal', productType: 19, price: '8', unitDays: 30 })).id;
      const added = await s.paymentMethods.add({
        kind: 'external',
        title: 'Card',
        group: 'card',
        groupName: 'Card',
        payUrl: 'https://pay.example.com/checkout?order={trade_no}&amount={amount}',
      });
      external = { id: added.method.id, secret: added.secret! };
      balanceId = (await s.paymentMethods.list()).find((m) => m.kind === 'balance')!.id;
      await s.giftTiers.add({ amount: '100', ratio: '1.2' });
      for (let i = 0; i < PREFIXES.length * 2; i++) {
        await s.staticIps.add({ ip: '203.0.113.20', port: 40_000 + i, country: 'US', productType: 14 });
      }
    });
    after(async () => {
      await echo?.close();
      await g?.close();
    });

    const webhook = (body: string, signature = signWebhook(external.secret, body)) =>
      g.tp.app.inject({
        method: 'POST',
        url: `/payments/webhook/${external.id}`,
        headers: { 'content-type': 'application/json', 'x-tollgate-signature': signature },
        payload: body,
      });
    const paid = (tradeNo: string, amount: number, eventId: string) =>
      JSON.stringify({ trade_no: tradeNo, amount: amount.toFixed(2), event_id: eventId, status: 'paid' });
    const balanceOf = async (prefix: string, appKey: string) => {
      const info = await call(g.tp.app, 'GET', `${prefix}/user/info`, { query: { app_key: appKey } });
      assertOk(info);
      return info.data.balance as number;
    };

    for (const prefix of PREFIXES) {
      it(`${prefix}: top-up with gift, packages carrying traffic, static IPs and renewals, expiry, cancel, refund`, async () => {
        const user = await createUser(g.tp);
        const key = { app_key: user.appKey };
        const api = (method: 'GET' | 'POST', route: string, params: Record<string, string | number> = {}) =>
          method === 'GET'
            ? call(g.tp.app, 'GET', `${prefix}/${route}`, { query: { ...key, ...params } })
            : call(g.tp.app, 'POST', `${prefix}/${route}`, { query: key, form: params });

        // 1. Top up 100 with the external method; the signed webhook pays it and the 1.2 tier gives 20 more.
        const groups = await api('GET', 'payment/groups');
        assertOk(groups);
        const methodIds = groups.data.list.flatMap((grp: { items: { id: number }[] }) => grp.items.map((m) => m.id));
        assert.ok(methodIds.includes(external.id) && methodIds.includes(balanceId), JSON.stringify(groups.data));
        const topUp = await api('POST', 'order/create', {
          pid: pid.recharge,
          pm_id: external.id,
          recharge_amount: '100',
          coupon_sn: '',
        });
        assertOk(topUp);
        assert.equal(topUp.data.status, 0);
        assert.equal(topUp.data.pay_fee, 100);
        assert.match(topUp.data.trade_no, /^\d{28}$/);
        assert.ok(String(topUp.data.pay_url).includes(topUp.data.trade_no), topUp.data.pay_url);
        const gifts = await api('GET', 'activity/balance-recharge-gift-ratio');
        assert.deepEqual(gifts.data.list, [{ amount: 100, ratio: 1.2 }]);
        const bad = await webhook(paid(topUp.data.trade_no, 100, `${prefix}-top`), 'sha256=' + '0'.repeat(64));
        assert.equal(bad.statusCode, 401);
        assert.equal(await balanceOf(prefix, user.appKey), 0);
        const good = await webhook(paid(topUp.data.trade_no, 100, `${prefix}-top`));
        assert.equal(good.statusCode, 200, good.body);
        assert.equal(good.json().data.result, 'paid');
        assert.equal((await webhook(paid(topUp.data.trade_no, 100, `${prefix}-top`))).json().data.result, 'replay');
        assert.equal(await balanceOf(prefix, user.appKey), 120);
        const listed = await api('GET', 'order/list', { trade_no: topUp.data.trade_no });
        assert.equal(listed.data.list[0].status, 1);

        // 2. A traffic package bought with the balance shows in user-product/list.
        const buy = await api('POST', 'order/create', { pid: pid.traffic, pm_id: balanceId, amount: 1 });
        assertOk(buy);
        assert.equal(buy.data.status, 1);
        assert.equal(buy.data.pay_fee, 5);
        assert.equal(await balanceOf(prefix, user.appKey), 115);
        const products = await api('GET', 'user-product/list', { trade_no: buy.data.trade_no });
        assertOk(products);
        assert.equal(products.data.list.length, 1);
        assert.equal(products.data.list[0].product_type, 9);
        assert.equal(products.data.list[0].expired_at, time.format(clock + 30 * DAY));

        // 3. Its traffic carries real gateway traffic until it is used up.
        const name = `e2e${prefix.replace(/\W/g, '')}${dialect.slice(0, 2)}`;
        await g.tp.platform.services.subAccounts.add(user.id, `${name}:pass1234`, '', 9);
        await g.gw.feed.sync();
        const tunnel = await connectTunnel(g.port, `127.0.0.1:${echo.port}`, `${name}:pass1234`);
        assert.equal(tunnel.status, 200, tunnel.head);
        const sent = await pushUntilCut(tunnel.socket, 4 * PACKAGE_BYTES);
        assert.ok(tunnel.socket.destroyed, `the tunnel stays open after ${sent} bytes`);
        await g.gw.meter.flush();
        const used = await api('GET', 'user-product/list', { trade_no: buy.data.trade_no });
        assert.ok(used.data.list[0].used >= used.data.list[0].total, JSON.stringify(used.data.list[0]));
        const refused = await connectTunnel(g.port, `127.0.0.1:${echo.port}`, `${name}:pass1234`);
        assert.equal(refused.status, 403, refused.head);
        assert.match(refused.head, /X-Tollgate-Error: 4102/i);
        refused.socket.destroy();

        // 4. Static IPs by region, found in ip/get-static-ip; a renewal moves their expiry.
        const boughtAt = clock;
        const ips = await api('POST', 'order/create', { pid: pid.static, pm_id: balanceId, region_list: 'US:2' });
        assertOk(ips);
        assert.equal(ips.data.pay_fee, 20);
        assert.equal(await balanceOf(prefix, user.appKey), 95);
        const held = await api('GET', 'ip/get-static-ip', { trade_no: ips.data.trade_no });
        assertOk(held);
        assert.equal(held.data.list.length, 2);
        for (const ip of held.data.list) {
          assert.equal(ip.status, 1);
          assert.equal(ip.expired_at, time.format(boughtAt + 30 * DAY));
        }
        const upids = held.data.list.map((ip: { id: number }) => ip.id).join(',');
        const renewal = await api('POST', 'order/create', { pid: pid.renew, pm_id: balanceId, upids, renew_duration: 1 });
        assertOk(renewal);
        assert.equal(renewal.data.status, 1);
        const renewFee = renewal.data.pay_fee as number;
        assert.equal(await balanceOf(prefix, user.appKey), 95 - renewFee);
        const renewed = await api('GET', 'ip/get-static-ip', { trade_no: ips.data.trade_no });
        for (const ip of renewed.data.list) assert.equal(ip.expired_at, time.format(boughtAt + 60 * DAY));

        // 5. An unpaid order expires once its TTL passes and the scheduler runs; it cannot be paid then.
        const unpaid = await api('POST', 'order/create', { pid: pid.recharge, pm_id: external.id, recharge_amount: '50' });
        assertOk(unpaid);
        clock += g.tp.platform.config.orderTtlMs + 1000;
        const { storage, services } = g.tp.platform;
        const closed = await new OrderExpiry({
          db: storage.db,
          caps: storage.caps,
          catalogue: orderCatalogue(services),
          now,
        }).runOnce();
        assert.ok(closed >= 1);
        assert.equal((await api('GET', 'order/list', { trade_no: unpaid.data.trade_no })).data.list[0].status, 2);
        const late = await webhook(paid(unpaid.data.trade_no, 50, `${prefix}-late`));
        assert.equal(late.statusCode, 409, late.body);
        assert.equal(late.json().code, 7010);

        // 6. A cancelled order cannot be paid.
        const cancelled = await api('POST', 'order/create', { pid: pid.recharge, pm_id: external.id, recharge_amount: '30' });
        assertOk(cancelled);
        assertOk(await api('POST', 'order/close', { trade_no: cancelled.data.trade_no }));
        const refusedPay = await webhook(paid(cancelled.data.trade_no, 30, `${prefix}-cancelled`));
        assert.equal(refusedPay.statusCode, 409, refusedPay.body);
        assert.equal(refusedPay.json().code, 7010);
        assert.equal(await balanceOf(prefix, user.appKey), 95 - renewFee);

        // 7. A refund reverses: the static IPs are released and their price comes back to the balance.
        const refund = await call(g.tp.app, 'POST', `/admin/orders/${ips.data.id}/refund`, { headers: auth });
        assertOk(refund);
        assert.equal(refund.data.status, 3);
        assert.equal(await balanceOf(prefix, user.appKey), 95 - renewFee + 20);
        const released = await api('GET', 'ip/get-static-ip', { trade_no: ips.data.trade_no });
        for (const ip of released.data.list) assert.equal(ip.status, 2);
        assert.equal((await api('GET', 'order/list', { trade_no: ips.data.trade_no })).data.list[0].status, 3);
        const ledger = await storage.db
          .selectFrom('balance_ledger')
          .select(['reason', 'delta_cents'])
          .where('order_id', '=', ips.data.id)
          .orderBy('id')
          .execute();
        assert.deepEqual(
          ledger.map((l) => [l.reason, Number(l.delta_cents)]),
          [
            ['order', -2000],
            ['refund', 2000],
          ],
        );
        assert.equal(await ledgerSum(storage.db, user.id), Math.round((await balanceOf(prefix, user.appKey)) * 100));
      });
    }
  });
}
