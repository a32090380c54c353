/**
 * Abuse resistance at the proxy gateway, over real sockets from distinct loopback addresses: failure budgets
 * that concurrency cannot outrun (per address, per account name), connection slots that idle strangers
 * cannot take from paying users, the documented refusal at every cap, and per-account / per-user tunnel
 * shares with operator overrides.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { describe, it } from 'node:test';
import { SocksClient } from 'socks';
import {
  connectTunnel,
  createProxyAccount,
  type GatewayPlatform,
  startEcho,
  startGatewayPlatform,
  type Target,
} from './helpers/gateway.js';
import { call } from './helpers/platform.js';

/** `n` sockets from `localAddress`, all connected before any of them says a word. */
async function openSockets(port: number, n: number, localAddress: string): Promise<net.Socket[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const socket = net.connect({ port, host: '127.0.0.1', localAddress });
      socket.on('error', () => {});
      await once(socket, 'connect');
      return socket;
    }),
  );
}

/** Everything the gateway answers on `socket` until it closes or sends a whole response head ('' when it closes silently). */
function answerOf(socket: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const done = () => {
      socket.off('data', onData);
      resolve(text);
    };
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (text.includes('\r\n\r\n')) done();
    };
    socket.on('data', onData);
    socket.once('close', done);
  });
}

function connectRequest(target: string, auth: string): string {
  return `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\nProxy-Authorization: Basic ${Buffer.from(auth).toString('base64')}\r\n\r\n`;
}

/** Status and X-Tollgate-Error of an answer head (status 0: closed without a word). */
function parse(head: string): { status: number; code: number } {
  return { status: Number(head.slice(9, 12)) || 0, code: Number(/X-Tollgate-Error: (\d+)/.exec(head)?.[1] ?? 0) };
}

/**
 * Opens one socket per `auth` from its address, all connected first, then writes every CONNECT in order in
 * one go: all of them are in flight at once, and the gateway reads them in that order.
 */
async function burst(
  port: number,
  target: string,
  attempts: readonly { auth: string; from: string }[],
): Promise<{ status: number; code: number }[]> {
  const byAddress = new Map<string, number>();
  for (const a of attempts) byAddress.set(a.from, (byAddress.get(a.from) ?? 0) + 1);
  const pools = new Map<string, net.Socket[]>();
  for (const [from, n] of byAddress) pools.set(from, await openSockets(port, n, from));
  const sockets = attempts.map((a) => pools.get(a.from)!.shift()!);
  const answers = sockets.map(answerOf);
  sockets.forEach((socket, i) => socket.write(connectRequest(target, attempts[i]!.auth)));
  const heads = await Promise.all(answers);
  for (const s of sockets) s.destroy();
  return heads.map(parse);
}

async function tunnelFrom(port: number, target: string, auth: string, localAddress = '127.0.0.1') {
  try {
    const t = await connectTunnel(port, target, auth, { localAddress });
    return { ...parse(t.head), head: t.head, socket: t.socket };
  } catch {
    return { status: 0, code: 0, head: '', socket: undefined };
  }
}

async function authFailures(g: GatewayPlatform): Promise<number> {
  const text = await g.gw.gateway.metrics.registry.metrics();
  return Number(/^tollgate_gateway_auth_failures_total (\d+)$/m.exec(text)?.[1] ?? NaN);
}

async function socksError(port: number, user: string, password: string, targetPort: number, localAddress = '127.0.0.1') {
  try {
    const { socket } = await SocksClient.createConnection({
      proxy: { host: '127.0.0.1', port, type: 5, userId: user, password },
      destination: { host: '127.0.0.1', port: targetPort },
      command: 'connect',
      timeout: 10_000,
      ...({ socket_options: { localAddress } } as object),
    });
    socket.destroy();
    return 'connected';
  } catch (err) {
    return (err as Error).message;
  }
}

