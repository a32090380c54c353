/**
 * Every product the platform sells works at the gateway, end to end:
 *
 *  - type 11 (time packages): served on the main port while the owner holds a valid package; the package's
 *    concurrency bounds the open connections of all the owner's type-11 accounts, exactly (the next one: HTTP 429
 *    with Proxy-Status, SOCKS5 0x02; a closed one frees its slot at once); its bandwidth is the rate of all of
 *    them together, both directions (±10%), which one connection alone can use whole; expiry cuts the tunnels;
 *    traffic is metered into usage and drawn from no package; `limit_flow` still applies per account;
 *  - type 12 (long-term IDC traffic): bought with an order, provisioned as a traffic package, used by type-12
 *    accounts on the main port through datacenter exits (nodes marked 12), metered, and cut when used up.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SocksClient } from 'socks';
import { changeBalance } from '../src/billing/index.js';
import {
  closedWithin,
  connectTunnel,
  exitAddress,
  type GatewayPlatform,
  startGatewayPlatform,
  startEcho,
  startHttpTarget,
  startSink,
  startSource,
  type Target,
  until,
} from './helpers/gateway.js';
import { call, createUser, dialects } from './helpers/platform.js';

const MBIT = 1_000_000 / 8;
const DAY = 86_400_000;

/** Writes as fast as the socket drains, until it closes. */
function pushForever(socket: net.Socket): void {
  const chunk = Buffer.alloc(64 * 1024, 0x62);
  const pump = () => {
    while (!socket.destroyed && socket.write(chunk));
  };
  socket.on('drain', pump);
  socket.on('error', () => {});
  pump();
}

const socksConnect = (port: number, userId: string, password: string, targetPort: number) =>
  SocksClient.createConnection({
    proxy: { host: '127.0.0.1', port, type: 5, userId, password },
    destination: { host: '127.0.0.1', port: targetPort },
    command: 'connect',
    timeout: 5000,
  });

