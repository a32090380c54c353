/**
 * The gateway registry with real processes: one API and two gateways (`serve --role api|gateway`, the built
 * command) on one PostgreSQL database and one Redis, the gateways in regions us and de on their own loopback
 * addresses (127.0.0.2 and 127.0.0.3, each listening on the same extraction range). Asserts what
 * `GET /admin/gateways`, `tollgate gateways list` and the API's /metrics show, `ip/v3`'s `ep` choosing the
 * region's gateway (and the leased port answering there), and a gateway killed with SIGKILL dropping out.
 * Runs when TEST_DATABASE_URL and TEST_REDIS_URL are set, like tests/cluster.test.ts.
 *
 * Without Redis: the single-process answers (the local gateway, or none, with `cluster: false`).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import pg from 'pg';
import { startApi, startGateway } from '../src/main.js';
import { BIN, launchServer, type LaunchedServer, portRefuses, serverEnv, stopServer } from './helpers/dist.js';
import { grantTestPackage, listen, type Target, track } from './helpers/gateway.js';
import { call, createUser, startTestPlatform } from './helpers/platform.js';
import { poll } from './helpers/poll.js';

const PG_URL = process.env.TEST_DATABASE_URL;
const REDIS_URL = process.env.TEST_REDIS_URL;
const skip = PG_URL && REDIS_URL ? false : 'needs TEST_DATABASE_URL and TEST_REDIS_URL';
const VERSION = (JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string })
  .version;

/** Sends 16 KiB every 50 ms to each client until it goes: steady throughput for the heartbeats to see. */
async function startPacedSource(): Promise<Target> {
  const chunk = Buffer.alloc(16 * 1024, 0x70);
  const server = net.createServer((s) => {
    const timer = setInterval(() => (s.destroyed ? clearInterval(timer) : s.write(chunk)), 50);
    s.on('close', () => clearInterval(timer));
    s.on('error', () => {});
  });
  const close = track(server);
  return { port: await listen(server), close };
}

/** A CONNECT through `host:port` with credentials; resolves with the socket once the status line is 200. */
async function connectThrough(host: string, port: number, target: string, auth: string): Promise<net.Socket> {
  const socket = net.connect({ host, port });
  await once(socket, 'connect');
  socket.write(
    `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\nProxy-Authorization: Basic ${Buffer.from(auth).toString('base64')}\r\n\r\n`,
  );
  const head = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    const onData = (c: Buffer) => {
      buffered += c.toString('latin1');
      if (!buffered.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      resolve(buffered);
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`closed before a response head: ${buffered}`)));
  });
  assert.match(head, /^HTTP\/1\.1 200/, head);
  return socket;
}

interface GatewayItem {
  id: string;
  instance: string;
  region: string;
  host: string;
  ports: { proxy: number; static: number; extract: { from: number; to: number } | null };
  version: string;
  open_connections: number;
  bytes_per_second: number;
  started_at: string;
  last_heartbeat_at: string;
  age_seconds: number;
  alive: boolean;
}

