/**
 * The exit pool end to end: nodes stored through NodesService (SQLite), real
 * dials to a loopback target that greets with the address it sees (so each
 * answer names the exit used), a clock and a random source passed in.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import pino from 'pino';
import { SecretBox } from '../src/accounts/index.js';
import { AppError } from '../src/errors/index.js';
import type { RouteRequest } from '../src/gateway/gateway.types.js';
import { ExitPool, HealthChecker, NodesService, TargetPolicy } from '../src/pool/index.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';

const TIMEOUT = 5000;
const MINUTE = 60_000;

const connections = new WeakMap<Server, Set<Socket>>();

async function listen(server: Server, port = 0): Promise<number> {
  const live = new Set<Socket>();
  connections.set(server, live);
  server.on('connection', (socket: Socket) => {
    live.add(socket);
    socket.on('close', () => live.delete(socket));
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function close(server: Server): Promise<void> {
  if (!server.listening) return;
  const closed = once(server, 'close');
  server.close();
  for (const socket of connections.get(server) ?? []) socket.destroy();
  await closed;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await close(server);
  return port;
}

async function readLine(socket: Socket): Promise<string> {
  let text = '';
  const signal = AbortSignal.timeout(TIMEOUT);
  for (let i = 0; i < 100 && !text.includes('\n'); i++) text += String(((await once(socket, 'data', { signal })) as [Buffer])[0]);
  return text;
}

async function expectError(promise: Promise<unknown>, key: string): Promise<AppError> {
  const err = await promise.then(
    () => assert.fail(`expected ${key}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof AppError, String(err));
  assert.equal(err.key, key, err.message);
  return err;
}

/** mulberry32: a small seeded generator, so rotation tests give the same draws every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A CONNECT proxy that can be switched off: when down it drops every connection unanswered. */
class SwitchableProxy {
  up = true;
  port = 0;
  readonly server = createServer((client) => {
    client.on('error', () => {});
    if (!this.up) return void client.destroy();
    client.once('data', (head: Buffer) => {
      const [host, port] = (/^CONNECT (\S+):(\d+) /.exec(head.toString())?.slice(1) ?? ['', '0']) as [string, string];
      const target = connect({ host, port: Number(port) });
      target.on('error', () => client.destroy());
      target.once('connect', () => {
        client.write('HTTP/1.1 200 OK\r\n\r\n');
        target.pipe(client);
        client.pipe(target);
      });
      client.on('close', () => target.destroy());
    });
  });
  async start(): Promise<this> {
    this.port = await listen(this.server);
    return this;
  }
}