/** `n` tunnels opened one after the other, each of which must be let in. */
async function openTunnels(g: GatewayPlatform, target: string, auth: string, n: number) {
  const open = [];
  for (let i = 0; i < n; i++) open.push(await tunnelFrom(g.port, target, auth));
  assert.deepEqual(
    open.map((t) => t.status),
    Array(n).fill(200),
  );
  return open;
}

/** Closes a client socket and waits until the gateway has let its connection go (bounded). */
async function closeAndRelease(g: GatewayPlatform, socket: net.Socket): Promise<void> {
  const registry = g.gw.gateway.registry;
  const before = registry.size;
  socket.destroy();
  for (let i = 0; i < 10_000 && registry.size >= before; i++) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(registry.size < before, 'the gateway saw the close');
}

async function withGateway(env: Record<string, string>, fn: (g: GatewayPlatform, echo: Target) => Promise<void>) {
  const g = await startGatewayPlatform('sqlite', env);
  const echo = await startEcho();
  try {
    await fn(g, echo);
  } finally {
    await echo.close();
    await g.close();
  }
}

describe('proxy login budgets count attempts, not finished checks', () => {
  it('200 simultaneous wrong guesses from one address get no more checks than 20 sequential ones; the right password after them is refused', async () => {
    await withGateway({ TOLLGATE_AUTH_FAIL_SLOW_AFTER: '5', TOLLGATE_AUTH_FAIL_BLOCK_AFTER: '20' }, async (g, echo) => {
      const a = await createProxyAccount(g.tp, 'burst1');
      const target = `127.0.0.1:${echo.port}`;
      const attempts = Array.from({ length: 200 }, (_, i) => ({ auth: `${a.name}:wrong${i}`, from: '127.0.0.1' }));
      // The right password, in flight with the others, read after them.
      attempts.push({ auth: `${a.name}:${a.password}`, from: '127.0.0.1' });
      const answers = await burst(g.port, target, attempts);
      const checked = answers.filter((x) => x.code === 4002).length;
      assert.ok(checked >= 1 && checked <= 20, `${checked} passwords checked`);
      assert.equal(answers.filter((x) => x.code === 4004 && x.status === 429).length, 201 - checked);
      assert.deepEqual(answers[200], { status: 429, code: 4004 }, 'the right password, once the budget is spent');
      assert.ok((await authFailures(g)) <= 20);
      // The address is refused for a while, the name is not: its owner elsewhere still gets in.
      assert.equal((await tunnelFrom(g.port, target, `${a.name}:${a.password}`)).code, 4004);
      const owner = await tunnelFrom(g.port, target, `${a.name}:${a.password}`, '127.0.0.5');
      assert.equal(owner.status, 200, owner.head);
      owner.socket?.destroy();
    });
  });

  it('a name guessed from many addresses at once gets no more checks than its budget; addresses that signed in before keep going', async () => {
    await withGateway(
      { TOLLGATE_AUTH_FAIL_SLOW_AFTER: '1000', TOLLGATE_AUTH_FAIL_BLOCK_AFTER: '1000', TOLLGATE_AUTH_FAIL_PER_NAME: '10' },
      async (g, echo) => {
        const a = await createProxyAccount(g.tp, 'spread1');
        const target = `127.0.0.1:${echo.port}`;
        const known = await tunnelFrom(g.port, target, `${a.name}:${a.password}`, '127.0.0.20');
        assert.equal(known.status, 200);
        known.socket?.destroy();
        const attempts = Array.from({ length: 60 }, (_, i) => ({ auth: `${a.name}:wrong${i}`, from: `127.0.0.${21 + (i % 6)}` }));
        const answers = await burst(g.port, target, attempts);
        const checked = answers.filter((x) => x.code === 4002).length;
        assert.ok(checked >= 1 && checked <= 10, `${checked} passwords checked`);
        assert.equal(answers.filter((x) => x.code === 4018 && x.status === 429).length, 60 - checked);
        // A stranger with the right password waits; the address that signed in before does not.
        assert.equal((await tunnelFrom(g.port, target, `${a.name}:${a.password}`, '127.0.0.27')).code, 4018);
        const again = await tunnelFrom(g.port, target, `${a.name}:${a.password}`, '127.0.0.20');
        assert.equal(again.status, 200, again.head);
        again.socket?.destroy();
        // Other names are not affected.
        const b = await createProxyAccount(g.tp, 'spread2');
        const other = await tunnelFrom(g.port, target, `${b.name}:${b.password}`, '127.0.0.27');
        assert.equal(other.status, 200, other.head);
        other.socket?.destroy();
      },
    );
  });

  it('holds SOCKS5 logins to the same budget', async () => {
    await withGateway({ TOLLGATE_AUTH_FAIL_SLOW_AFTER: '5', TOLLGATE_AUTH_FAIL_BLOCK_AFTER: '5' }, async (g, echo) => {
      const a = await createProxyAccount(g.tp, 'socksburst');
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => socksError(g.port, a.name, `wrong${i}`, echo.port, '127.0.0.30')),
      );
      assert.equal(results.filter((r) => r === 'connected').length, 0);
      assert.ok((await authFailures(g)) <= 5, `${await authFailures(g)} checks`);
      assert.notEqual(await socksError(g.port, a.name, a.password, echo.port, '127.0.0.30'), 'connected');
      assert.equal(await socksError(g.port, a.name, a.password, echo.port, '127.0.0.31'), 'connected');
    });
  });
});

