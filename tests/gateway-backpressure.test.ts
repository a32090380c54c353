/**
 * Backpressure, through real loopback sockets.
 * - The relay alone: a client that does not read while the exit keeps sending small chunks drives the relay into
 *   the state where `client.write()` returned true but bytes stayed queued. Node emits no 'drain' for such a write;
 *   the relay must resume the exit anyway once the client reads.
 * - Every entry that pauses a reader until a writer drains (CONNECT and SOCKS5 tunnels on the main port, HTTP
 *   forwarding, the static-IP and extraction entries, uploads): a slow reader gets every byte of a patterned
 *   stream, intact and in order.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { after, before, describe, it, test } from 'node:test';
import { SocksClient } from 'socks';
import {
  connectTunnel,
  createProxyAccount,
  freePortRange,
  type GatewayPlatform,
  startGatewayPlatform,
  until,
} from './helpers/gateway.js';
import {
  pattern,
  patternDigest,
  type PatternTarget,
  readSlowly,
  startPatternHttpTarget,
  startPatternTarget,
  startUpstreamHttpProxy,
  writePattern,
} from './helpers/patterned.js';
import { call, dialects } from './helpers/platform.js';
import { SharedReader } from '../src/net/shared-read.js';
import type { GatewayAccount } from '../src/gateway/gateway.types.js';
import { ProxyConnection } from '../src/gateway/registry.js';
import { relay } from '../src/gateway/relay.js';

const cleanup: (() => void)[] = [];
after(() => {
  for (const f of cleanup) f();
});

async function listen(server: net.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanup.push(() => server.close());
  return (server.address() as AddressInfo).port;
}

interface Rig {
  /** The target's side of the exit connection: what it writes goes down the tunnel. */
  readonly target: net.Socket;
  /** The gateway's side of the client connection (the socket the relay writes to). */
  readonly gatewayClient: net.Socket;
  /** The far client, which reads what the relay writes. */
  readonly farClient: net.Socket;
  readonly conn: ProxyConnection;
}

/** Client ⇄ relay ⇄ target over four real sockets, the exit read through a shared reader as in a tunnel. */
async function rig(): Promise<Rig> {
  let targetSide!: net.Socket;
  const targetServer = net.createServer((s) => {
    targetSide = s;
  });
  const targetPort = await listen(targetServer);
  let gatewaySide!: net.Socket;
  const clientServer = net.createServer((s) => {
    gatewaySide = s;
  });
  const clientPort = await listen(clientServer);

  const reader = new SharedReader();
  const exit = net.connect({ host: '127.0.0.1', port: targetPort, onread: reader.onread });
  reader.bind(exit);
  await once(exit, 'connect');
  const farClient = net.connect({ host: '127.0.0.1', port: clientPort });
  await once(farClient, 'connect');
  await until(() => targetSide !== undefined && gatewaySide !== undefined, 5000, 'accepts');

  const conn = new ProxyConnection(1, gatewaySide, '127.0.0.1', Date.now());
  const account: GatewayAccount = {
    accountId: 1,
    userId: 1,
    productType: 9,
    maxTunnels: 100,
    maxUserTunnels: 100,
    charge: () => true,
    shaper: undefined,
    udp: false,
    admit: () => {},
    leave: () => {},
  };
  conn.account = account;
  conn.upstream = exit;
  relay(conn, gatewaySide, exit);
  cleanup.push(
    () => conn.destroy(),
    () => farClient.destroy(),
    () => targetSide.destroy(),
  );
  return { target: targetSide, gatewayClient: gatewaySide, farClient, conn };
}

test('a chunk queued by a write that returned true does not stall the tunnel', async () => {
  const { target, gatewayClient, farClient, conn } = await rig();
  farClient.pause();

  // Feed 4 KiB at a time, each only once the relay has taken the previous one, so every read of the exit is
  // smaller than the writer's high-water mark (16 KiB): the write that meets the full client buffer returns true.
  const CHUNK = 4096;
  let sent = 0;
  let trueButQueued = false;
  const write = gatewayClient.write.bind(gatewayClient);
  gatewayClient.write = ((...args: Parameters<net.Socket['write']>) => {
    const ok = write(...args);
    if (ok && gatewayClient.writableLength > 0) trueButQueued = true;
    return ok;
  }) as net.Socket['write'];
  while (gatewayClient.writableLength === 0) {
    target.write(pattern(sent, CHUNK));
    sent += CHUNK;
    await until(() => conn.down === sent, 5000, `the relay to read byte ${sent}`);
    assert.ok(sent < 256 * 1024 * 1024, 'the client buffer never filled');
  }
  assert.ok(trueButQueued, 'the write that met the full buffer returned true with bytes queued');

  // More behind it, then the client starts reading: everything must arrive, in order, bytes intact.
  const more = 8 * CHUNK;
  target.end(pattern(sent, more));
  const total = sent + more;
  const expected = createHash('sha256').update(pattern(0, total)).digest('hex');
  const hash = createHash('sha256');
  let received = 0;
  farClient.on('data', (c: Buffer) => {
    received += c.length;
    hash.update(c);
  });
  farClient.resume();
  await until(
    () => received === total,
    10_000,
    () => `all ${total} bytes (stalled at ${received})`,
  );
  assert.equal(hash.digest('hex'), expected);
});

const SIZE = 8 * 1024 * 1024;