describe('exit pool', () => {
  let tp: TestPlatform;
  let nodes: NodesService;
  let echo: Server;
  let echoPort: number;
  let clock: number;
  let draw: () => number;
  let logs: Array<Record<string, unknown>>;
  let pool: ExitPool;

  const route = (extra: Partial<RouteRequest> = {}): RouteRequest => ({
    productType: 9,
    accountId: 1,
    lifeMinutes: 10,
    ...extra,
  });
  const target = () => ({ host: '127.0.0.1', port: echoPort });

  /** Connects through the pool and returns the source address the target saw. */
  async function exitAddress(r: RouteRequest): Promise<string> {
    const { socket } = await pool.connect(r, target(), AbortSignal.timeout(TIMEOUT));
    try {
      return (await readLine(socket)).replace(/^hello |\n$/g, '');
    } finally {
      socket.destroy();
    }
  }

  before(async () => {
    tp = await startTestPlatform('sqlite');
    nodes = new NodesService(tp.platform.storage.db, new SecretBox(tp.platform.config.secret, 'exit-node-url'));
    echo = createServer((socket) => {
      socket.on('error', () => {});
      socket.end(`hello ${socket.remoteAddress}\n`);
    });
    echoPort = await listen(echo);
  });
  after(async () => {
    await close(echo);
    await tp.close();
  });

  beforeEach(async () => {
    for (const node of await nodes.list()) await nodes.remove(node.id);
    clock = 1_800_000_000_000;
    draw = seeded(42);
    logs = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    pool = new ExitPool({
      source: nodes,
      policy: new TargetPolicy({ allowPrivateTargets: true, blockedPorts: [25], localAddresses: [] }),
      connectTimeoutMs: TIMEOUT,
      logger,
      random: () => draw(),
      now: () => clock,
    });
  });

  async function threeNodes(): Promise<{ ca: number; ny: number; de: number }> {
    const ca = await nodes.add({ url: 'direct://127.0.0.2', country: 'US', state: 'ca', city: 'los_angeles', weight: 3 });
    const ny = await nodes.add({ url: 'direct://127.0.0.3', country: 'US', state: 'ny', weight: 1 });
    const de = await nodes.add({ url: 'direct://127.0.0.4', country: 'DE', types: [9, 11], weight: 1 });
    await pool.reload();
    return { ca: ca.id, ny: ny.id, de: de.id };
  }

  it('rotates over every node without a session, weighted', async () => {
    const ids = await threeNodes();
    const counts = new Map<number, number>();
    for (let i = 0; i < 200; i++) {
      const id = pool.pick(route()).id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const id of Object.values(ids)) assert.ok((counts.get(id) ?? 0) > 0, `node ${id} picked`);
    // Weight 3 against 1: expect about 3×; a generous band.
    const ratio = (counts.get(ids.ca) ?? 0) / (counts.get(ids.ny) ?? 1);
    assert.ok(ratio > 1.8 && ratio < 5, `ratio ${ratio}`);

    // Real connections come from every exit's address.
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) seen.add(await exitAddress(route()));
    assert.deepEqual([...seen].sort(), ['127.0.0.2', '127.0.0.3', '127.0.0.4']);
  });

  it('filters by product type, country, state and city', async () => {
    await threeNodes();
    for (let i = 0; i < 10; i++) {
      assert.match(await exitAddress(route({ country: 'US' })), /^127\.0\.0\.[23]$/);
      assert.equal(await exitAddress(route({ country: 'US', state: 'CA' })), '127.0.0.2');
      assert.equal(await exitAddress(route({ city: 'los_angeles' })), '127.0.0.2');
      assert.equal(await exitAddress(route({ country: 'de' })), '127.0.0.4');
      assert.equal(await exitAddress(route({ productType: 11 })), '127.0.0.4');
    }
  });

  it('refuses with TG_ERR_PROXY_NO_EXIT naming what was asked', async () => {
    await threeNodes();
    const cases: ReadonlyArray<[Partial<RouteRequest>, string]> = [
      [{ country: 'US', state: 'tx' }, 'no exit for country US, state tx'],
      [{ country: 'FR' }, 'no exit for country FR'],
      [{ country: 'US', state: 'ca', city: 'san_diego' }, 'no exit for country US, state ca, city san_diego'],
      [{ productType: 25 }, 'no exit for product type 25'],
      [{ productType: 11, country: 'US' }, 'no exit for country US'],
    ];
    for (const [asked, reason] of cases) {
      const err = await expectError(pool.connect(route(asked), target(), AbortSignal.timeout(TIMEOUT)), 'TG_ERR_PROXY_NO_EXIT');
      assert.equal(err.message, `No exit available: ${reason}`);
    }
  });

  it('keeps a session on one node for `life` minutes from first use, without renewing on use', async () => {
    await threeNodes();
    const session = route({ session: 'abc', lifeMinutes: 10 });
    draw = () => 0; // the first node by weight: 127.0.0.2
    assert.equal(await exitAddress(session), '127.0.0.2');
    draw = () => 0.99; // a fresh pick would now take 127.0.0.4
    for (const minute of [0, 1, 5, 9]) {
      clock = 1_800_000_000_000 + minute * MINUTE;
      assert.equal(await exitAddress(session), '127.0.0.2', `minute ${minute}`);
    }
    clock = 1_800_000_000_000 + 10 * MINUTE - 1;
    assert.equal(await exitAddress(session), '127.0.0.2', 'last millisecond of the lease');
    // Used at minute 9, yet the lease ends 10 minutes after first use.
    clock = 1_800_000_000_000 + 10 * MINUTE;
    assert.equal(await exitAddress(session), '127.0.0.4', 'expired: picked anew');
    clock += 9 * MINUTE;
    draw = () => 0;
    assert.equal(await exitAddress(session), '127.0.0.4', 'the new lease holds');
  });

  it('a session that moves keeps the expiry of its first use', async () => {
    const ids = await threeNodes();
    draw = () => 0.99;
    assert.equal(await exitAddress(route({ session: 'k', lifeMinutes: 10 })), '127.0.0.4');
    clock += 5 * MINUTE;
    await nodes.setEnabled(ids.de, false);
    await pool.reload();
    draw = () => 0;
    assert.equal(await exitAddress(route({ session: 'k', lifeMinutes: 10 })), '127.0.0.2', 'moved');
    draw = () => 0.99;
    clock += 5 * MINUTE - 1;
    assert.equal(await exitAddress(route({ session: 'k', lifeMinutes: 10 })), '127.0.0.2', 'still the moved lease');
    clock += 1;
    assert.equal(await exitAddress(route({ session: 'k', lifeMinutes: 10 })), '127.0.0.3', 'ended 10 minutes after first use');
  });

  it('keys sessions by account, and a session keeps to the geo it was asked with', async () => {
    await threeNodes();
    draw = () => 0;
    assert.equal(await exitAddress(route({ accountId: 1, session: 's' })), '127.0.0.2');
    draw = () => 0.99;
    assert.equal(await exitAddress(route({ accountId: 2, session: 's' })), '127.0.0.4');
    assert.equal(await exitAddress(route({ accountId: 1, session: 's' })), '127.0.0.2');
    assert.equal(pool.sessionCount, 2);
    // Asked for Germany, the session cannot stay in California: it moves (logged).
    assert.equal(await exitAddress(route({ accountId: 1, session: 's', country: 'DE' })), '127.0.0.4');
    assert.ok(logs.some((l) => l.msg === 'session moved to another exit node' && l.session === 's' && l.accountId === 1));
  });

  it('retries a connection without a session once on another node when the exit fails', async () => {
    const dead = await nodes.add({ url: `http://127.0.0.1:${await closedPort()}`, country: 'FR' });
    const live = await nodes.add({ url: 'direct://127.0.0.5', country: 'FR' });
    await pool.reload();
    draw = () => 0; // the dead node first (lowest id, equal weights)
    assert.equal(pool.pick(route({ country: 'FR' })).id, dead.id);
    const { socket, nodeId } = await pool.connect(route({ country: 'FR' }), target(), AbortSignal.timeout(TIMEOUT));
    assert.equal(nodeId, live.id);
    assert.equal(await readLine(socket), 'hello 127.0.0.5\n');
    socket.destroy();
  });

  it('with a session, a failing exit fails this connection and moves the session, logged', async () => {
    const dead = await nodes.add({ url: `http://127.0.0.1:${await closedPort()}`, country: 'FR' });
    const live = await nodes.add({ url: 'direct://127.0.0.5', country: 'FR' });
    await pool.reload();
    draw = () => 0;
    const session = route({ country: 'FR', session: 'sticky' });
    await expectError(pool.connect(session, target(), AbortSignal.timeout(TIMEOUT)), 'TG_ERR_UPSTREAM_CONNECT_REFUSED');
    const moved = logs.find((l) => l.msg === 'session moved to another exit node');
    assert.deepEqual(moved && { from: moved.from, to: moved.to, session: moved.session }, {
      from: dead.id,
      to: live.id,
      session: 'sticky',
    });
    for (let i = 0; i < 3; i++) assert.equal(await exitAddress(session), '127.0.0.5');
  });

  it('takes a node out after repeated exit failures, until its cooldown ends', async () => {
    const dead = await nodes.add({ url: `http://127.0.0.1:${await closedPort()}`, country: 'FR', weight: 1000 });
    await nodes.add({ url: 'direct://127.0.0.5', country: 'FR', weight: 1 });
    await pool.reload();
    draw = () => 0;
    for (let i = 0; i < 3; i++)
      assert.equal(await exitAddress(route({ country: 'FR' })), '127.0.0.5', 'retried on the live node');
    assert.equal(pool.isHealthy(dead.id), false);
    assert.ok(logs.some((l) => l.msg === 'exit node left the selection' && l.nodeId === dead.id));
    for (let i = 0; i < 20; i++) assert.notEqual(pool.pick(route({ country: 'FR' })).id, dead.id);
    clock += 60_000;
    assert.equal(pool.isHealthy(dead.id), true, 'back after the cooldown');
  });

  it('does not count target failures or policy refusals against a node, and never retries a refusal', async () => {
    const only = await nodes.add({ url: 'direct://127.0.0.2', country: 'US' });
    await pool.reload();
    const closed = await closedPort();
    for (let i = 0; i < 5; i++) {
      await expectError(
        pool.connect(route(), { host: '127.0.0.1', port: closed }, AbortSignal.timeout(TIMEOUT)),
        'TG_ERR_UPSTREAM_CONNECT_REFUSED',
      );
    }
    await expectError(
      pool.connect(route(), { host: '127.0.0.1', port: 25 }, AbortSignal.timeout(TIMEOUT)),
      'TG_ERR_PROXY_TARGET_BLOCKED',
    );
    assert.equal(pool.isHealthy(only.id), true);
  });

  it('follows changes on reload: disabled nodes leave, sessions on them move', async () => {
    const ids = await threeNodes();
    draw = () => 0.99;
    assert.equal(await exitAddress(route({ session: 'm' })), '127.0.0.4');
    await nodes.setEnabled(ids.de, false);
    await pool.reload();
    assert.equal(pool.isHealthy(ids.de), undefined);
    await expectError(pool.connect(route({ country: 'DE' }), target(), AbortSignal.timeout(TIMEOUT)), 'TG_ERR_PROXY_NO_EXIT');
    assert.match(await exitAddress(route({ session: 'm' })), /^127\.0\.0\.[23]$/);
    assert.ok(logs.some((l) => l.msg === 'session moved to another exit node' && l.from === ids.de));
    await nodes.setEnabled(ids.de, true);
    await pool.reload();
    assert.equal(await exitAddress(route({ country: 'DE' })), '127.0.0.4');
  });

  it('probes every node: a failing probe takes a node out, a passing one brings it back', async () => {
    const proxy = await new SwitchableProxy().start();
    try {
      const chained = await nodes.add({ url: `http://127.0.0.1:${proxy.port}`, country: 'FR', city: 'paris' });
      const direct = await nodes.add({ url: 'direct://127.0.0.5', country: 'FR' });
      await pool.reload();
      const checker = new HealthChecker({
        pool,
        target: `127.0.0.1:${echoPort}`,
        intervalMs: 1000,
        timeoutMs: TIMEOUT,
        logger: pino({ level: 'silent' }),
      });

      await checker.runOnce();
      assert.deepEqual([pool.isHealthy(chained.id), pool.isHealthy(direct.id)], [true, true]);
      assert.equal(await exitAddress(route({ city: 'paris' })), '127.0.0.1', 'through the proxy');

      proxy.up = false;
      await checker.runOnce();
      assert.deepEqual([pool.isHealthy(chained.id), pool.isHealthy(direct.id)], [false, true]);
      const err = await expectError(
        pool.connect(route({ country: 'FR', city: 'paris' }), target(), AbortSignal.timeout(TIMEOUT)),
        'TG_ERR_PROXY_NO_EXIT',
      );
      assert.equal(err.message, 'No exit available: no healthy exit for country FR, city paris');
      for (let i = 0; i < 10; i++) assert.equal(await exitAddress(route({ country: 'FR' })), '127.0.0.5');

      proxy.up = true;
      await checker.runOnce();
      assert.equal(pool.isHealthy(chained.id), true);
      assert.equal(await exitAddress(route({ city: 'paris' })), '127.0.0.1');
      assert.ok(logs.some((l) => l.msg === 'exit node left the selection' && l.nodeId === chained.id));
      assert.ok(logs.some((l) => l.msg === 'exit node back in the selection' && l.nodeId === chained.id));
    } finally {
      await close(proxy.server);
    }
  });

  it('probes on its interval once started, and stops', async () => {
    const proxy = await new SwitchableProxy().start();
    try {
      proxy.up = false;
      const chained = await nodes.add({ url: `http://127.0.0.1:${proxy.port}`, country: 'FR' });
      await pool.reload();
      let rounds = 0;
      let twoRounds!: () => void;
      const done = new Promise<void>((resolve) => (twoRounds = resolve));
      const checker = new HealthChecker({
        pool,
        target: `127.0.0.1:${echoPort}`,
        intervalMs: 100,
        timeoutMs: TIMEOUT,
        logger: pino({ level: 'silent' }),
        onRound: () => {
          if (++rounds === 2) twoRounds();
        },
      });
      checker.start();
      await done;
      checker.stop();
      assert.equal(pool.isHealthy(chained.id), false);
      assert.equal(
        new HealthChecker({ pool, target: '', intervalMs: 100, timeoutMs: 100, logger: pino({ level: 'silent' }) }).active,
        false,
      );
    } finally {
      await close(proxy.server);
    }
  });
});