describe('connection slots', () => {
  it('300 idle strangers from one address do not keep a paying user out (TOLLGATE_MAX_CONNECTIONS=200)', async () => {
    await withGateway({ TOLLGATE_MAX_CONNECTIONS: '200' }, async (g, echo) => {
      const a = await createProxyAccount(g.tp, 'payer1');
      const strangers = await openSockets(g.port, 300, '127.0.0.3');
      const answers = strangers.map(answerOf);
      try {
        const t = await tunnelFrom(g.port, `127.0.0.1:${echo.port}`, `${a.name}:${a.password}`);
        assert.equal(t.status, 200, t.head);
        t.socket!.write('ping');
        t.socket!.resume();
        const [echoed] = (await once(t.socket!, 'data')) as [Buffer];
        assert.equal(echoed.toString(), 'ping');
        t.socket!.destroy();
        // The address holds no more than its share of the handshake pool (a quarter of it), and a stranger past
        // that share who speaks is told why, with the documented refusal.
        assert.ok(g.gw.gateway.admission.handshaking <= 16, `${g.gw.gateway.admission.handshaking} handshakes`);
        const last = strangers[299]!;
        last.write(connectRequest('127.0.0.1:9', 'nobody:nothing'));
        const refused = await answers[299]!;
        assert.match(refused, /^HTTP\/1\.1 503 /);
        assert.match(refused, /Proxy-Status: tollgate; error=connection_limit_reached/);
        assert.match(refused, /X-Tollgate-Error: 4013/);
      } finally {
        for (const s of strangers) s.destroy();
      }
    });
  });

  it('answers the documented refusal at the authenticated cap: HTTP 503 with Proxy-Status, SOCKS5 reply 0x01', async () => {
    await withGateway({ TOLLGATE_MAX_CONNECTIONS: '2' }, async (g, echo) => {
      const a = await createProxyAccount(g.tp, 'full1');
      const target = `127.0.0.1:${echo.port}`;
      const open = await openTunnels(g, target, `${a.name}:${a.password}`, 2);
      const third = await tunnelFrom(g.port, target, `${a.name}:${a.password}`);
      assert.equal(third.status, 503, third.head);
      assert.equal(third.code, 4013);
      assert.match(third.head, /Proxy-Status: tollgate; error=connection_limit_reached/);
      assert.match(await socksError(g.port, a.name, a.password, echo.port), /- Failure$/);
      await closeAndRelease(g, open[0]!.socket!);
      const again = await tunnelFrom(g.port, target, `${a.name}:${a.password}`);
      assert.equal(again.status, 200, again.head);
      again.socket?.destroy();
      open[1]!.socket!.destroy();
    });
  });

  it('refuses an address over its share of handshakes with the documented refusal, and serves other addresses', async () => {
    await withGateway({ TOLLGATE_MAX_HANDSHAKES_PER_IP: '3' }, async (g, echo) => {
      const a = await createProxyAccount(g.tp, 'share1');
      const target = `127.0.0.1:${echo.port}`;
      const idle = await openSockets(g.port, 3, '127.0.0.4');
      try {
        const over = await tunnelFrom(g.port, target, `${a.name}:${a.password}`, '127.0.0.4');
        assert.equal(over.status, 503, over.head);
        assert.equal(over.code, 4013);
        assert.match(over.head, /Proxy-Status: tollgate; error=connection_limit_reached/);
        assert.match(await socksError(g.port, a.name, a.password, echo.port, '127.0.0.4'), /- Failure$/);
        const elsewhere = await tunnelFrom(g.port, target, `${a.name}:${a.password}`, '127.0.0.1');
        assert.equal(elsewhere.status, 200, elsewhere.head);
        elsewhere.socket?.destroy();
      } finally {
        for (const s of idle) s.destroy();
      }
    });
  });
});

