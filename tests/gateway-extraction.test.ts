/**
 * Extraction ports end to end: `ip/v3` leases a port (a whitelisted IP is not
 * demanded), the gateway serves it to
 * the lessee's whitelisted 127.0.0.x address without credentials (or to the
 * lessee's sub-accounts with them) through the exit chosen at extraction,
 * meters it to the lessee's packages, and stops when the lease ends or the
 * address is removed.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SocksClient } from 'socks';
import {
  closedWithin,
  connectTunnel,
  createProxyAccount,
  exitAddress,
  freePortRange,
  type GatewayPlatform,
  startEcho,
  startGatewayPlatform,
  startHttpTarget,
  type Target,
} from './helpers/gateway.js';
import { call, dialects } from './helpers/platform.js';

for (const dialect of dialects()) {
  describe(`extraction ports (${dialect})`, () => {
    let clock = Date.parse('2026-11-23T12:00:00Z');
    let g: GatewayPlatform;
    let web: Target;
    let echo: Target;
    let owner: { userId: number; appKey: string; name: string; password: string };

    before(async () => {
      const range = await freePortRange(6);
      g = await startGatewayPlatform(
        dialect,
        {
          TOLLGATE_EXTRACT_PORTS: `${range.from}-${range.to}`,
          // One lessee takes several of the six ports here; the per-user cap has tests of its own.
          TOLLGATE_EXTRACT_LEASE_MAX: '6',
          TOLLGATE_EXTRACT_HOST: '127.0.0.1',
          TOLLGATE_PUBLIC_HOST: '127.0.0.1',
          TOLLGATE_METER_FLUSH_MS: '100',
        },
        {
          now: () => clock,
          nodes: [
            { url: 'direct://127.0.0.2', country: 'US', state: 'ca', city: 'losangeles' },
            { url: 'direct://127.0.0.3', country: 'US', state: 'ny', city: 'newyork' },
          ],
        },
      );
      web = await startHttpTarget();
      echo = await startEcho();
      owner = await createProxyAccount(g.tp, 'extract1');
      await g.tp.platform.services.whiteIps.add(owner.userId, '127.0.0.5', '');
      await g.gw.feed.sync();
    });
    after(async () => {
      await web?.close();
      await echo?.close();
      await g?.close();
    });

    const extract = async (query: Record<string, string | number>, appKey = owner.appKey) => {
      const answer = await call(g.tp.app, 'GET', '/gateway/ip/v3', { query: { app_key: appKey, ...query } });
      assert.equal(answer.code, 200, JSON.stringify(answer));
      await g.gw.feed.sync();
      return (answer.data.list[0] as string[]).map((e) => Number(e.split(':')[1]));
    };

    it('serves a whitelisted client without credentials through the exit chosen at extraction', async () => {
      const [la] = await extract({ cc: 'US', state: 'ca', city: 'losangeles', life: 5 });
      const [ny] = await extract({ cc: 'US', city: 'newyork' });
      for (let i = 0; i < 3; i++) {
        const t = await connectTunnel(la!, `127.0.0.1:${web.port}`, undefined, { localAddress: '127.0.0.5' });
        assert.equal(t.status, 200, t.head);
        assert.equal(await exitAddress(t.socket, web.port), '127.0.0.2');
        t.socket.destroy();
      }
      const t = await connectTunnel(ny!, `127.0.0.1:${web.port}`, undefined, { localAddress: '127.0.0.5' });
      assert.equal(await exitAddress(t.socket, web.port), '127.0.0.3', 'each port keeps its own exit');
      t.socket.destroy();

      const socks = await SocksClient.createConnection({
        proxy: { host: '127.0.0.1', port: la!, type: 5 },
        destination: { host: '127.0.0.1', port: web.port },
        command: 'connect',
        timeout: 5000,
        socket_options: { localAddress: '127.0.0.5' },
      } as Parameters<typeof SocksClient.createConnection>[0]);
      assert.equal(await exitAddress(socks.socket, web.port), '127.0.0.2', 'SOCKS5 with no authentication');
      socks.socket.destroy();
    });

    it('asks other addresses for credentials, takes the lessee’s sub-accounts, refuses other users', async () => {
      const [port] = await extract({ cc: 'US' });
      const anonymous = await connectTunnel(port!, `127.0.0.1:${web.port}`, undefined, { localAddress: '127.0.0.6' });
      assert.equal(anonymous.status, 407, anonymous.head);
      anonymous.socket.destroy();
      const own = await connectTunnel(port!, `127.0.0.1:${web.port}`, `${owner.name}:${owner.password}`, {
        localAddress: '127.0.0.6',
      });
      assert.equal(own.status, 200, own.head);
      own.socket.destroy();
      const targeted = await connectTunnel(port!, `127.0.0.1:${web.port}`, `${owner.name}-country-us:${owner.password}`);
      assert.equal(targeted.status, 400, 'the lease fixes the exit');
      targeted.socket.destroy();
      const other = await createProxyAccount(g.tp, 'extract2');
      const foreign = await connectTunnel(port!, `127.0.0.1:${web.port}`, `${other.name}:${other.password}`);
      assert.equal(foreign.status, 403, foreign.head);
      assert.match(foreign.head, /TG_ERR_PROXY_LEASE_INVALID/);
      foreign.socket.destroy();
    });

    it('meters whitelisted traffic to the lessee, to the byte, from its packages', async () => {
      const [port] = await extract({});
      const t = await connectTunnel(port!, `127.0.0.1:${echo.port}`, undefined, { localAddress: '127.0.0.5' });
      assert.equal(t.status, 200);
      t.socket.write(Buffer.alloc(10_000, 0x41));
      let got = 0;
      t.socket.resume();
      for await (const chunk of t.socket) {
        got += (chunk as Buffer).length;
        if (got >= 10_000) break;
      }
      t.socket.destroy();
      await g.gw.meter.flush();
      const usage = await g.tp.platform.storage.db
        .selectFrom('usage_hourly')
        .select(['username', 'bytes'])
        .where('user_id', '=', owner.userId)
        .where('username', '=', '')
        .executeTakeFirst();
      assert.ok(usage, 'a usage row with no account name');
      assert.ok(Number(usage.bytes) >= 20_000, `${usage.bytes} bytes`);
      const pkg = await g.tp.platform.storage.db
        .selectFrom('user_packages')
        .select('used_bytes')
        .where('user_id', '=', owner.userId)
        .executeTakeFirstOrThrow();
      const all = await g.tp.platform.storage.db
        .selectFrom('usage_hourly')
        .select('bytes')
        .where('user_id', '=', owner.userId)
        .execute();
      assert.equal(
        Number(pkg.used_bytes),
        all.reduce((s, r) => s + Number(r.bytes), 0),
        'package consumption equals usage',
      );
    });

    it('closes the tunnels of a removed address and of an ended lease, and refuses the port afterwards', async () => {
      const [port] = await extract({ life: 1 });
      const open = await connectTunnel(port!, `127.0.0.1:${echo.port}`, undefined, { localAddress: '127.0.0.5' });
      assert.equal(open.status, 200);
      open.socket.resume();
      const viaAccount = await connectTunnel(port!, `127.0.0.1:${echo.port}`, `${owner.name}:${owner.password}`);
      assert.equal(viaAccount.status, 200);
      viaAccount.socket.resume();

      await g.tp.platform.services.whiteIps.add(owner.userId, '127.0.0.7', '');
      await g.gw.feed.sync();
      const second = await connectTunnel(port!, `127.0.0.1:${echo.port}`, undefined, { localAddress: '127.0.0.7' });
      assert.equal(second.status, 200);
      second.socket.resume();
      const secondClosed = closedWithin(second.socket);
      await g.tp.platform.services.whiteIps.delete(owner.userId, { ips: '127.0.0.7' });
      const ms = await secondClosed;
      assert.ok(ms < 3000, `removed address cut after ${ms} ms`);
      assert.equal(open.socket.destroyed, false, 'other addresses keep their tunnels');

      const closed = Promise.all([closedWithin(open.socket), closedWithin(viaAccount.socket)]);
      clock += 61_000;
      const [a, b] = await closed;
      assert.ok(a < 3000 && b < 3000, `ended lease cut after ${a} / ${b} ms`);
      const refused = await connectTunnel(port!, `127.0.0.1:${echo.port}`, undefined, { localAddress: '127.0.0.5' });
      assert.equal(refused.status, 403);
      assert.match(refused.head, /TG_ERR_PROXY_LEASE_INVALID/);
      refused.socket.destroy();
    });

    it('refuses a port that was never leased', async () => {
      const leased = new Set(
        (await g.tp.platform.storage.db.selectFrom('extract_leases').select(['port', 'expires_at']).execute())
          .filter((r) => Number(r.expires_at) > clock)
          .map((r) => r.port),
      );
      const range = g.tp.platform.config.extract.ports!;
      let free = range.from;
      while (leased.has(free)) free++;
      const socket = net.connect({ port: free, host: '127.0.0.1', localAddress: '127.0.0.5' });
      await once(socket, 'connect');
      socket.write(`CONNECT 127.0.0.1:${echo.port} HTTP/1.1\r\nHost: x\r\n\r\n`);
      const [head] = (await once(socket, 'data')) as [Buffer];
      assert.match(head.toString(), /^HTTP\/1\.1 403/);
      socket.destroy();
    });

    it('leases to a user with no whitelisted IP: their sub-accounts log in; an address whitelisted later needs none', async () => {
      const lessee = await createProxyAccount(g.tp, 'nowhite1');
      const [port] = await extract({ cc: 'US', state: 'ca', city: 'losangeles' }, lessee.appKey);
      const from = { localAddress: '127.0.0.7' };
      const anonymous = await connectTunnel(port!, `127.0.0.1:${web.port}`, undefined, from);
      assert.equal(anonymous.status, 407, anonymous.head);
      anonymous.socket.destroy();

      const http = await connectTunnel(port!, `127.0.0.1:${web.port}`, `${lessee.name}:${lessee.password}`, from);
      assert.equal(http.status, 200, http.head);
      assert.equal(await exitAddress(http.socket, web.port), '127.0.0.2', 'through the exit of the lease');
      http.socket.destroy();
      const socks = await SocksClient.createConnection({
        proxy: { host: '127.0.0.1', port: port!, type: 5, userId: lessee.name, password: lessee.password },
        destination: { host: '127.0.0.1', port: web.port },
        command: 'connect',
        timeout: 5000,
        socket_options: from,
      } as Parameters<typeof SocksClient.createConnection>[0]);
      assert.equal(await exitAddress(socks.socket, web.port), '127.0.0.2', 'SOCKS5 with username and password');
      socks.socket.destroy();

      // The newer release's proxy-ip/add whitelists the client: the same lease then admits it without credentials.
      const added = await call(g.tp.app, 'POST', '/developers/proxy-ip/add', {
        query: { app_key: lessee.appKey },
        json: { ips: '127.0.0.7', product_type: 9 },
      });
      assert.equal(added.code, 200, JSON.stringify(added));
      await g.gw.feed.sync();
      const open = await connectTunnel(port!, `127.0.0.1:${web.port}`, undefined, from);
      assert.equal(open.status, 200, open.head);
      assert.equal(await exitAddress(open.socket, web.port), '127.0.0.2');
      open.socket.destroy();
    });
  });
}
