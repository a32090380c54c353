/**
 * `daily_limit` at the gateway with real traffic: a sub-account draws today's bytes (the billed hours of the local
 * day in TOLLGATE_TZ, plus what it relays) against its daily limit; the chunk that reaches it cuts the tunnel
 * within a second (HTTP CONNECT and SOCKS5 alike), new connections are refused with 4105 (HTTP 403) or reply 0x02,
 * and at local midnight — the test's clock moves, the gateway's one-second sweep notices — the account relays
 * again. A change through proxy-account/change reaches the gateway through the change feed.
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
  startEcho,
  startGatewayPlatform,
  type Target,
} from './helpers/gateway.js';
import { call, dialects } from './helpers/platform.js';

const GB = 1024 ** 3;
const TZ = 'America/New_York';

for (const dialect of dialects()) {
  describe(`daily_limit at the gateway on ${dialect}`, () => {
    let g: GatewayPlatform;
    let echo: Target;
    // 23:00 local time on 2026-03-07, the night before New York's DST start: the next local day is 23 hours long.
    let clock = Date.parse('2026-03-08T04:00:00Z');
    const now = () => clock;

    before(async () => {
      g = await startGatewayPlatform(dialect, { TOLLGATE_TZ: TZ }, { now });
      echo = await startEcho();
    });
    after(async () => {
      await echo?.close();
      await g?.close();
    });

    const db = () => g.tp.platform.storage.db;
    const time = () => g.tp.platform.time;

    /** Bytes billed to `name` in the hour starting at `hour`, as earlier traffic would have left them. */
    const billed = (userId: number, name: string, hour: number, bytes: number) =>
      db()
        .insertInto('usage_hourly')
        .values({ user_id: userId, product_type: 9, username: name, hour_start: hour, bytes })
        .execute();

    const socks = (name: string, password: string) =>
      SocksClient.createConnection({
        proxy: { host: '127.0.0.1', port: g.port, type: 5, userId: name, password },
        destination: { host: '127.0.0.1', port: echo.port },
        command: 'connect',
        timeout: 10_000,
      });

    /** Writes until the tunnel is cut (or 1 MB went through); resolves with the ms from the cutting write to the close. */
    async function pushUntilCut(socket: net.Socket): Promise<number> {
      socket.on('error', () => {});
      socket.resume();
      const closed = closedWithin(socket);
      let sent = 0;
      while (!socket.destroyed && sent < 1_000_000) {
        socket.write(Buffer.alloc(4096, 0x41));
        sent += 4096;
        await new Promise((r) => setImmediate(r));
      }
      assert.ok(sent < 1_000_000, 'cut before 1 MB');
      return closed;
    }

    it('counts today’s billed hours (not yesterday’s) and cuts a CONNECT tunnel at the limit within a second; then 4105', async () => {
      const a = await createProxyAccount(g.tp, 'daily1', 'pass1234', 10 * GB);
      const ok = await call(g.tp.app, 'POST', '/developers/proxy-account/change', {
        query: { app_key: a.appKey },
        json: { account: a.name, daily_limit: 1 },
      });
      assert.equal(ok.code, 200, JSON.stringify(ok));
      const today = time().dayStart(clock);
      // Yesterday's 5 GB do not count; today's hours leave 20,000 bytes.
      await billed(a.userId, a.name, today - 3_600_000, 5 * GB);
      await billed(a.userId, a.name, today, GB - 30_000);
      await billed(a.userId, a.name, today + 3_600_000, 10_000);

      const t = await connectTunnel(g.port, `127.0.0.1:${echo.port}`, `${a.name}:${a.password}`);
      assert.equal(t.status, 200, t.head);
      const ms = await pushUntilCut(t.socket);
      assert.ok(ms < 1000, `cut ${ms.toFixed(0)} ms after the write that crossed the limit`);

      const refused = await connectTunnel(g.port, `127.0.0.1:${echo.port}`, `${a.name}:${a.password}`);
      assert.equal(refused.status, 403);
      assert.match(refused.head, /X-Tollgate-Error: 4105/);
      assert.match(refused.head, /TG_ERR_QUOTA_DAILY_LIMIT/);
      refused.socket.destroy();
      await assert.rejects(socks(a.name, a.password), /NotAllowed/);

      // The bytes were metered (used_bytes and today's usage) like any other traffic.
      await g.gw.meter.flush();
      const row = await db()
        .selectFrom('sub_accounts')
        .select('used_bytes')
        .where('username', '=', a.name)
        .executeTakeFirstOrThrow();
      assert.ok(Number(row.used_bytes) >= 20_000, `used_bytes ${row.used_bytes}`);
    });

    it('rolls over at local midnight (TOLLGATE_TZ): the account relays again within a second of the new day', async () => {
      const a = await createProxyAccount(g.tp, 'daily2', 'pass1234', 10 * GB);
      await g.tp.platform.services.subAccounts.change(a.userId, a.name, { dailyLimitGb: 1 });
      await billed(a.userId, a.name, time().hourStart(clock), GB);
      await assert.rejects(socks(a.name, a.password), /NotAllowed/);

      // A minute before midnight: still refused. At midnight: the sweep starts a new day within a second.
      clock = time().nextDayStart(clock) - 60_000;
      g.gw.directory.rollDays(); // what the sweep does each second: nothing yet
      await assert.rejects(socks(a.name, a.password), /NotAllowed/);
      clock += 60_000;
      const deadline = performance.now() + 3000;
      let socket: net.Socket | undefined;
      while (!socket) {
        socket = await socks(a.name, a.password).then(
          (c) => c.socket,
          () => undefined,
        );
        if (!socket) {
          assert.ok(performance.now() < deadline, 'relays again within the sweep’s second');
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      socket.write('hello');
      const [echoed] = (await new Promise((resolve) => socket.once('data', (c: Buffer) => resolve([c])))) as [Buffer];
      assert.equal(echoed.toString(), 'hello');
      socket.destroy();
    });

    it('SOCKS5 tunnels are cut at the limit too; raising daily_limit lets in, removing it (0) lifts it', async () => {
      const a = await createProxyAccount(g.tp, 'daily3', 'pass1234', 10 * GB);
      await g.tp.platform.services.subAccounts.change(a.userId, a.name, { dailyLimitGb: 1 });
      await billed(a.userId, a.name, time().hourStart(clock), GB - 20_000);
      const { socket } = await socks(a.name, a.password);
      const ms = await pushUntilCut(socket);
      assert.ok(ms < 1000, `cut ${ms.toFixed(0)} ms after the write that crossed the limit`);
      await assert.rejects(socks(a.name, a.password), /NotAllowed/);

      const raised = await call(g.tp.app, 'POST', '/developers/proxy-account/change', {
        query: { app_key: a.appKey },
        json: { account: a.name, daily_limit: 2 },
      });
      assert.equal(raised.code, 200);
      await g.gw.feed.sync();
      (await socks(a.name, a.password)).socket.destroy();

      // Lowered below today's usage: the open tunnel is closed when the feed delivers the change.
      const open = (await socks(a.name, a.password)).socket;
      open.on('error', () => {});
      const closed = closedWithin(open);
      await g.tp.platform.services.subAccounts.change(a.userId, a.name, { dailyLimitGb: 1 });
      await g.gw.feed.sync();
      assert.ok((await closed) < 3000);
      await assert.rejects(socks(a.name, a.password), /NotAllowed/);

      await g.tp.platform.services.subAccounts.change(a.userId, a.name, { dailyLimitGb: 0 });
      await g.gw.feed.sync();
      (await socks(a.name, a.password)).socket.destroy();
    });
  });
}
