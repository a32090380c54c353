/**
 * The proxy gateway end to end: real clients (curl, undici's ProxyAgent, the
 * socks package) through the gateway to targets on loopback, metering to the
 * byte, enforcement within a second, refusals, hostile clients.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { SocksClient } from 'socks';
import { ProxyAgent, fetch as undiciFetch } from 'undici';
import {
  closedWithin,
  connectTunnel,
  createProxyAccount,
  type GatewayPlatform,
  startEcho,
  startExchange,
  startGatewayPlatform,
  startHttpsTarget,
  startHttpTarget,
  type Target,
} from './helpers/gateway.js';
import { call, dialects } from './helpers/platform.js';

const run = promisify(execFile);

async function curl(args: string[]): Promise<{ code: number; body: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('curl', ['-sS', '--max-time', '15', ...args], { encoding: 'utf8' });
    return { code: 0, body: stdout, stderr };
  } catch (err: any) {
    return { code: err.code, body: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** Resolves with the time it took the socket to close. */

async function socksConnect(port: number, user: string, password: string, host: string, targetPort: number) {
  return SocksClient.createConnection({
    proxy: { host: '127.0.0.1', port, type: 5, userId: user, password },
    destination: { host, port: targetPort },
    command: 'connect',
    timeout: 10_000,
  });
}

async function echoOnce(socket: net.Socket, payload: string): Promise<string> {
  socket.write(payload);
  let got = '';
  while (got.length < payload.length) {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    got += chunk.toString();
  }
  return got;
}

