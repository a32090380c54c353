/**
 * Traffic packages at the gateway: product-9 traffic draws from the owner's
 * valid type-9 packages (the one expiring first, first); with nothing left every
 * product-9 account of the user is refused (4102) and its open tunnels are cut;
 * a new package lets it in again; an expired package stops counting. Usage and
 * package consumption are written in one transaction and agree to the byte.
 */
import assert from 'node:assert/strict';
import type net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SocksClient } from 'socks';
import {
  closedWithin,
  connectTunnel,
  createProxyAccount,
  type GatewayPlatform,
  grantTestPackage,
  startEcho,
  startGatewayPlatform,
  type Target,
} from './helpers/gateway.js';
import { dialects } from './helpers/platform.js';

/** Writes `bytes` through the tunnel and waits for them to come back from the echo target. */
async function echoThrough(socket: net.Socket, bytes: number): Promise<void> {
  let got = 0;
  const done = new Promise<void>((resolve, reject) => {
    const onData = (c: Buffer) => {
      got += c.length;
      if (got >= bytes) {
        socket.off('data', onData);
        resolve();
      }
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`closed after ${got} of ${bytes} bytes`)));
  });
  socket.resume();
  socket.write(Buffer.alloc(bytes, 0x42));
  await done;
}

for (const dialect of dialects()) {
  describe(`gateway traffic packages (${dialect})`, () => {
    let clock = Date.parse('2026-11-23T12:00:00Z');
    const now = () => clock;
    let g: GatewayPlatform;
    let echo: Target;

    before(async () => {
      g = await startGatewayPlatform(dialect, { TOLLGATE_METER_FLUSH_MS: '100' }, { now });
      echo = await startEcho();
    });
    after(async () => {
      await echo?.close();
      await g?.close();
    });

    const packages = (userId: number) =>
      g.tp.platform.storage.db
        .selectFrom('user_packages')
        .select(['id', 'total_bytes', 'used_bytes'])
        .where('user_id', '=', userId)
        .orderBy('id')
        .execute();
    const usageBytes = async (userId: number) => {
      const rows = await g.tp.platform.storage.db
        .selectFrom('usage_hourly')
        .select('bytes')
        .where('user_id', '=', userId)
        .execute();
      return rows.reduce((sum, r) => sum + Number(r.bytes), 0);
    };
    const tunnel = (a: { name: string; password: string }) =>
      connectTunnel(g.port, `127.0.0.1:${echo.port}`, `${a.name}:${a.password}`);

    it('draws from the package expiring first, and usage equals package consumption to the byte', async () => {
      const a = await createProxyAccount(g.tp, 'pkgorder', 'pass1234', 0);
      const later = await grantTestPackage(g.tp, a.userId, 1_000_000, { expiresAt: clock + 20 * 86_400_000 });
      const sooner = await grantTestPackage(g.tp, a.userId, 30_000, { expiresAt: clock + 2 * 86_400_000 });
      const { socket, status } = await tunnel(a);
      assert.equal(status, 200);
      await echoThrough(socket, 25_000);
      await echoThrough(socket, 25_000);
      socket.destroy();
      await g.gw.meter.flush();
      const rows = await packages(a.userId);
      const byId = new Map(rows.map((r) => [r.id, Number(r.used_bytes)]));
      assert.equal(byId.get(sooner), 30_000, 'the package expiring first is used up first');
      assert.equal(byId.get(later), 100_000 - 30_000, 'the rest comes from the next one');
      assert.equal(await usageBytes(a.userId), 100_000, 'usage: 50,000 up + 50,000 down');
    });

    it('cuts every product-9 account of the user when the packages run out; a new package lets them in again', async () => {
      const a = await createProxyAccount(g.tp, 'pkgcut1', 'pass1234', 0);
      await g.tp.platform.services.subAccounts.add(a.userId, 'pkgcut2:pass1234', '', 9);
      const b = { name: 'pkgcut2', password: 'pass1234' };
      await grantTestPackage(g.tp, a.userId, 200_000);
      await g.gw.feed.sync();

      const idle = await tunnel(b);
      assert.equal(idle.status, 200);
      idle.socket.resume();
      const idleClosed = closedWithin(idle.socket);
      const busy = await tunnel(a);
      assert.equal(busy.status, 200);
      busy.socket.resume();
      busy.socket.on('error', () => {});
      const busyClosed = closedWithin(busy.socket);
      for (let i = 0; i < 100 && !busy.socket.destroyed; i++) {
        busy.socket.write(Buffer.alloc(4096, 0x41));
        await new Promise((r) => setImmediate(r));
      }
      const [ms1, ms2] = await Promise.all([busyClosed, idleClosed]);
      assert.ok(ms1 < 3000 && ms2 < 3000, `tunnels closed after ${ms1} / ${ms2} ms`);

      await g.gw.meter.flush();
      const [row] = await packages(a.userId);
      const used = Number(row?.used_bytes);
      assert.equal(used, await usageBytes(a.userId), 'package consumption equals usage');
      const over = used - 200_000;
      assert.ok(over >= 0 && over <= 2 * 64 * 1024, `overshoot ${over} bytes`);

      for (const account of [a, b]) {
        const refused = await tunnel(account);
        assert.equal(refused.status, 403, refused.head);
        assert.match(refused.head, /X-Tollgate-Error: 4102/i);
        assert.match(refused.head, /TG_ERR_QUOTA_NO_PACKAGE/);
        refused.socket.destroy();
      }
      await assert.rejects(
        SocksClient.createConnection({
          proxy: { host: '127.0.0.1', port: g.port, type: 5, userId: a.name, password: a.password },
          destination: { host: '127.0.0.1', port: echo.port },
          command: 'connect',
          timeout: 5000,
        }),
        /not allowed|Socks5 proxy rejected connection - NotAllowed/i,
        'SOCKS5 answers 0x02',
      );

      await grantTestPackage(g.tp, a.userId, 100_000);
      await g.gw.feed.sync();
      const again = await tunnel(a);
      assert.equal(again.status, 200, 'a second package lets the user in again');
      await echoThrough(again.socket, 1000);
      again.socket.destroy();
    });

    it('an expired package stops counting: its tunnels close and new ones are refused', async () => {
      const a = await createProxyAccount(g.tp, 'pkgexp', 'pass1234', 0);
      await grantTestPackage(g.tp, a.userId, 10_000_000, { expiresAt: clock + 60_000 });
      await g.gw.feed.sync();
      const open = await tunnel(a);
      assert.equal(open.status, 200);
      await echoThrough(open.socket, 1000);
      const closed = closedWithin(open.socket);
      clock += 61_000;
      // The meter's next flush re-reads quotas whose packages expired.
      const ms = await closed;
      assert.ok(ms < 3000, `tunnel closed ${ms} ms after expiry`);
      const refused = await tunnel(a);
      assert.equal(refused.status, 403);
      assert.match(refused.head, /TG_ERR_QUOTA_NO_PACKAGE/);
      refused.socket.destroy();
      await g.gw.meter.flush();
      const [row] = await packages(a.userId);
      assert.equal(Number(row?.used_bytes), 2000, 'bytes relayed while it was valid were drawn from it');
    });

    it('a package that has not started yet does not count until it starts', async () => {
      const a = await createProxyAccount(g.tp, 'pkgfuture', 'pass1234', 0);
      await grantTestPackage(g.tp, a.userId, 1_000_000, { startsAt: clock + 30_000 });
      await g.gw.feed.sync();
      const early = await tunnel(a);
      assert.equal(early.status, 403);
      early.socket.destroy();
      clock += 31_000;
      await g.gw.meter.flush();
      const started = await tunnel(a);
      assert.equal(started.status, 200, started.head);
      started.socket.destroy();
    });

    it('a user with no package at all is refused with 4102', async () => {
      const a = await createProxyAccount(g.tp, 'pkgnone', 'pass1234', 0);
      const refused = await tunnel(a);
      assert.equal(refused.status, 403);
      assert.match(refused.head, /X-Tollgate-Error: 4102/i);
      refused.socket.destroy();
    });
  });
}
