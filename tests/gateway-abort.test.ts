/**
 * A connection the gateway closes while it is still dialling the exit (its
 * account disabled meanwhile) aborts the dial: the half-open upstream
 * connection is closed at once, not left to the connect timeout.
 *
 * So does a client that resets its connection. A client that only half-closes
 * (FIN) may still read, so the gateway goes on; its handshake deadline bounds
 * that dial.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { closedWithin, createProxyAccount, type GatewayPlatform, startGatewayPlatform } from './helpers/gateway.js';

describe('a client leaving mid-dial', () => {
  let silent: net.Server;
  let g: GatewayPlatform;
  const upstream: net.Socket[] = [];

  before(async () => {
    // An upstream proxy that accepts and never answers: the dial waits on it.
    silent = net.createServer((s) => {
      s.on('error', () => {});
      // Read (and drop) what arrives, so the end of the connection is seen.
      s.resume();
      upstream.push(s);
    });
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const port = (silent.address() as net.AddressInfo).port;
    g = await startGatewayPlatform(
      'sqlite',
      { TOLLGATE_CONNECT_TIMEOUT_MS: '30000' },
      { nodes: [{ url: `http://127.0.0.1:${port}`, country: 'US' }] },
    );
  });
  after(async () => {
    for (const s of upstream) s.destroy();
    silent?.close();
    await g?.close();
  });

  /** Opens a connection that gets as far as dialling the (silent) exit; resolves with both ends. */
  async function dialling(protocol: 'connect' | 'socks5', name: string, password: string) {
    const before = upstream.length;
    const client = net.connect(g.port, '127.0.0.1');
    client.on('error', () => {});
    await once(client, 'connect');
    if (protocol === 'connect') {
      const auth = Buffer.from(`${name}:${password}`).toString('base64');
      client.write(`CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\nProxy-Authorization: Basic ${auth}\r\n\r\n`);
    } else {
      client.write(Buffer.from([5, 1, 2]));
      await once(client, 'data');
      const u = Buffer.from(name);
      const p = Buffer.from(password);
      client.write(Buffer.concat([Buffer.from([1, u.length]), u, Buffer.from([p.length]), p]));
      await once(client, 'data');
      const host = Buffer.from('example.com');
      client.write(Buffer.concat([Buffer.from([5, 1, 0, 3, host.length]), host, Buffer.from([1, 187])]));
    }
    const t0 = performance.now();
    while (upstream.length === before && performance.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 10));
    assert.equal(upstream.length, before + 1, 'the gateway is dialling the exit');
    return { client, exit: upstream[upstream.length - 1]! };
  }

  for (const protocol of ['connect', 'socks5'] as const) {
    it(`${protocol}: an account disabled mid-dial aborts the exit dial`, async () => {
      const a = await createProxyAccount(g.tp, `abortd${protocol}`);
      const { client, exit } = await dialling(protocol, a.name, a.password);
      const closed = closedWithin(exit);
      await g.tp.platform.services.subAccounts.setStatus(a.userId, a.name, false);
      await g.gw.feed.sync();
      const ms = await closed;
      client.destroy();
      assert.ok(ms < 3000, `the exit dial was dropped ${ms} ms after the account was disabled (connect timeout 30 s)`);
    });

    it(`${protocol}: a client that resets mid-dial aborts the exit dial`, async () => {
      const a = await createProxyAccount(g.tp, `abortr${protocol}`);
      const { client, exit } = await dialling(protocol, a.name, a.password);
      const closed = closedWithin(exit);
      client.resetAndDestroy();
      const ms = await closed;
      assert.ok(ms < 3000, `the exit dial was dropped ${ms} ms after the client reset (connect timeout 30 s)`);
    });
  }
});