describe('the gateway registry: one API and two gateways on PostgreSQL and Redis', { skip }, () => {
  const dbName = `tg_registry_${randomBytes(5).toString('hex')}`;
  const prefix = `tgtest:${randomBytes(5).toString('hex')}:`;
  // A range of its own, so parallel runs on this machine do not collide.
  const from = 30_000 + randomInt(0, 3_000) * 10;
  const range = `${from}-${from + 9}`;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let api: LaunchedServer;
  let us: LaunchedServer;
  let de: LaunchedServer;
  let admin: string;
  let sql: pg.Client;
  let source: Target;
  let appKey: string;

  const adminCall = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${api.apiUrl}/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, ...((await res.json()) as { code: number; data: any }) };
  };
  const listed = async () => {
    const answer = await adminCall('GET', '/gateways');
    assert.equal(answer.code, 200, JSON.stringify(answer));
    return answer.data as { cluster: boolean; list: GatewayItem[]; alive: number };
  };
  const extract = async (query: Record<string, string>) => {
    const qs = new URLSearchParams({ app_key: appKey, ...query });
    const res = await fetch(`${api.apiUrl}/gateway/ip/v3?${qs}`);
    return (await res.json()) as { code: number; data: any; message?: string };
  };
  const leaseCount = async () => Number((await sql.query('select count(*) as n from extract_leases')).rows[0].n);

  before(async () => {
    const setup = new pg.Client({ connectionString: PG_URL });
    await setup.connect();
    await setup.query(`CREATE DATABASE ${dbName}`);
    await setup.end();
    const dbUrl = new URL(PG_URL!);
    dbUrl.pathname = `/${dbName}`;
    sql = new pg.Client({ connectionString: dbUrl.toString() });
    await sql.connect();
    dataDir = mkdtempSync(join(tmpdir(), 'tollgate-registry-'));
    env = serverEnv(dataDir, {
      DATABASE_URL: dbUrl.toString(),
      TOLLGATE_ALLOW_PRIVATE_TARGETS: '1',
      TOLLGATE_REDIS_URL: REDIS_URL,
      TOLLGATE_REDIS_PREFIX: prefix,
      TOLLGATE_CHANGE_POLL_MS: '100',
      TOLLGATE_RATE_LIMIT_PER_KEY: '0',
      TOLLGATE_RATE_LIMIT_PER_IP: '0',
      TOLLGATE_EXTRACT_PORTS: range,
      TOLLGATE_EXTRACT_LEASE_MAX: '10',
      // A region served by a configured name only: ep=hk uses it while no hk gateway is registered.
      TOLLGATE_EXTRACT_ENTRIES: 'hk=hk.proxy.example.com',
    });
    api = await launchServer(BIN, ['serve', '--role', 'api'], env);
    admin = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const node = await adminCall('POST', '/nodes', { url: 'direct://127.0.0.1', country: 'US', types: [9] });
    assert.equal(node.code, 200, JSON.stringify(node));
    const gateway = (id: string, region: string, ip: string) =>
      launchServer(BIN, ['serve', '--role', 'gateway'], {
        ...env,
        TOLLGATE_GATEWAY_ID: id,
        TOLLGATE_GATEWAY_REGION: region,
        TOLLGATE_GATEWAY_PUBLIC_HOST: ip,
        TOLLGATE_EXTRACT_HOST: ip,
      });
    [us, de] = await Promise.all([gateway('gw-us', 'us', '127.0.0.2'), gateway('gw-de', 'de', '127.0.0.3')]);
    source = await startPacedSource();

    const created = await adminCall('POST', '/users', { email: 'registry@example.com' });
    assert.equal(created.code, 200, JSON.stringify(created));
    appKey = created.data.app_key as string;
    const granted = await adminCall('POST', `/users/${created.data.user.id}/packages`, { days: 30, product_type: 9, gb: 1 });
    assert.equal(granted.code, 200, JSON.stringify(granted));
    const res = await fetch(`${api.apiUrl}/gateway/whitelist-account/add?app_key=${appKey}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accounts: 'regacct:pass1234', product_type: 9 }),
    });
    assert.equal(((await res.json()) as { code: number }).code, 200);
  });

  after(async () => {
    await source?.close();
    for (const g of [us, de]) if (g && g.child.exitCode === null && g.child.signalCode === null) await stopServer(g.child);
    if (api) await stopServer(api.child);
    await sql?.end();
    const setup = new pg.Client({ connectionString: PG_URL });
    await setup.connect();
    await setup.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await setup.end();
    const redis = new Redis(REDIS_URL!);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('GET /admin/gateways lists both gateways with their region, host, ports, version and heartbeat', async () => {
    const data = await listed();
    assert.equal(data.cluster, true);
    assert.equal(data.alive, 2);
    assert.deepEqual(
      data.list.map((g) => [g.region, g.id, g.host]),
      [
        ['de', 'gw-de', '127.0.0.3'],
        ['us', 'gw-us', '127.0.0.2'],
      ],
    );
    for (const [g, launched] of [
      [data.list[0]!, de],
      [data.list[1]!, us],
    ] as const) {
      assert.equal(g.alive, true);
      assert.equal(g.ports.proxy, launched.proxyPort);
      assert.ok(g.ports.static > 0 && g.ports.static !== g.ports.proxy, JSON.stringify(g.ports));
      assert.deepEqual(g.ports.extract, { from, to: from + 9 });
      assert.equal(g.version, VERSION);
      assert.ok(g.instance.startsWith(`${g.id}:`), g.instance);
      assert.ok(g.age_seconds >= 0 && g.age_seconds < 10, String(g.age_seconds));
      assert.ok(Date.parse(g.started_at) <= Date.parse(g.last_heartbeat_at));
      assert.ok(Date.now() - Date.parse(g.started_at) < 5 * 60_000, g.started_at);
    }
  });

  it('a region’s ep leases ports at that region’s gateway, and the port answers there', async () => {
    const before = await leaseCount();
    const inUs = await extract({ ep: 'us', num: '2', cc: 'us' });
    assert.equal(inUs.code, 200, JSON.stringify(inUs));
    const usEndpoints = inUs.data.list[0] as string[];
    assert.equal(usEndpoints.length, 2);
    for (const e of usEndpoints) assert.match(e, /^127\.0\.0\.2:\d+$/);
    const inDe = await extract({ ep: 'DE' });
    assert.equal(inDe.code, 200, JSON.stringify(inDe));
    assert.match(inDe.data.list[0][0] as string, /^127\.0\.0\.3:\d+$/);
    const inHk = await extract({ ep: 'hk' });
    assert.equal(inHk.code, 200, JSON.stringify(inHk));
    assert.match(inHk.data.list[0][0] as string, /^hk\.proxy\.example\.com:\d+$/, 'no hk gateway: the configured entry');
    assert.equal(await leaseCount(), before + 4);

    // The leased port is served by the gateway named: a tunnel through it with the lessee's credentials.
    const [host, port] = usEndpoints[0]!.split(':');
    const socket = await connectThrough(host!, Number(port), `127.0.0.1:${source.port}`, 'regacct:pass1234');
    const [first] = (await once(socket, 'data')) as [Buffer];
    assert.ok(first.length > 0);
    socket.destroy();

    const unknown = await extract({ ep: 'mars' });
    assert.equal(unknown.code, 6206, JSON.stringify(unknown));
    assert.equal(await leaseCount(), before + 4, 'a refused ep leases nothing');
  });

  it('open connections and throughput come from each gateway’s live stats, in the list and the API’s /metrics', async () => {
    const socket = await connectThrough('127.0.0.1', us.proxyPort!, `127.0.0.1:${source.port}`, 'regacct:pass1234');
    socket.on('data', () => {});
    try {
      const data = await poll(
        listed,
        (d) => d.list.some((g) => g.id === 'gw-us' && g.open_connections >= 1 && g.bytes_per_second > 50_000),
        15_000,
        'gw-us to report its tunnel',
      );
      const gwUs = data.list.find((g) => g.id === 'gw-us')!;
      // The paced source sends about 320 KiB/s.
      assert.ok(gwUs.bytes_per_second < 2_000_000, String(gwUs.bytes_per_second));
      assert.equal(data.list.find((g) => g.id === 'gw-de')!.open_connections, 0);

      const text = await (await fetch(`${api.apiUrl}/metrics`)).text();
      assert.match(text, /^tollgate_cluster_registry_up 1$/m);
      assert.match(text, /^tollgate_cluster_gateways\{region="us"\} 1$/m);
      assert.match(text, /^tollgate_cluster_gateways\{region="de"\} 1$/m);
      assert.match(text, /^tollgate_cluster_gateway_open_connections\{id="gw-de",region="de"\} 0$/m);
      const open = /^tollgate_cluster_gateway_open_connections\{id="gw-us",region="us"\} (\d+)$/m.exec(text);
      assert.ok(open && Number(open[1]) >= 1, text);
      const rate = /^tollgate_cluster_gateway_bytes_per_second\{id="gw-us",region="us"\} (\d+)$/m.exec(text);
      assert.ok(rate && Number(rate[1]) > 0, text);
    } finally {
      socket.destroy();
    }
  });

  it('tollgate gateways list shows the registry as a table and as JSON', async () => {
    const run = promisify(execFile);
    const json = await run(BIN, ['gateways', 'list', '--json'], { env });
    const items = JSON.parse(json.stdout) as GatewayItem[];
    assert.deepEqual(
      items.map((g) => [g.id, g.region, g.alive, g.ports.proxy]),
      [
        ['gw-de', 'de', true, de.proxyPort],
        ['gw-us', 'us', true, us.proxyPort],
      ],
    );
    const tableOut = (await run(BIN, ['gateways', 'list'], { env })).stdout.trim().split('\n');
    assert.match(tableOut[0]!, /^id\s+region\s+host\s+proxy\s+static\s+extract\s+version\s+connections/);
    assert.match(
      tableOut[1]!,
      new RegExp(`^gw-de\\s+de\\s+127\\.0\\.0\\.3\\s+${de.proxyPort}\\s+\\d+\\s+${from}-${from + 9}\\s`),
    );
    assert.match(tableOut[2]!, /^gw-us\s+us\s+127\.0\.0\.2\s/);
    assert.match(tableOut[2]!, /\syes\s+\d+\.\ds$/);
  });

  it('a gateway killed with SIGKILL drops out: not alive, not counted, never offered to ep', async () => {
    const before = await leaseCount();
    const exited = once(de.child, 'exit');
    de.child.kill('SIGKILL');
    await exited;
    // Nothing said goodbye: the heartbeat expires (10 s after the last one).
    const data = await poll(listed, (d) => d.list.some((g) => g.id === 'gw-de' && !g.alive), 20_000, 'gw-de to stop being alive');
    assert.equal(data.alive, 1);
    const dead = data.list.find((g) => g.id === 'gw-de')!;
    assert.ok(dead.age_seconds >= 9, String(dead.age_seconds));
    assert.equal(data.list.find((g) => g.id === 'gw-us')!.alive, true);

    const down = await extract({ ep: 'de' });
    assert.equal(down.code, 9010, JSON.stringify(down));
    assert.match(String(down.message ?? ''), /de/);
    assert.equal(await leaseCount(), before, 'nothing leased for a region that is down');
    const stillUs = await extract({ ep: 'us' });
    assert.equal(stillUs.code, 200, JSON.stringify(stillUs));
    assert.match(stillUs.data.list[0][0] as string, /^127\.0\.0\.2:\d+$/);

    const text = await (await fetch(`${api.apiUrl}/metrics`)).text();
    assert.doesNotMatch(text, /region="de"/);
    assert.match(text, /^tollgate_cluster_gateways\{region="us"\} 1$/m);
  });
});

describe('GET /admin/gateways without Redis', () => {
  it('answers cluster false and no gateway when this process runs none, and its own gateway when it does', async () => {
    const tp = await startTestPlatform('sqlite', {
      TOLLGATE_GATEWAY_ID: 'solo',
      TOLLGATE_GATEWAY_REGION: 'hk',
      TOLLGATE_PUBLIC_HOST: 'proxy.example.com',
      TOLLGATE_EXTRACT_PORTS: 'off',
      TOLLGATE_HOST: '127.0.0.1',
      TOLLGATE_PROXY_PORT: '0',
      TOLLGATE_STATIC_PORT: '0',
      TOLLGATE_API_PORT: '0',
    });
    try {
      const auth = { headers: { authorization: `Bearer ${tp.platform.config.adminToken}` } };
      const none = await call(tp.app, 'GET', '/admin/gateways', auth);
      assert.equal(none.code, 200, JSON.stringify(none));
      assert.deepEqual(none.data, { cluster: false, list: [], alive: 0 });

      const gateway = await startGateway(tp.platform);
      const server = await startApi(tp.platform, gateway);
      try {
        const res = await fetch(`${server.apiUrl}/admin/gateways`, {
          headers: { authorization: `Bearer ${tp.platform.config.adminToken}` },
        });
        assert.equal(res.status, 200);
        const { data } = (await res.json()) as { data: { cluster: boolean; list: GatewayItem[]; alive: number } };
        assert.equal(data.cluster, false);
        assert.equal(data.alive, 1);
        assert.equal(data.list.length, 1);
        const g = data.list[0]!;
        assert.deepEqual([g.id, g.region, g.host, g.alive], ['solo', 'hk', 'proxy.example.com', true]);
        assert.equal(g.ports.proxy, gateway.address.port);
        assert.equal(g.ports.static, gateway.staticAddress.port);
        assert.equal(g.ports.extract, null);
        assert.equal(g.version, VERSION);
        assert.equal(g.open_connections, 0);
        // No Redis: the API's /metrics is the gateway's own, without registry gauges.
        const text = await (await fetch(`${server.apiUrl}/metrics`)).text();
        assert.match(text, /^tollgate_gateway_open_connections 0$/m);
        assert.doesNotMatch(text, /tollgate_cluster_/);
      } finally {
        await server.close();
        await gateway.close();
      }
    } finally {
      await tp.close();
    }
  });
});

describe('the registry while Redis does not answer', () => {
  it('GET /admin/gateways answers 503 code 9011; ep falls back to a configured entry, else 9011, leasing nothing', async () => {
    // A port nothing listens on: connections are refused at once.
    const probe = net.createServer();
    const port = await listen(probe);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    assert.ok(await portRefuses(port));
    const tp = await startTestPlatform('sqlite', {
      TOLLGATE_REDIS_URL: `redis://127.0.0.1:${port}`,
      TOLLGATE_EXTRACT_PORTS: '21100-21109',
      TOLLGATE_EXTRACT_ENTRIES: 'us=us.proxy.example.com',
    });
    try {
      const auth = { headers: { authorization: `Bearer ${tp.platform.config.adminToken}` } };
      const down = await call(tp.app, 'GET', '/admin/gateways', { ...auth, status: 503 });
      assert.equal(down.code, 9011, JSON.stringify(down));

      await tp.platform.services.nodes.add({ url: 'direct://127.0.0.1', country: 'US', types: [9] });
      const user = await createUser(tp);
      await grantTestPackage(tp, user.id, 1024 ** 3);
      const extract = (ep: string) => call(tp.app, 'GET', '/gateway/ip/v3', { query: { app_key: user.appKey, ep } });
      const us = await extract('us');
      assert.equal(us.code, 200, JSON.stringify(us));
      assert.match((us.data as { list: string[][] }).list[0]![0]!, /^us\.proxy\.example\.com:211\d\d$/);
      const de = await extract('de');
      assert.equal(de.code, 9011, JSON.stringify(de));
      const leases = await tp.platform.storage.db.selectFrom('extract_leases').selectAll().execute();
      assert.equal(leases.length, 1, 'only the us lease');
    } finally {
      await tp.close();
    }
  });
});