describe('tunnel shares per sub-account and per user', () => {
  it('caps open tunnels per sub-account and per user, with the operator’s override per user', async () => {
    await withGateway({ TOLLGATE_TUNNELS_PER_ACCOUNT: '2', TOLLGATE_TUNNELS_PER_USER: '3' }, async (g, echo) => {
      const a = await createProxyAccount(g.tp, 'share2a');
      await g.tp.platform.services.subAccounts.add(a.userId, 'share2b:pass1234', '', 9);
      const target = `127.0.0.1:${echo.port}`;
      const open = await openTunnels(g, target, `${a.name}:${a.password}`, 2);
      const third = await tunnelFrom(g.port, target, `${a.name}:${a.password}`);
      assert.equal(third.status, 429, third.head);
      assert.equal(third.code, 4019);
      assert.match(third.head, /at most 2 per sub-account/);
      assert.match(third.head, /Proxy-Status: tollgate; error=connection_limit_reached/);
      assert.match(await socksError(g.port, a.name, a.password, echo.port), /- NotAllowed$/);
      open.push(await tunnelFrom(g.port, target, 'share2b:pass1234'));
      assert.equal(open[2]!.status, 200);
      const userFull = await tunnelFrom(g.port, target, 'share2b:pass1234');
      assert.equal(userFull.code, 4019);
      assert.match(userFull.head, /at most 3 per user/);

      // The operator raises this user's shares: new tunnels are let in once the gateway has read the change.
      const answer = await call(g.tp.app, 'PATCH', `/admin/users/${a.userId}/limits`, {
        headers: { authorization: `Bearer ${g.tp.platform.config.adminToken}` },
        json: { tunnels_per_account: 3, tunnels_per_user: 4 },
      });
      assert.equal(answer.data.limits.tunnels_per_account, 3);
      await g.gw.feed.sync();
      open.push(await tunnelFrom(g.port, target, `${a.name}:${a.password}`));
      assert.equal(open[3]!.status, 200, open[3]!.head);
      assert.equal((await tunnelFrom(g.port, target, 'share2b:pass1234')).code, 4019);
      // A closed tunnel frees its place.
      await closeAndRelease(g, open[0]!.socket!);
      const freed = await tunnelFrom(g.port, target, 'share2b:pass1234');
      assert.equal(freed.status, 200, freed.head);
      for (const t of [...open, freed]) t.socket?.destroy();
    });
  });
});