for (const dialect of dialects()) {
  describe(`slow readers at every entry (${dialect})`, () => {
    let g: GatewayPlatform;
    let target: PatternTarget;
    let web: PatternTarget;
    let user: { userId: number; appKey: string; name: string; password: string };
    let upstream: PatternTarget;
    let staticPort: number;
    let leasedPort: number;
    const expected = patternDigest(SIZE);

    before(async () => {
      const range = await freePortRange(2);
      g = await startGatewayPlatform(dialect, {
        TOLLGATE_EXTRACT_PORTS: `${range.from}-${range.to}`,
        TOLLGATE_EXTRACT_HOST: '127.0.0.1',
        TOLLGATE_PUBLIC_HOST: '127.0.0.1',
      });
      target = await startPatternTarget();
      // An exit through an upstream HTTP proxy (read with 'data' events, not shared buffers), for `-country-de`.
      upstream = await startUpstreamHttpProxy();
      await g.tp.platform.services.nodes.add({ url: `http://127.0.0.1:${upstream.port}`, country: 'DE', types: [9] });
      web = await startPatternHttpTarget();
      user = await createProxyAccount(g.tp, 'slow1', 'pass1234', 4 * 1024 ** 3);
      const services = g.tp.platform.services;
      // The static-IP entry: a product-25 sub-account exiting through 127.0.0.3.
      await services.staticIps.add({ ip: '127.0.0.3', port: 8003, country: 'US', productType: 25 });
      await services.staticIps.allocate({ userId: user.userId, country: 'US', productType: 25, count: 1, days: 30 });
      await services.subAccounts.add(user.userId, 'slowstatic:pass1234', '', 25);
      staticPort = g.gw.staticAddress.port;
      // The extraction entry: a port leased to the user, served to its whitelisted 127.0.0.5 without credentials.
      await services.whiteIps.add(user.userId, '127.0.0.5', '');
      const answer = await call(g.tp.app, 'GET', '/gateway/ip/v3', { query: { app_key: user.appKey } });
      assert.equal(answer.code, 200, JSON.stringify(answer));
      leasedPort = Number((answer.data.list[0] as string[])[0]!.split(':')[1]);
      await g.gw.feed.sync();
    });
    after(async () => {
      await target?.close();
      await upstream?.close();
      await web?.close();
      await g?.close();
    });

    /** Asks the target for the patterned stream in 2 KiB writes and reads it slowly; checks every byte. */
    const download = async (socket: net.Socket) => {
      socket.write(`SEND ${SIZE} 2048\n`);
      const { data, maxGapMs } = await readSlowly(socket, SIZE);
      assert.equal(data.length, SIZE, `bytes received (longest gap ${maxGapMs.toFixed(0)} ms)`);
      assert.equal(createHash('sha256').update(data).digest('hex'), expected, 'every byte, in order');
      socket.destroy();
    };

    it('CONNECT tunnel on the main port', async () => {
      const t = await connectTunnel(g.port, `127.0.0.1:${target.port}`, `${user.name}:${user.password}`);
      assert.equal(t.status, 200, t.head);
      await download(t.socket);
    });

    it('CONNECT tunnel through an upstream HTTP proxy exit', async () => {
      const t = await connectTunnel(g.port, `127.0.0.1:${target.port}`, `${user.name}-country-de:${user.password}`);
      assert.equal(t.status, 200, t.head);
      await download(t.socket);
    });

    it('SOCKS5 tunnel on the main port', async () => {
      const { socket } = await SocksClient.createConnection({
        proxy: { host: '127.0.0.1', port: g.port, type: 5, userId: user.name, password: user.password },
        destination: { host: '127.0.0.1', port: target.port },
        command: 'connect',
        timeout: 5000,
      });
      await download(socket);
    });

    it('the static-IP entry', async () => {
      const t = await connectTunnel(staticPort, `127.0.0.1:${target.port}`, 'slowstatic:pass1234');
      assert.equal(t.status, 200, t.head);
      await download(t.socket);
    });

    it('the extraction entry, whitelisted without credentials', async () => {
      const t = await connectTunnel(leasedPort, `127.0.0.1:${target.port}`, undefined, { localAddress: '127.0.0.5' });
      assert.equal(t.status, 200, t.head);
      await download(t.socket);
    });

    it('HTTP forwarding', async () => {
      const socket = net.connect({ host: '127.0.0.1', port: g.port });
      await once(socket, 'connect');
      const auth = Buffer.from(`${user.name}:${user.password}`).toString('base64');
      socket.write(
        `GET http://127.0.0.1:${web.port}/pattern/${SIZE} HTTP/1.1\r\nHost: 127.0.0.1:${web.port}\r\n` +
          `Proxy-Authorization: Basic ${auth}\r\nConnection: close\r\n\r\n`,
      );
      const { data } = await readSlowly(socket, Number.POSITIVE_INFINITY);
      const bodyAt = data.indexOf('\r\n\r\n') + 4;
      assert.match(data.subarray(0, bodyAt).toString('latin1'), /^HTTP\/1\.1 200 /);
      const body = data.subarray(bodyAt);
      assert.equal(body.length, SIZE);
      assert.equal(createHash('sha256').update(body).digest('hex'), expected, 'every byte, in order');
    });

    it('upload to a target that reads slowly', async () => {
      const t = await connectTunnel(g.port, `127.0.0.1:${target.port}`, `${user.name}:${user.password}`);
      assert.equal(t.status, 200, t.head);
      t.socket.write(`SINK ${SIZE}\n`);
      let answer = '';
      t.socket.on('data', (c: Buffer) => {
        answer += c.toString('latin1');
      });
      t.socket.resume();
      await writePattern(t.socket, SIZE, 16 * 1024);
      await once(t.socket, 'close');
      assert.equal(answer.trim(), expected, 'the target received every byte, in order');
    });
  });
}