for (const dialect of dialects()) {
  describe(`products at the gateway (${dialect})`, () => {
    let clock = Date.parse('2026-11-23T12:00:00Z');
    const now = () => clock;
    let g: GatewayPlatform;
    let echo: Target;
    let web: Target;

    before(async () => {
      g = await startGatewayPlatform(dialect, { TOLLGATE_METER_FLUSH_MS: '100' }, { now });
      const nodes = g.tp.platform.services.nodes;
      // Dynamic residential exits serve 9 and 11; a datacenter exit (another source address) serves 12.
      await nodes.add({ url: 'direct://', country: 'US', types: [11] });
      await nodes.add({ url: 'direct://127.0.0.2', country: 'US', types: [12] });
      await g.gw.pool.reload();
      echo = await startEcho();
      web = await startHttpTarget();
    });
    after(async () => {
      await echo?.close();
      await web?.close();
      await g?.close();
    });

    const services = () => g.tp.platform.services;
    const db = () => g.tp.platform.storage.db;
    /** A user with type-11 accounts `names` and, unless `grant` is false, a 30-day package of 20 Mbit/s × 3. */
    const timeUser = async (names: string[], grant: { mbps: number; concurrency: number; days?: number } | false) => {
      const user = await createUser(g.tp);
      await services().subAccounts.add(user.id, names.map((n) => `${n}:pass1234`).join(','), '', 11);
      if (grant) {
        await services().packages.grant({
          userId: user.id,
          productType: 11,
          bandwidthMbps: grant.mbps,
          concurrency: grant.concurrency,
          days: grant.days ?? 30,
        });
        await g.gw.feed.sync();
      }
      return user;
    };
    /** Closes a client's tunnel and waits until the gateway has let go of it (its slot is free again). */
    const closeAndWait = async (socket: net.Socket) => {
      const registry = g.gw.gateway.registry;
      const before = registry.size;
      socket.destroy();
      await until(() => registry.size < before, 5000, 'the gateway to see the close');
    };
    const tunnel = (name: string, port = echo.port) => connectTunnel(g.port, `127.0.0.1:${port}`, `${name}:pass1234`);
    const usageBytes = async (userId: number, productType: number) => {
      const rows = await db()
        .selectFrom('usage_hourly')
        .select('bytes')
        .where('user_id', '=', userId)
        .where('product_type', '=', productType)
        .execute();
      return rows.reduce((sum, r) => sum + Number(r.bytes), 0);
    };

    describe('type 11: time packages', () => {
      it('admits exactly the concurrency across the user’s accounts; the next is refused (429, 0x02); a close frees a slot', async () => {
        await timeUser(['conc1', 'conc2'], { mbps: 20, concurrency: 3 });
        const open = [await tunnel('conc1'), await tunnel('conc1'), await tunnel('conc2')];
        for (const t of open) assert.equal(t.status, 200, t.head);

        const fourth = await tunnel('conc2');
        assert.equal(fourth.status, 429, fourth.head);
        assert.match(fourth.head, /X-Tollgate-Error: 4104/);
        assert.match(fourth.head, /Proxy-Status: tollgate; error=connection_limit_reached; details="TG_ERR_QUOTA_CONCURRENCY/);
        fourth.socket.destroy();
        await assert.rejects(socksConnect(g.port, 'conc1', 'pass1234', echo.port), /NotAllowed/, 'SOCKS5 answers 0x02');

        // The refusals took no slot: the three tunnels still relay.
        for (const t of open) {
          t.socket.write('ping');
          t.socket.resume();
          const [reply] = (await once(t.socket, 'data')) as [Buffer];
          assert.equal(reply.toString(), 'ping');
        }

        // Closing one frees its slot as soon as the gateway sees the close.
        await closeAndWait(open[0]!.socket);
        const again = await socksConnect(g.port, 'conc2', 'pass1234', echo.port);
        again.socket.write('pong');
        const [reply] = (await once(again.socket, 'data')) as [Buffer];
        assert.equal(reply.toString(), 'pong');
        const fifth = await tunnel('conc1');
        assert.equal(fifth.status, 429, 'full again');
        fifth.socket.destroy();
        again.socket.destroy();
        for (const t of open) t.socket.destroy();
      });

      it('shapes all the user’s traffic to the bandwidth, ±10%: one tunnel alone, three together, both directions', async () => {
        const mbps = 20;
        const rate = mbps * MBIT;
        await timeUser(['bw1', 'bw2'], { mbps, concurrency: 3 });
        const source = await startSource();
        const sink = await startSink();
        try {
          /** Bytes moved per second over `ms` after a warm-up, by `count()` (read before and after). */
          const measure = async (count: () => number, ms: number) => {
            await new Promise((r) => setTimeout(r, 500));
            const t0 = performance.now();
            const b0 = count();
            await new Promise((r) => setTimeout(r, ms));
            return ((count() - b0) * 1000) / (performance.now() - t0);
          };
          const download = async (name: string) => {
            const t = await tunnel(name, source.port);
            assert.equal(t.status, 200, t.head);
            let got = 0;
            t.socket.on('data', (c: Buffer) => {
              got += c.length;
            });
            t.socket.resume();
            return { socket: t.socket, got: () => got };
          };

          // One connection can use the whole rate.
          const alone = await download('bw1');
          const single = await measure(alone.got, 2500);
          await closeAndWait(alone.socket);
          assert.ok(Math.abs(single / rate - 1) <= 0.1, `one tunnel: ${(single / MBIT).toFixed(2)} Mbit/s of ${mbps}`);

          // Three together, two accounts, one of them uploading: the sum is the rate.
          const a = await download('bw1');
          const b = await download('bw2');
          const up = await tunnel('bw2', sink.port);
          assert.equal(up.status, 200, up.head);
          pushForever(up.socket);
          const together = await measure(() => a.got() + b.got() + sink.received(), 3000);
          const down = a.got() + b.got();
          for (const s of [a.socket, b.socket, up.socket]) await closeAndWait(s);
          assert.ok(Math.abs(together / rate - 1) <= 0.1, `three tunnels: ${(together / MBIT).toFixed(2)} Mbit/s of ${mbps}`);
          assert.ok(sink.received() > 0 && down > 0, 'both directions moved');
        } finally {
          await source.close();
          await sink.close();
        }
      });

      it('paces forwarded HTTP requests too: a 2.5 MB answer at 20 Mbit/s takes about a second', async () => {
        await timeUser(['fwd11'], { mbps: 20, concurrency: 1 });
        const t0 = performance.now();
        const received = await new Promise<number>((resolve, reject) => {
          const req = http.get(
            {
              host: '127.0.0.1',
              port: g.port,
              path: `http://127.0.0.1:${web.port}/bytes/2500000`,
              headers: { 'Proxy-Authorization': `Basic ${Buffer.from('fwd11:pass1234').toString('base64')}` },
              agent: false,
            },
            (res) => {
              let n = 0;
              res.on('data', (c: Buffer) => {
                n += c.length;
              });
              res.on('end', () => resolve(n));
              res.on('error', reject);
            },
          );
          req.on('error', reject);
        });
        const ms = performance.now() - t0;
        assert.equal(received, 2_500_000, 'every byte arrives');
        // 20 Mbit/s is 2.5 MB/s; less the bucket's saved-up burst and the debt it carries, at least 0.7 s.
        assert.ok(ms >= 700, `2.5 MB in ${ms.toFixed(0)} ms`);
      });

      it('is metered into usage like any other traffic, drawn from no package, and limit_flow still applies', async () => {
        const user = await timeUser(['meter11', 'limit11'], { mbps: 100, concurrency: 5 });
        const t = await tunnel('meter11');
        t.socket.resume();
        t.socket.write(Buffer.alloc(10_000, 0x41));
        let got = 0;
        await new Promise<void>((resolve) =>
          t.socket.on('data', (c: Buffer) => {
            got += c.length;
            if (got >= 10_000) resolve();
          }),
        );
        t.socket.destroy();
        await g.gw.meter.flush();
        assert.equal(await usageBytes(user.id, 11), 20_000);
        const [pkg] = (await services().packages.list(user.id, { productType: 11 })).items;
        assert.equal(pkg?.usedBytes, 0, 'a time package holds no traffic to draw');
        const flow = await call(g.tp.app, 'GET', '/pub/user-usage-flow/total', {
          query: { app_key: user.appKey, product_type: 11 },
        });
        assert.equal(
          flow.data.list.reduce((sum: number, d: { flow: number }) => sum + d.flow, 0),
          Math.floor(20_000 / 1024),
          'shown in usage',
        );

        // limit_flow: 1 GB, of which all but 5,000 bytes are used.
        await services().subAccounts.changeLimit(user.id, 'limit11', 1, 11);
        await db()
          .updateTable('sub_accounts')
          .set({ used_bytes: 1024 ** 3 - 5000 })
          .where('username', '=', 'limit11')
          .execute();
        const limited = await tunnel('limit11');
        assert.equal(limited.status, 200, limited.head);
        limited.socket.resume();
        limited.socket.on('error', () => {});
        const closed = closedWithin(limited.socket);
        for (let i = 0; i < 10 && !limited.socket.destroyed; i++) limited.socket.write(Buffer.alloc(4096, 0x41));
        assert.ok((await closed) < 3000, 'cut at its limit');
        const refused = await tunnel('limit11');
        assert.equal(refused.status, 403);
        assert.match(refused.head, /X-Tollgate-Error: 4101/);
        refused.socket.destroy();
      });

      it('expiry cuts open tunnels within a second and refuses new ones (4103); several packages add up', async () => {
        const user = await timeUser(['exp11'], false);
        const refusedFirst = await tunnel('exp11');
        assert.equal(refusedFirst.status, 403, 'no package: refused');
        assert.match(refusedFirst.head, /X-Tollgate-Error: 4103/);
        refusedFirst.socket.destroy();

        // Two packages: concurrency 1 each, so 2 in all; the first ends in a minute.
        await services().packages.grant({ userId: user.id, productType: 11, bandwidthMbps: 10, concurrency: 1, days: 30 });
        await db()
          .transaction()
          .execute(async (trx) => {
            await services().packages.grantIn(trx, {
              userId: user.id,
              productType: 11,
              bandwidthMbps: 10,
              concurrency: 1,
              days: 1,
              startsAt: clock - DAY + 60_000,
            });
          });
        await g.gw.feed.sync();
        const first = await tunnel('exp11');
        const second = await tunnel('exp11');
        assert.deepEqual([first.status, second.status], [200, 200], 'two packages: concurrency 2');
        const third = await tunnel('exp11');
        assert.equal(third.status, 429);
        third.socket.destroy();

        // One package expires: concurrency 1, the newest tunnel goes.
        const secondClosed = closedWithin(second.socket);
        clock += 61_000;
        assert.ok((await secondClosed) < 3000, 'the tunnel over the new concurrency is cut');
        assert.equal(first.socket.destroyed, false, 'the oldest stays');

        // The other expires too: everything is cut within a second or so, and new tunnels are refused.
        const firstClosed = closedWithin(first.socket);
        clock += 30 * DAY;
        const ms = await firstClosed;
        assert.ok(ms < 3000, `cut ${ms} ms after expiry`);
        const refused = await tunnel('exp11');
        assert.equal(refused.status, 403);
        assert.match(refused.head, /TG_ERR_QUOTA_NO_TIME_PACKAGE/);
        refused.socket.destroy();
        clock -= 30 * DAY + 61_000;
      });
    });

    describe('type 12: long-term IDC traffic', () => {
      it('buy → provision → sub-account → traffic through a datacenter exit → usage → limits', async () => {
        const product = await services().products.add({
          title: 'IDC 1 MB',
          productType: 12,
          price: '2',
          unitBytes: 100_000,
          unitDays: 30,
        });
        const pm = await services().paymentMethods.ensureBalanceMethod();
        const user = await createUser(g.tp);
        await db()
          .transaction()
          .execute((trx) => changeBalance(trx, { userId: user.id, deltaCents: 10_00, reason: 'adjust', now: clock }));
        const order = await call(g.tp.app, 'POST', '/api-gate-way/order/create', {
          query: { app_key: user.appKey },
          json: { pid: product.id, pm_id: pm.id, amount: 2 },
        });
        assert.equal(order.code, 200, JSON.stringify(order));
        assert.equal(order.data.status, 1);
        const summary = await call(g.tp.app, 'GET', '/pub/user-product/summary', {
          query: { app_key: user.appKey, product_type: 12 },
        });
        assert.equal(summary.data.effective_total, Math.floor(200_000 / 1024));

        const added = await call(g.tp.app, 'POST', '/pub/whitelist-account/add', {
          query: { app_key: user.appKey },
          json: { accounts: 'idc1:pass1234', product_type: 12 },
        });
        assert.equal(added.code, 200, JSON.stringify(added));

        // Through the datacenter exit (bound to 127.0.0.2), not the residential ones.
        const seen = await tunnel('idc1', web.port);
        assert.equal(seen.status, 200, seen.head);
        assert.equal(await exitAddress(seen.socket, web.port), '127.0.0.2');

        // Traffic is metered and drawn from the type-12 package until it runs out, then cut (4102).
        const t = await tunnel('idc1');
        t.socket.resume();
        t.socket.on('error', () => {});
        const closed = closedWithin(t.socket);
        for (let i = 0; i < 200 && !t.socket.destroyed; i++) {
          t.socket.write(Buffer.alloc(4096, 0x41));
          await new Promise((r) => setImmediate(r));
        }
        assert.ok((await closed) < 3000, 'cut when the package ran out');
        await g.gw.meter.flush();
        const [pkg] = (await services().packages.list(user.id, { productType: 12 })).items;
        assert.ok((pkg?.usedBytes ?? 0) >= 200_000, `drawn ${pkg?.usedBytes}`);
        assert.equal(await usageBytes(user.id, 12), pkg?.usedBytes, 'usage equals what was drawn');
        const flow = await call(g.tp.app, 'GET', '/pub/user-usage-flow/total', {
          query: { app_key: user.appKey, product_type: 12 },
        });
        const kb = flow.data.list.reduce((sum: number, d: { flow: number }) => sum + d.flow, 0);
        assert.equal(kb, Math.floor((pkg?.usedBytes ?? 0) / 1024));
        const refused = await tunnel('idc1');
        assert.equal(refused.status, 403);
        assert.match(refused.head, /X-Tollgate-Error: 4102/);
        refused.socket.destroy();
      });
    });
  });
}