for (const dialect of dialects()) {
  describe(`gateway on ${dialect}`, () => {
    let g: GatewayPlatform;
    let echo: Target;
    let web: Target;
    let tls: Target;
    let proxy: string;

    before(async () => {
      g = await startGatewayPlatform(dialect);
      echo = await startEcho();
      web = await startHttpTarget();
      tls = await startHttpsTarget();
      proxy = `127.0.0.1:${g.port}`;
    });
    after(async () => {
      await g.close();
      await echo.close();
      await web.close();
      await tls.close();
    });

    describe('real clients', () => {
      it('curl: HTTP forward requests, HTTPS through CONNECT, and SOCKS5 with names resolved at the exit', async () => {
        const a = await createProxyAccount(g.tp, 'curl1');
        const creds = `${a.name}:${a.password}`;
        const plain = await curl(['-x', `http://${creds}@${proxy}`, `http://127.0.0.1:${web.port}/bytes/1000`]);
        assert.equal(plain.body.length, 1000, plain.stderr);
        const secure = await curl(['-k', '-x', `http://${creds}@${proxy}`, `https://127.0.0.1:${tls.port}/bytes/700`]);
        assert.equal(secure.body.length, 700, secure.stderr);
        const socks = await curl(['--socks5-hostname', `${creds}@${proxy}`, `http://localhost:${web.port}/bytes/300`]);
        assert.equal(socks.body.length, 300, socks.stderr);
        const socksTls = await curl(['-k', '--socks5-hostname', `${creds}@${proxy}`, `https://localhost:${tls.port}/bytes/200`]);
        assert.equal(socksTls.body.length, 200, socksTls.stderr);
        // Keep-alive: two forward requests on one connection.
        const two = await curl([
          '-x',
          `http://${creds}@${proxy}`,
          `http://127.0.0.1:${web.port}/bytes/10`,
          `http://127.0.0.1:${web.port}/bytes/20`,
        ]);
        assert.equal(two.body.length, 30, two.stderr);
      });

      it('strips Proxy-* and hop-by-hop headers before forwarding', async () => {
        const a = await createProxyAccount(g.tp, 'hdr1');
        const res = await curl([
          '-x',
          `http://${a.name}:${a.password}@${proxy}`,
          '-H',
          'Proxy-Connection: keep-alive',
          '-H',
          'X-Custom: kept',
          `http://127.0.0.1:${web.port}/headers`,
        ]);
        const headers = JSON.parse(res.body);
        assert.equal(headers['proxy-authorization'], undefined);
        assert.equal(headers['proxy-connection'], undefined);
        assert.equal(headers['x-custom'], 'kept');
      });

      it('undici ProxyAgent: http and https targets', async () => {
        const a = await createProxyAccount(g.tp, 'undici1');
        const agent = new ProxyAgent({
          uri: `http://${proxy}`,
          token: `Basic ${Buffer.from(`${a.name}:${a.password}`).toString('base64')}`,
          requestTls: { rejectUnauthorized: false },
        });
        try {
          const r1 = await undiciFetch(`http://127.0.0.1:${web.port}/bytes/123`, { dispatcher: agent });
          assert.equal(r1.status, 200);
          assert.equal((await r1.arrayBuffer()).byteLength, 123);
          const r2 = await undiciFetch(`https://127.0.0.1:${tls.port}/bytes/321`, { dispatcher: agent });
          assert.equal(r2.status, 200);
          assert.equal((await r2.arrayBuffer()).byteLength, 321);
        } finally {
          await agent.close();
        }
      });

      it('relays a target that speaks first (a banner sent before the tunnel is up)', async () => {
        const a = await createProxyAccount(g.tp, 'banner1');
        const server = net.createServer((s) => {
          s.on('error', () => {});
          s.write('220 banner from the target\r\n');
          s.pipe(s);
        });
        server.listen(0, '127.0.0.1');
        await once(server, 'listening');
        const port = (server.address() as net.AddressInfo).port;
        try {
          for (const protocol of ['connect', 'socks5'] as const) {
            const socket =
              protocol === 'connect'
                ? (await connectTunnel(g.port, `127.0.0.1:${port}`, `${a.name}:${a.password}`)).socket
                : (await socksConnect(g.port, a.name, a.password, '127.0.0.1', port)).socket;
            let got = '';
            const done = new Promise<void>((resolve) => {
              socket.on('data', (c: Buffer) => {
                got += c.toString();
                if (got.endsWith('ping')) resolve();
              });
            });
            socket.resume();
            socket.write('ping');
            await done;
            assert.equal(got, '220 banner from the target\r\nping', protocol);
            socket.destroy();
          }
        } finally {
          server.close();
        }
      });

      it('the socks package: CONNECT with username/password to an IPv4 address and a name', async () => {
        const a = await createProxyAccount(g.tp, 'socks1');
        for (const host of ['127.0.0.1', 'localhost']) {
          const { socket } = await socksConnect(g.port, a.name, a.password, host, echo.port);
          assert.equal(await echoOnce(socket, 'hello through socks'), 'hello through socks');
          socket.destroy();
        }
      });
    });

    describe('metering', () => {
      for (const protocol of ['connect', 'socks5'] as const) {
        it(`counts every payload byte after the handshake, both ways, to the byte (${protocol})`, async () => {
          const a = await createProxyAccount(g.tp, `meter${protocol}`);
          const up = 12_345;
          const down = 54_321;
          const target = await startExchange(down);
          try {
            const socket =
              protocol === 'connect'
                ? (await connectTunnel(g.port, `127.0.0.1:${target.port}`, `${a.name}:${a.password}`)).socket
                : (await socksConnect(g.port, a.name, a.password, '127.0.0.1', target.port)).socket;
            let got = 0;
            socket.on('data', (c: Buffer) => {
              got += c.length;
            });
            socket.resume();
            socket.end(Buffer.alloc(up, 0x75));
            await once(socket, 'close');
            assert.equal(await target.received, up);
            assert.equal(got, down);
            await g.gw.meter.flush();
            const row = await g.tp.platform.storage.db
              .selectFrom('sub_accounts')
              .select('used_bytes')
              .where('username', '=', a.name)
              .executeTakeFirstOrThrow();
            assert.equal(Number(row.used_bytes), up + down);
            const hourly = await g.tp.platform.storage.db
              .selectFrom('usage_hourly')
              .select((eb) => eb.fn.sum<number>('bytes').as('total'))
              .where('username', '=', a.name)
              .executeTakeFirstOrThrow();
            assert.equal(Number(hourly.total), up + down);
            const listed = await call(g.tp.app, 'GET', '/gateway/whitelist-account/list', { query: { app_key: a.appKey } });
            assert.equal(listed.data.list[0].usage_flow, Math.floor((up + down) / 1024));
            const daily = await call(g.tp.app, 'GET', '/gateway/user-usage-flow/total', { query: { app_key: a.appKey } });
            assert.equal(daily.data.list.length, 8, 'seven days back to today, zeros included');
            assert.equal(daily.data.list.at(-1).flow, Math.floor((up + down) / 1024));
            assert.deepEqual(
              daily.data.list.slice(0, -1).map((d: any) => d.flow),
              [0, 0, 0, 0, 0, 0, 0],
            );
          } finally {
            await target.close();
          }
        });
      }

      it('shows usage through the API within about a second, without being asked to flush', async () => {
        const a = await createProxyAccount(g.tp, 'visible1');
        const res = await curl(['-x', `http://${a.name}:${a.password}@${proxy}`, `http://127.0.0.1:${web.port}/bytes/20480`]);
        assert.equal(res.body.length, 20_480);
        const t0 = performance.now();
        let usage = 0;
        while (usage < 20 && performance.now() - t0 < 5000) {
          const listed = await call(g.tp.app, 'GET', '/gateway/whitelist-account/list', { query: { app_key: a.appKey } });
          usage = listed.data.list[0].usage_flow;
          if (usage < 20) await new Promise((r) => setTimeout(r, 50));
        }
        assert.ok(usage >= 20, `usage_flow ${usage} KB after ${performance.now() - t0} ms`);
        // Generous bound for shared machines; bench:gateway-style figures belong in benchmarks.
        assert.ok(performance.now() - t0 < 3000, `usage visible after ${performance.now() - t0} ms`);
      });
    });

    describe('enforcement within a second', () => {
      const cases: [string, (a: { appKey: string; name: string }) => Promise<unknown>][] = [
        [
          'disable',
          (a) => call(g.tp.app, 'POST', '/gateway/whitelist-account/disable', { json: { app_key: a.appKey, accounts: a.name } }),
        ],
        [
          'delete',
          (a) => call(g.tp.app, 'POST', '/gateway/whitelist-account/delete', { json: { app_key: a.appKey, accounts: a.name } }),
        ],
        [
          'change-password',
          (a) =>
            call(g.tp.app, 'POST', '/gateway/whitelist-account/change-password', {
              json: { app_key: a.appKey, account: a.name, password: 'newpass99' },
            }),
        ],
      ];
      for (const [what, act] of cases) {
        it(`${what} closes an open tunnel and refuses new connections`, async () => {
          const a = await createProxyAccount(g.tp, `cut${what.replace('-', '')}`);
          const { socket, status } = await connectTunnel(g.port, `127.0.0.1:${echo.port}`, `${a.name}:${a.password}`);
          assert.equal(status, 200);
          socket.resume();
          const closed = closedWithin(socket);
          const answer = (await act(a)) as { code: number };
          assert.equal(answer.code, 200);
          const ms = await closed;
          assert.ok(ms < 3000, `tunnel closed after ${ms} ms`);
          const again = await connectTunnel(g.port, `127.0.0.1:${echo.port}`, `${a.name}:${a.password}`);
          assert.equal(again.status, what === 'disable' ? 403 : 407, again.head);
          again.socket.destroy();
        });
      }

      it('a reached limit closes open tunnels (overshoot at most one read buffer) and a raised limit lets the account in again', async () => {
        const a = await createProxyAccount(g.tp, 'limit1');
        const limit = 1024 ** 3;
        // 1 GB is the smallest limit: start the account just under it.
        await g.tp.platform.storage.db
          .updateTable('sub_accounts')
          .set({ used_bytes: limit - 10_000 })
          .where('username', '=', a.name)
          .execute();
        assert.equal(
          (
            await call(g.tp.app, 'POST', '/gateway/whitelist-account/change-limit', {
              json: { app_key: a.appKey, account: a.name, limit: 1 },
            })
          ).code,
          200,
        );
        await g.gw.feed.sync();
        const { socket, status } = await connectTunnel(g.port, `127.0.0.1:${echo.port}`, `${a.name}:${a.password}`);
        assert.equal(status, 200);
        let echoed = 0;
        socket.on('data', (c: Buffer) => {
          echoed += c.length;
        });
        const closed = closedWithin(socket);
        for (let i = 0; i < 10 && !socket.destroyed; i++) socket.write(Buffer.alloc(4096, 0x41));
        const ms = await closed;
        assert.ok(ms < 3000, `tunnel closed after ${ms} ms`);
        await g.gw.meter.flush();
        const row = await g.tp.platform.storage.db
          .selectFrom('sub_accounts')
          .select('used_bytes')
          .where('username', '=', a.name)
          .executeTakeFirstOrThrow();
        const over = Number(row.used_bytes) - limit;
        assert.ok(over >= 0 && over <= 2 * 64 * 1024, `overshoot ${over} bytes (echoed ${echoed})`);
        const refused = await connectTunnel(g.port, `127.0.0.1:${echo.port}`, `${a.name}:${a.password}`);
        assert.equal(refused.status, 403);
        assert.match(refused.head, /TG_ERR_QUOTA_ACCOUNT_LIMIT/);
        refused.socket.destroy();
        await call(g.tp.app, 'POST', '/gateway/whitelist-account/change-limit', {
          json: { app_key: a.appKey, account: a.name, limit: 2 },
        });
        const t0 = performance.now();
        let status2 = 0;
        while (status2 !== 200 && performance.now() - t0 < 3000) {
          const t = await connectTunnel(g.port, `127.0.0.1:${echo.port}`, `${a.name}:${a.password}`);
          status2 = t.status;
          t.socket.destroy();
          if (status2 !== 200) await new Promise((r) => setTimeout(r, 50));
        }
        assert.equal(status2, 200, 'a raised limit lets the account in again');
      });

      it('disabling the user closes the tunnels of all its accounts', async () => {
        const a = await createProxyAccount(g.tp, 'userdis1');
        const { socket } = await connectTunnel(g.port, `127.0.0.1:${echo.port}`, `${a.name}:${a.password}`);
        socket.resume();
        const closed = closedWithin(socket);
        await g.tp.platform.services.users.update(a.userId, { status: 0 });
        assert.ok((await closed) < 3000);
      });
    });

    describe('refusals', () => {
      it('HTTP: 407 without or with wrong credentials, with Proxy-Authenticate and Proxy-Status', async () => {
        const a = await createProxyAccount(g.tp, 'refuse1');
        for (const auth of [undefined, `${a.name}:wrong`, 'nobody:pass1234']) {
          const t = await connectTunnel(g.port, `127.0.0.1:${echo.port}`, auth);
          assert.equal(t.status, 407, t.head);
          assert.match(t.head, /Proxy-Authenticate: Basic realm="tollgate"/);
          assert.match(t.head, /Proxy-Status: tollgate; error=http_request_denied; details="TG_ERR_PROXY_AUTH_(REQUIRED|FAILED)/);
          t.socket.destroy();
        }
      });

      it('HTTP: 400 for bad username parameters, 503 with no exit for the country, 502 when the target refuses', async () => {
        const a = await createProxyAccount(g.tp, 'refuse2');
        const bad = await connectTunnel(g.port, `127.0.0.1:${echo.port}`, `${a.name}-colour-red:${a.password}`);
        assert.equal(bad.status, 400);
        assert.match(bad.head, /X-Tollgate-Error: 4003/);
        assert.match(bad.head, /unknown key \\"colour\\"/);
        bad.socket.destroy();
        const geo = await connectTunnel(g.port, `127.0.0.1:${echo.port}`, `${a.name}-country-de:${a.password}`);
        assert.equal(geo.status, 503);
        assert.match(geo.head, /error=destination_unavailable; details="TG_ERR_PROXY_NO_EXIT: No exit available: no .*DE/);
        geo.socket.destroy();
        const closedPort = await freePort();
        const refused = await connectTunnel(g.port, `127.0.0.1:${closedPort}`, `${a.name}:${a.password}`);
        assert.equal(refused.status, 502);
        assert.match(refused.head, /error=connection_refused/);
        refused.socket.destroy();
      });

      it('SOCKS5: a failed login, connection refused (0x05), unsupported command (0x07)', async () => {
        const a = await createProxyAccount(g.tp, 'refuse3');
        await assert.rejects(socksConnect(g.port, a.name, 'wrong', '127.0.0.1', echo.port), /Authentication failed/);
        const closedPort = await freePort();
        await assert.rejects(socksConnect(g.port, a.name, a.password, '127.0.0.1', closedPort), /ConnectionRefused/);
        // BIND by hand (the socks package will not send it through createConnection).
        const raw = net.connect(g.port, '127.0.0.1');
        await once(raw, 'connect');
        const user = Buffer.from(a.name);
        const pass = Buffer.from(a.password);
        raw.write(Buffer.from([0x05, 0x01, 0x02]));
        assert.deepEqual([...((await once(raw, 'data')) as [Buffer])[0]], [0x05, 0x02]);
        raw.write(Buffer.concat([Buffer.from([0x01, user.length]), user, Buffer.from([pass.length]), pass]));
        assert.deepEqual([...((await once(raw, 'data')) as [Buffer])[0]], [0x01, 0x00]);
        raw.write(Buffer.from([0x05, 0x02, 0x00, 0x01, 127, 0, 0, 1, 0x1f, 0x90]));
        const [replyBytes] = (await once(raw, 'data')) as [Buffer];
        assert.equal(replyBytes[1], 0x07, 'command not supported');
        raw.destroy();
      });

      it('a disabled account is refused: 403 over HTTP, reply 0x02 over SOCKS5', async () => {
        const a = await createProxyAccount(g.tp, 'refuse4');
        await call(g.tp.app, 'POST', '/gateway/whitelist-account/disable', { json: { app_key: a.appKey, accounts: a.name } });
        await g.gw.feed.sync();
        const t = await connectTunnel(g.port, `127.0.0.1:${echo.port}`, `${a.name}:${a.password}`);
        assert.equal(t.status, 403);
        assert.match(t.head, /TG_ERR_PROXY_ACCOUNT_DISABLED/);
        t.socket.destroy();
        await assert.rejects(socksConnect(g.port, a.name, a.password, '127.0.0.1', echo.port), /NotAllowed/);
      });

      it('accounts of other product types cannot use this entry, and the answer does not tell names apart', async () => {
        // A static-IP account (type 14) belongs to the static-IP port.
        const user = await g.tp.platform.services.users.create({ email: 'type14@example.com' });
        await g.tp.platform.services.subAccounts.add(user.user.id, 'type14acct:pass1234', '', 14);
        const t = await connectTunnel(g.port, `127.0.0.1:${echo.port}`, 'type14acct:pass1234');
        const unknown = await connectTunnel(g.port, `127.0.0.1:${echo.port}`, 'nosuchname:pass1234');
        assert.equal(t.status, 407);
        assert.equal(t.head.replace(/Content-Length: \d+/, ''), unknown.head.replace(/Content-Length: \d+/, ''));
        t.socket.destroy();
        unknown.socket.destroy();
      });
    });

    describe('hostile clients', () => {
      it('garbage and half-sent requests leave the gateway serving', async () => {
        const a = await createProxyAccount(g.tp, 'hostile1');
        const garbage = net.connect(g.port, '127.0.0.1');
        garbage.on('error', () => {});
        garbage.write(Buffer.from([0x05, 0xff, 0x00, 0x13, 0x37]));
        garbage.write(Buffer.alloc(2000, 0xff));
        const junk = net.connect(g.port, '127.0.0.1');
        junk.on('error', () => {});
        junk.write('\x00\x01\x02 not http at all\r\n\r\n');
        const big = net.connect(g.port, '127.0.0.1');
        big.on('error', () => {});
        big.write(`GET http://x/ HTTP/1.1\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`);
        for (const s of [garbage, junk, big]) s.resume();
        await Promise.all([once(garbage, 'close'), once(junk, 'close'), once(big, 'close')]);
        // A client that never reads is closed by the gateway all the same: its registry entry goes.
        const mute = net.connect(g.port, '127.0.0.1');
        mute.on('error', () => {});
        mute.write('\x00garbage\r\n\r\n');
        await once(mute, 'connect');
        const before = g.gw.gateway.registry.size;
        assert.ok(before >= 1);
        const t0 = performance.now();
        while (g.gw.gateway.registry.size >= before && performance.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50));
        assert.ok(g.gw.gateway.registry.size < before, 'the gateway let go of a client that never reads');
        mute.destroy();
        const ok = await curl(['-x', `http://${a.name}:${a.password}@${proxy}`, `http://127.0.0.1:${web.port}/bytes/5`]);
        assert.equal(ok.body.length, 5);
      });
    });
  });
}

describe('gateway safety and timeouts', () => {
  it('refuses private targets by default, checked on the resolved address (names included)', async () => {
    const g = await startGatewayPlatform('sqlite', { TOLLGATE_ALLOW_PRIVATE_TARGETS: '0' });
    const echo = await startEcho();
    try {
      const a = await createProxyAccount(g.tp, 'private1');
      for (const host of ['127.0.0.1', 'localhost', '[::1]', '10.0.0.1', '169.254.169.254']) {
        const t = await connectTunnel(g.port, `${host}:${echo.port}`, `${a.name}:${a.password}`);
        assert.equal(t.status, 403, `${host}: ${t.head}`);
        assert.match(t.head, /error=destination_ip_prohibited/);
        t.socket.destroy();
      }
      await assert.rejects(socksConnect(g.port, a.name, a.password, 'localhost', echo.port), /NotAllowed/);
    } finally {
      await echo.close();
      await g.close();
    }
  });

  it('refuses blocked ports and the gateway itself even when private targets are allowed', async () => {
    const g = await startGatewayPlatform('sqlite', { TOLLGATE_BLOCKED_PORTS: '25,2525' });
    try {
      const a = await createProxyAccount(g.tp, 'ports1');
      for (const target of ['127.0.0.1:2525', `127.0.0.1:${g.port}`]) {
        const t = await connectTunnel(g.port, target, `${a.name}:${a.password}`);
        assert.equal(t.status, 403, `${target}: ${t.head}`);
        t.socket.destroy();
      }
    } finally {
      await g.close();
    }
  });

  it('closes clients that do not finish the handshake in time, and keeps serving', async () => {
    const g = await startGatewayPlatform('sqlite', { TOLLGATE_HANDSHAKE_TIMEOUT_MS: '300' });
    const web = await startHttpTarget();
    try {
      const a = await createProxyAccount(g.tp, 'slow1');
      const slow = net.connect(g.port, '127.0.0.1');
      slow.on('error', () => {});
      slow.write('CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: x');
      let answer = '';
      slow.on('data', (c: Buffer) => {
        answer += c.toString();
      });
      const silentSocks = net.connect(g.port, '127.0.0.1');
      silentSocks.on('error', () => {});
      silentSocks.write(Buffer.from([0x05, 0x01, 0x02]));
      silentSocks.resume();
      await Promise.all([once(slow, 'close'), once(silentSocks, 'close')]);
      assert.match(answer, /^HTTP\/1.1 408/);
      const ok = await curl(['-x', `http://${a.name}:${a.password}@127.0.0.1:${g.port}`, `http://127.0.0.1:${web.port}/bytes/7`]);
      assert.equal(ok.body.length, 7);
    } finally {
      await web.close();
      await g.close();
    }
  });

  it('slows, then refuses, an address that keeps failing to log in', async () => {
    const g = await startGatewayPlatform('sqlite', { TOLLGATE_AUTH_FAIL_SLOW_AFTER: '3', TOLLGATE_AUTH_FAIL_BLOCK_AFTER: '4' });
    try {
      const a = await createProxyAccount(g.tp, 'brute1');
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = await connectTunnel(g.port, '127.0.0.1:9', `${a.name}:wrong${i}`);
        statuses.push(t.status);
        t.socket.destroy();
      }
      assert.deepEqual(statuses, [407, 407, 407, 407, 429]);
      // Blocked: even the right password is refused for a while.
      const right = await connectTunnel(g.port, '127.0.0.1:9', `${a.name}:${a.password}`);
      assert.equal(right.status, 429);
      right.socket.destroy();
    } finally {
      await g.close();
    }
  });

  it('rotates exits per connection, keeps a session on one exit, and filters by geo', async () => {
    const g = await startGatewayPlatform(
      'sqlite',
      {},
      {
        nodes: [
          { url: 'direct://127.0.0.2', country: 'US', state: 'ca' },
          { url: 'direct://127.0.0.3', country: 'US', state: 'ny' },
          { url: 'direct://127.0.0.4', country: 'GB' },
        ],
      },
    );
    const web = await startHttpTarget();
    try {
      const a = await createProxyAccount(g.tp, 'rotate1');
      const ip = async (user: string) =>
        (await curl(['-x', `http://${user}:${a.password}@127.0.0.1:${g.port}`, `http://127.0.0.1:${web.port}/ip`])).body.replace(
          '::ffff:',
          '',
        );
      const seen = new Set<string>();
      for (let i = 0; i < 30 && seen.size < 3; i++) seen.add(await ip(a.name));
      assert.deepEqual([...seen].sort(), ['127.0.0.2', '127.0.0.3', '127.0.0.4']);
      const sticky = new Set<string>();
      for (let i = 0; i < 8; i++) sticky.add(await ip(`${a.name}-session-abc123-life-30`));
      assert.equal(sticky.size, 1);
      for (let i = 0; i < 5; i++) assert.equal(await ip(`${a.name}-country-gb`), '127.0.0.4');
      for (let i = 0; i < 5; i++) assert.equal(await ip(`${a.name}-country-us-state-ny`), '127.0.0.3');
    } finally {
      await web.close();
      await g.close();
    }
  });

  it('a graceful stop writes every metered byte', async () => {
    const g = await startGatewayPlatform('sqlite', { TOLLGATE_METER_FLUSH_MS: '60000' });
    const target = await startExchange(777);
    try {
      const a = await createProxyAccount(g.tp, 'stop1');
      const { socket } = await connectTunnel(g.port, `127.0.0.1:${target.port}`, `${a.name}:${a.password}`);
      socket.resume();
      socket.end(Buffer.alloc(333, 0x41));
      await once(socket, 'close');
      const before = await g.tp.platform.storage.db
        .selectFrom('sub_accounts')
        .select('used_bytes')
        .where('username', '=', a.name)
        .executeTakeFirstOrThrow();
      assert.equal(Number(before.used_bytes), 0, 'nothing flushed yet with a one-minute interval');
      await g.gw.close();
      const after = await g.tp.platform.storage.db
        .selectFrom('sub_accounts')
        .select('used_bytes')
        .where('username', '=', a.name)
        .executeTakeFirstOrThrow();
      assert.equal(Number(after.used_bytes), 333 + 777);
    } finally {
      await target.close();
      await g.tp.close();
    }
  });

  it('serves Prometheus metrics', async () => {
    const g = await startGatewayPlatform('sqlite');
    try {
      const text = await g.gw.gateway.metrics.registry.metrics();
      for (const name of [
        'tollgate_gateway_open_connections',
        'tollgate_gateway_connections_total',
        'tollgate_gateway_bytes_total',
        'tollgate_gateway_auth_failures_total',
        'tollgate_exit_nodes',
      ]) {
        assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'));
      }
      assert.match(text, /^tollgate_exit_nodes\{state="healthy"\} 1$/m);
    } finally {
      await g.close();
    }
  });
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}
