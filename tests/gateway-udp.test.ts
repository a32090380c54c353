/**
 * SOCKS5 UDP ASSOCIATE with real datagrams: a UDP echo server on loopback, the `socks` package's client and UDP
 * frame helpers. An account with `udp: 1` relays datagrams both ways (IP and name targets), metered by payload
 * bytes like TCP; its limit cuts the association; an account without udp is refused (reply 0x07, as before UDP
 * existed); the target policy drops datagrams to private targets and to the gateway itself; only the client may
 * use its association; malformed and fragmented datagrams are dropped; only direct exits relay UDP; and the
 * association lives exactly as long as its TCP control connection.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import type net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SocksClient } from 'socks';
import { closedWithin, createProxyAccount, type GatewayPlatform, startGatewayPlatform, until } from './helpers/gateway.js';
import { dialects } from './helpers/platform.js';

interface UdpEcho {
  readonly port: number;
  /** Datagrams received so far. */
  received(): number;
  close(): Promise<void>;
}

/** A UDP echo on 127.0.0.1: sends every datagram back to its sender, prefixed with "echo:". */
async function startUdpEcho(): Promise<UdpEcho> {
  const socket = dgram.createSocket('udp4');
  let count = 0;
  socket.on('message', (msg, from) => {
    count++;
    socket.send(Buffer.concat([Buffer.from('echo:'), msg]), from.port, from.address);
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  return {
    port: socket.address().port,
    received: () => count,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
}

/** UDP ASSOCIATE through the `socks` client (createConnection does CONNECT only): the control socket and BND. */
function associateVia(
  port: number,
  userId: string,
  password: string,
): Promise<{ socket: net.Socket; remoteHost: { host: string; port: number } }> {
  return new Promise((resolve, reject) => {
    const client = new SocksClient({
      proxy: { host: '127.0.0.1', port, type: 5, userId, password },
      destination: { host: '0.0.0.0', port: 0 },
      command: 'associate',
      timeout: 10_000,
    });
    client.once('established', (info) => {
      if (!info.remoteHost) return reject(new Error('no BND.ADDR/BND.PORT'));
      resolve({ socket: info.socket, remoteHost: { host: info.remoteHost.host, port: info.remoteHost.port } });
    });
    client.once('error', reject);
    client.connect();
  });
}

interface Association {
  readonly control: net.Socket;
  /** The gateway's relay address (BND.ADDR/BND.PORT). */
  readonly relay: { host: string; port: number };
  /** The client's datagram socket, bound on 127.0.0.1. */
  readonly client: dgram.Socket;
  /** Sends one datagram for `host`:`port` through the relay. */
  send(host: string, port: number, data: Buffer | string): void;
  /** The next datagram back, parsed. */
  next(): Promise<{ host: string; port: number; data: Buffer }>;
  close(): void;
}

for (const dialect of dialects()) {
  describe(`SOCKS5 UDP ASSOCIATE on ${dialect}`, () => {
    let g: GatewayPlatform;
    let echo: UdpEcho;
    before(async () => {
      g = await startGatewayPlatform(dialect);
      echo = await startUdpEcho();
    });
    after(async () => {
      await echo?.close();
      await g?.close();
    });

    const services = () => g.tp.platform.services;
    const metrics = () => g.gw.gateway.metrics;

    /** A user with a sub-account (`udp: 1` unless told otherwise) and a 1 GiB package. */
    async function udpAccount(name: string, udp = true) {
      const a = await createProxyAccount(g.tp, name);
      if (udp) await services().subAccounts.change(a.userId, a.name, { udp: 1 });
      return a;
    }

    async function associate(username: string, password: string, port = g.port): Promise<Association> {
      const { socket: control, remoteHost: relay } = await associateVia(port, username, password);
      control.on('error', () => {});
      const client = dgram.createSocket('udp4');
      client.on('error', () => {});
      client.bind(0, '127.0.0.1');
      await once(client, 'listening');
      const queue: Buffer[] = [];
      const waiting: ((b: Buffer) => void)[] = [];
      client.on('message', (msg) => {
        const w = waiting.shift();
        if (w) w(msg);
        else queue.push(msg);
      });
      return {
        control,
        relay,
        client,
        send(host, p, data) {
          const frame = SocksClient.createUDPFrame({ remoteHost: { host, port: p }, data: Buffer.from(data) });
          client.send(frame, relay.port, relay.host);
        },
        async next() {
          const msg = queue.shift() ?? (await new Promise<Buffer>((resolve) => waiting.push(resolve)));
          const frame = SocksClient.parseUDPFrame(msg);
          return { host: frame.remoteHost.host, port: frame.remoteHost.port, data: frame.data };
        },
        close() {
          control.destroy();
          client.close();
        },
      };
    }

    const usedBytes = async (name: string) =>
      Number(
        (
          await g.tp.platform.storage.db
            .selectFrom('sub_accounts')
            .select('used_bytes')
            .where('username', '=', name)
            .executeTakeFirstOrThrow()
        ).used_bytes,
      );

    it('relays datagrams both ways, to IP and name targets, with the header naming the source', async () => {
      await udpAccount('udp1');
      const a = await associate('udp1', 'pass1234');
      assert.equal(a.relay.host, '127.0.0.1', 'the relay is on the address the client reached');
      assert.notEqual(a.relay.port, 0);
      a.send('127.0.0.1', echo.port, 'ping');
      const back = await a.next();
      assert.deepEqual([back.host, back.port, back.data.toString()], ['127.0.0.1', echo.port, 'echo:ping']);
      // A name is resolved at the exit.
      a.send('localhost', echo.port, 'by name');
      const named = await a.next();
      assert.equal(named.data.toString(), 'echo:by name');
      assert.equal(named.port, echo.port);
      // Many in a row, in both directions.
      for (let i = 0; i < 20; i++) a.send('127.0.0.1', echo.port, `n${i}`);
      const got = new Set<string>();
      for (let i = 0; i < 20; i++) got.add((await a.next()).data.toString());
      assert.equal(got.size, 20);
      a.close();
    });

    it('meters the payload bytes of every datagram, both ways, like TCP', async () => {
      await udpAccount('udpmeter');
      const a = await associate('udpmeter', 'pass1234');
      const before = await usedBytes('udpmeter');
      const payload = Buffer.alloc(1000, 0x61);
      for (let i = 0; i < 5; i++) {
        a.send('127.0.0.1', echo.port, payload);
        assert.equal((await a.next()).data.length, 1005);
      }
      a.close();
      await g.gw.meter.flush();
      // 5 × 1000 up, 5 × 1005 down; SOCKS headers are not billed.
      assert.equal((await usedBytes('udpmeter')) - before, 5 * 1000 + 5 * 1005);
      const usage = await g.tp.platform.storage.db
        .selectFrom('usage_hourly')
        .select((eb) => eb.fn.sum<number>('bytes').as('bytes'))
        .where('username', '=', 'udpmeter')
        .executeTakeFirstOrThrow();
      assert.equal(Number(usage.bytes), 10_025);
    });

    it('refuses an account without udp with reply 0x07, and names the reason in the catalogue (4020)', async () => {
      await udpAccount('noudp1', false);
      await assert.rejects(associate('noudp1', 'pass1234'), /CommandNotSupported/);
      // Enabled through proxy-account/change, the same account may associate once the feed delivers it.
      const a = await createProxyAccount(g.tp, 'noudp2');
      await assert.rejects(associate('noudp2', 'pass1234'), /CommandNotSupported/);
      await services().subAccounts.change(a.userId, a.name, { udp: 1 });
      await g.gw.feed.sync();
      const ok = await associate('noudp2', 'pass1234');
      ok.send('127.0.0.1', echo.port, 'now');
      assert.equal((await ok.next()).data.toString(), 'echo:now');
      ok.close();
      // And disabled again: refused.
      await services().subAccounts.change(a.userId, a.name, { udp: 0 });
      await g.gw.feed.sync();
      await assert.rejects(associate('noudp2', 'pass1234'), /CommandNotSupported/);
    });

    it('cuts the association when the account reaches its limit, and refuses a new one (0x02)', async () => {
      const acct = await udpAccount('udplimit');
      await services().subAccounts.change(acct.userId, acct.name, { limitGb: 1 });
      await g.tp.platform.storage.db
        .updateTable('sub_accounts')
        .set({ used_bytes: 1024 ** 3 - 5000 })
        .where('username', '=', 'udplimit')
        .execute();
      await g.gw.feed.sync();
      const a = await associate('udplimit', 'pass1234');
      const closed = closedWithin(a.control);
      const t0 = performance.now();
      for (let i = 0; i < 20 && !a.control.destroyed; i++) {
        a.send('127.0.0.1', echo.port, Buffer.alloc(1000));
        await new Promise((r) => setImmediate(r));
      }
      const ms = await closed;
      assert.ok(performance.now() - t0 < 3000, `cut in ${ms.toFixed(0)} ms`);
      assert.ok(echo.received() > 0);
      a.client.close();
      await assert.rejects(associate('udplimit', 'pass1234'), /NotAllowed/);
    });

    it('daily_limit cuts the association like limit_flow, and refuses a new one (0x02)', async () => {
      const acct = await udpAccount('udpdaily');
      await services().subAccounts.change(acct.userId, acct.name, { dailyLimitGb: 1 });
      // Today's billed hours leave 5,000 bytes of the day's 1 GB.
      await g.tp.platform.storage.db
        .insertInto('usage_hourly')
        .values({
          user_id: acct.userId,
          product_type: 9,
          username: acct.name,
          hour_start: g.tp.platform.time.dayStart(Date.now()),
          bytes: 1024 ** 3 - 5000,
        })
        .execute();
      await g.gw.feed.sync();
      const a = await associate('udpdaily', 'pass1234');
      const closed = closedWithin(a.control);
      for (let i = 0; i < 20 && !a.control.destroyed; i++) {
        a.send('127.0.0.1', echo.port, Buffer.alloc(1000));
        await new Promise((r) => setImmediate(r));
      }
      const ms = await closed;
      assert.ok(ms < 3000, `cut in ${ms.toFixed(0)} ms`);
      a.client.close();
      await assert.rejects(associate('udpdaily', 'pass1234'), /NotAllowed/);
    });

    it('drops datagrams to the gateway itself, malformed and fragmented ones, and those from anyone but the client', async () => {
      await udpAccount('udppolicy');
      const a = await associate('udppolicy', 'pass1234');
      // The gateway's own proxy port: refused even where private targets are allowed (loop protection).
      const blocked = metrics().udpDrops('blocked');
      a.send('127.0.0.1', g.port, 'loop');
      await until(() => metrics().udpDrops('blocked') > blocked, 3000, 'the datagram to the gateway dropped');

      // A good datagram fixes the client's port.
      a.send('127.0.0.1', echo.port, 'first');
      assert.equal((await a.next()).data.toString(), 'echo:first');

      const malformed = metrics().udpDrops('malformed');
      const frame = SocksClient.createUDPFrame({ remoteHost: { host: '127.0.0.1', port: echo.port }, data: Buffer.from('frag') });
      frame[2] = 1; // FRAG
      a.client.send(frame, a.relay.port, a.relay.host);
      a.client.send(Buffer.from([0, 0, 0, 9, 1, 2]), a.relay.port, a.relay.host); // bad ATYP
      a.client.send(Buffer.from([0, 0]), a.relay.port, a.relay.host); // short
      await until(() => metrics().udpDrops('malformed') >= malformed + 3, 3000, 'malformed datagrams dropped');

      // Another socket on the client's address is not the client.
      const stranger = dgram.createSocket('udp4');
      stranger.bind(0, '127.0.0.1');
      await once(stranger, 'listening');
      const source = metrics().udpDrops('source');
      const seen = echo.received();
      stranger.send(
        SocksClient.createUDPFrame({ remoteHost: { host: '127.0.0.1', port: echo.port }, data: Buffer.from('hijack') }),
        a.relay.port,
        a.relay.host,
      );
      await until(() => metrics().udpDrops('source') > source, 3000, 'the stranger’s datagram dropped');
      stranger.close();

      // A datagram to the association's exit socket from a host it never sent to is not relayed either: the echo
      // answered only what the client sent (first, and nothing of the dropped ones).
      a.send('127.0.0.1', echo.port, 'last');
      assert.equal((await a.next()).data.toString(), 'echo:last');
      assert.equal(echo.received(), seen + 1);
      a.close();
    });

    it('lives as long as its TCP control connection: closing it closes the relay port', async () => {
      await udpAccount('udplife');
      // Earlier tests' connections are gone first (their closes may still be in flight).
      await until(() => g.gw.gateway.registry.size === 0, 3000, 'earlier connections closed');
      const open = 0;
      const a = await associate('udplife', 'pass1234');
      a.send('127.0.0.1', echo.port, 'alive');
      assert.equal((await a.next()).data.toString(), 'echo:alive');
      assert.equal(g.gw.gateway.registry.size, open + 1);
      a.control.destroy();
      await until(() => g.gw.gateway.registry.size === open, 3000, 'the association closed');
      // The relay port is closed: a datagram to it comes back as ICMP port unreachable (ECONNREFUSED).
      const probe = dgram.createSocket('udp4');
      probe.connect(a.relay.port, a.relay.host);
      await once(probe, 'connect');
      const refused = new Promise<string>((resolve) =>
        probe.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? '')),
      );
      const sendOnce = () => probe.send(Buffer.from([0, 0, 0, 1, 127, 0, 0, 1, 0, 7, 0x78]));
      sendOnce();
      const timer = setInterval(sendOnce, 50);
      assert.equal(await refused, 'ECONNREFUSED');
      clearInterval(timer);
      probe.close();
      a.client.close();
    });

    it('refuses UDP through upstream exits cleanly (no exit that relays UDP: reply 0x01)', async () => {
      await services().nodes.add({ url: 'http://127.0.0.1:9', country: 'DE', types: [9] });
      await g.gw.pool.reload();
      await udpAccount('udphttp');
      await assert.rejects(associate('udphttp-country-de', 'pass1234'), /GeneralFailure|rejected/);
      // The same account still associates through the direct exit.
      const a = await associate('udphttp', 'pass1234');
      a.send('127.0.0.1', echo.port, 'direct');
      assert.equal((await a.next()).data.toString(), 'echo:direct');
      a.close();
    });
  });

  describe(`SOCKS5 UDP ASSOCIATE with the default target policy on ${dialect}`, () => {
    let g: GatewayPlatform;
    let echo: UdpEcho;
    before(async () => {
      g = await startGatewayPlatform(dialect, { TOLLGATE_ALLOW_PRIVATE_TARGETS: '0' });
      echo = await startUdpEcho();
    });
    after(async () => {
      await echo?.close();
      await g?.close();
    });

    it('never relays to private, loopback, link-local or unspecified targets, by address or by name, and bills nothing', async () => {
      const a = await createProxyAccount(g.tp, 'udppriv');
      await g.tp.platform.services.subAccounts.change(a.userId, a.name, { udp: 1 });
      const { socket: control, remoteHost } = await associateVia(g.port, a.name, a.password);
      control.on('error', () => {});
      const client = dgram.createSocket('udp4');
      client.bind(0, '127.0.0.1');
      await once(client, 'listening');
      const targets: [string, number][] = [
        ['127.0.0.1', echo.port],
        ['localhost', echo.port],
        ['10.0.0.1', 53],
        ['192.168.1.1', 53],
        ['169.254.169.254', 80],
        ['0.0.0.0', echo.port],
        ['::1', echo.port],
        ['::ffff:127.0.0.1', echo.port],
      ];
      const blocked = g.gw.gateway.metrics.udpDrops('blocked');
      for (const [host, port] of targets) {
        client.send(
          SocksClient.createUDPFrame({ remoteHost: { host, port }, data: Buffer.from('x') }),
          remoteHost!.port,
          remoteHost!.host,
        );
      }
      await until(
        () => g.gw.gateway.metrics.udpDrops('blocked') >= blocked + targets.length,
        5000,
        () => `every datagram dropped (${g.gw.gateway.metrics.udpDrops('blocked') - blocked} of ${targets.length})`,
      );
      assert.equal(echo.received(), 0);
      control.destroy();
      client.close();
      await g.gw.meter.flush();
      const row = await g.tp.platform.storage.db
        .selectFrom('sub_accounts')
        .select('used_bytes')
        .where('username', '=', a.name)
        .executeTakeFirstOrThrow();
      assert.equal(Number(row.used_bytes), 0, 'dropped datagrams are not billed');
    });
  });
}
