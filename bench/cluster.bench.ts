/**
 * Cluster benchmark (issue 16): one API and several gateway processes (`serve --role api|gateway`, the compiled
 * build) on one PostgreSQL database and one Redis, loaded from this process over loopback. Run:
 * `npm run bench:cluster`. Prints, in one run:
 *
 *   hot path   bulk download tunnels through a gateway with TOLLGATE_REDIS_URL set (quota leases) against the same
 *              tunnels through a gateway without it (its own counters), alternated, median of HOT_REPS (default 5);
 *              target ≥ 0.95×. Also the gateway's CPU time per GiB relayed on each side (from /proc), the steadier
 *              reading of the same cost where client, gateway and target share two cores.
 *   scaling    aggregate bulk throughput and short connections (connect, CONNECT with credentials, 1 KiB echoed,
 *              close) through 1 gateway against the same load spread over 3.
 *   Redis ops  Redis commands processed per GiB relayed during the 3-gateway bulk window, gross and less the
 *              commands of an idle window as long (heartbeats, change feed), read from INFO on a Redis only this
 *              benchmark uses (a private `redis-server` when one is on PATH; else the shared one, noisier).
 *   overshoot  accounts with small traffic packages hammered from every gateway at once until each is cut: billed
 *              bytes against the package, per account and per gateway, and how far apart the cuts came.
 *
 * Needs PostgreSQL (BENCH_DATABASE_URL, TEST_DATABASE_URL, or postgres://postgres@127.0.0.1:5432/test) and Redis
 * (a private redis-server, else BENCH_REDIS_URL, TEST_REDIS_URL or redis://127.0.0.1:6379); prints why and exits 0
 * when they are not there. Every loop is bounded in count and time; every target is on loopback.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { type ApiCalls, apiCalls } from '../tests/helpers/api-calls.js';
import { BIN, launchServer, type LaunchedServer, serverEnv, stopServer } from '../tests/helpers/dist.js';
import { connectTunnel, listen, startEcho, startSource, type Target } from '../tests/helpers/gateway.js';

const KIB = 1024;
const MIB = 1024 * KIB;
const GIB = 1024 * MIB;
const REPS = Number(process.env.BENCH_REPS ?? 3);
/** The hot-path comparison swings most on a shared machine: more alternations, each side's median. */
const HOT_REPS = Number(process.env.BENCH_HOT_REPS ?? 5);
const BULK_TUNNELS = 6;
const BULK_WARMUP_MS = 400;
const BULK_WINDOW_MS = 2_000;
const SHORT_WORKERS = 24;
const SHORT_WARMUP_MS = 400;
const SHORT_WINDOW_MS = 2_500;
const HOT_PATH_TARGET = 0.95;
const FLUSH_MS = 200;
/** Overshoot: accounts and their packages, each hammered with OVERSHOOT_TUNNELS per gateway. */
const OVERSHOOT_ACCOUNTS = [
  { name: 'over1', kb: 256 * 1024 },
  { name: 'over2', kb: 256 * 1024 },
  { name: 'over3', kb: 64 * 1024 },
] as const;
const OVERSHOOT_TUNNELS = 2;
/** The documented bound (docs/cluster.md): under 1 MiB per gateway and account. */
const BOUND_PER_GATEWAY = MIB;
const PASSWORD = 'pass1234';

const PG_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SHARED_REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mibps = (bytes: number, ms: number): number => bytes / MIB / (ms / 1000);
const fmt = (n: number, digits = 1): string => n.toFixed(digits);
const kib = (bytes: number): string => `${fmt(bytes / KIB, 0)} KiB`;

// ---------------------------------------------------------------------------------------------------------------
// Redis and PostgreSQL

interface BenchRedis {
  readonly url: string;
  /** Whether only this benchmark uses it (INFO counts are then exact). */
  readonly private: boolean;
  close(): Promise<void>;
}

async function reachable(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2_000, retryStrategy: () => null });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  server.close();
  await once(server, 'close');
  return port;
}

/** A private redis-server on a free loopback port when one is installed; else the shared Redis, if it answers. */
async function openRedis(): Promise<BenchRedis | undefined> {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0) {
    const port = await freePort();
    const child: ChildProcess = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    const url = `redis://127.0.0.1:${port}`;
    for (let i = 0; i < 50 && !(await reachable(url)); i++) await sleep(100);
    if (await reachable(url)) {
      return {
        url,
        private: true,
        close: async () => {
          if (child.exitCode !== null) return;
          const exited = once(child, 'exit');
          child.kill('SIGTERM');
          await exited;
        },
      };
    }
    child.kill('SIGTERM');
  }
  if (await reachable(SHARED_REDIS_URL)) return { url: SHARED_REDIS_URL, private: false, close: async () => {} };
  return undefined;
}

async function commandsProcessed(redis: Redis): Promise<number> {
  const info = await redis.info('stats');
  return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? Number.NaN);
}

// ---------------------------------------------------------------------------------------------------------------
// Load

/** Bulk download: `tunnels` CONNECT tunnels (round-robin over `ports`) from the source; MiB/s over the window. */
/**
 * CPU time (user + system, ms) a process has used so far, from /proc (Linux; undefined elsewhere). The gateway's
 * CPU per byte relayed is the steadier reading of the hot path's cost on a shared 2-core machine, where client,
 * gateway and target compete for the cores and throughput swings by a third from one window to the next.
 */
function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat(5); fields[0] here is field 3.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

async function bulk(
  ports: readonly number[],
  username: string,
  source: Target,
  tunnels: number,
  pid?: number,
): Promise<{ mibps: number; bytes: number; perGateway: number[]; cpuMsPerGib?: number }> {
  const opened = await Promise.all(
    Array.from({ length: tunnels }, (_, i) =>
      connectTunnel(ports[i % ports.length]!, `127.0.0.1:${source.port}`, `${username}:${PASSWORD}`),
    ),
  );
  const counts = new Array<number>(ports.length).fill(0);
  opened.forEach((t, i) => {
    if (t.status !== 200) throw new Error(`bulk tunnel refused: ${t.head}`);
    const g = i % ports.length;
    t.socket.on('data', (c: Buffer) => {
      counts[g]! += c.length;
    });
    t.socket.on('error', () => {});
    t.socket.resume();
  });
  await sleep(BULK_WARMUP_MS);
  const start = [...counts];
  const cpu0 = cpuMs(pid);
  const t0 = performance.now();
  await sleep(BULK_WINDOW_MS);
  const ms = performance.now() - t0;
  const cpu1 = cpuMs(pid);
  const perGateway = counts.map((c, i) => c - start[i]!);
  for (const t of opened) t.socket.destroy();
  const bytes = perGateway.reduce((a, b) => a + b, 0);
  const cpuMsPerGib = cpu0 !== undefined && cpu1 !== undefined && bytes > 0 ? ((cpu1 - cpu0) * GIB) / bytes : undefined;
  return { mibps: mibps(bytes, ms), bytes, perGateway, cpuMsPerGib };
}

/** One short connection: CONNECT with credentials, 1 KiB up, the same 1 KiB echoed back, close. */
async function shortOne(port: number, username: string, echo: Target, payload: Buffer): Promise<void> {
  const t = await connectTunnel(port, `127.0.0.1:${echo.port}`, `${username}:${PASSWORD}`);
  try {
    if (t.status !== 200) throw new Error(`short connection refused: ${t.head}`);
    t.socket.resume();
    t.socket.write(payload);
    let got = 0;
    await new Promise<void>((resolve, reject) => {
      t.socket.on('data', (c: Buffer) => {
        got += c.length;
        if (got >= payload.length) resolve();
      });
      t.socket.once('close', () => reject(new Error(`closed after ${got} of ${payload.length} echoed bytes`)));
      t.socket.once('error', reject);
    });
  } finally {
    t.socket.destroy();
  }
}

/** SHORT_WORKERS loops of short connections (round-robin over `ports`); connections per second over the window. */
async function shortConnections(ports: readonly number[], username: string, echo: Target): Promise<number> {
  const payload = Buffer.alloc(KIB, 0x62);
  let done = 0;
  let counting = false;
  let stop = false;
  const worker = async (w: number): Promise<void> => {
    for (let i = 0; !stop && i < 1_000_000; i++) {
      await shortOne(ports[(w + i) % ports.length]!, username, echo, payload);
      if (counting) done++;
    }
  };
  const workers = Array.from({ length: SHORT_WORKERS }, (_, w) => worker(w));
  await sleep(SHORT_WARMUP_MS);
  counting = true;
  const t0 = performance.now();
  await sleep(SHORT_WINDOW_MS);
  counting = false;
  const ms = performance.now() - t0;
  stop = true;
  await Promise.all(workers);
  return done / (ms / 1000);
}

// ---------------------------------------------------------------------------------------------------------------
// The platform

interface Platform extends ApiCalls {
  readonly api: LaunchedServer;
  /** Three gateways sharing Redis. */
  readonly shared: LaunchedServer[];
  /** One gateway without TOLLGATE_REDIS_URL (the hot-path baseline). */
  readonly alone: LaunchedServer;
}

async function startPlatform(dbUrl: string, redisUrl: string, prefix: string, dataDir: string): Promise<Platform> {
  const env = serverEnv(dataDir, {
    DATABASE_URL: dbUrl,
    TOLLGATE_ALLOW_PRIVATE_TARGETS: '1',
    TOLLGATE_REDIS_URL: redisUrl,
    TOLLGATE_REDIS_PREFIX: prefix,
    TOLLGATE_METER_FLUSH_MS: String(FLUSH_MS),
    TOLLGATE_CHANGE_POLL_MS: '100',
    TOLLGATE_RATE_LIMIT_PER_KEY: '0',
    TOLLGATE_RATE_LIMIT_PER_IP: '0',
    // Short connections come fast from one address; the auth throttle is not what is measured.
    TOLLGATE_MAX_HANDSHAKES_PER_IP: '10000',
  });
  const api = await launchServer(BIN, ['serve', '--role', 'api'], env);
  const admin = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  const { adminCall, customer } = apiCalls(
    () => api.apiUrl,
    () => admin,
  );
  const node = await adminCall('POST', '/nodes', { url: 'direct://127.0.0.1', country: 'US', types: [9] });
  if (node.code !== 200) throw new Error(`adding the exit: ${JSON.stringify(node)}`);
  const shared = await Promise.all(
    ['gw1', 'gw2', 'gw3'].map((id) =>
      launchServer(BIN, ['serve', '--role', 'gateway'], { ...env, TOLLGATE_GATEWAY_ID: id, TOLLGATE_GATEWAY_REGION: 'us' }),
    ),
  );
  const aloneEnv = { ...env };
  delete aloneEnv.TOLLGATE_REDIS_URL;
  const alone = await launchServer(BIN, ['serve', '--role', 'gateway'], aloneEnv);
  return { api, shared, alone, adminCall, customer };
}

/** A user with one traffic package (`kb`) and one sub-account `name:PASSWORD`. */
async function customerWith(p: Platform, name: string, kb: number): Promise<number> {
  const created = await p.adminCall('POST', '/users', { email: `${name}@example.com` });
  if (created.code !== 200) throw new Error(JSON.stringify(created));
  const userId = created.data.user.id as number;
  const granted = await p.adminCall('POST', `/users/${userId}/packages`, { days: 30, product_type: 9, kb });
  if (granted.code !== 200) throw new Error(JSON.stringify(granted));
  const added = await p.customer(created.data.app_key as string, 'whitelist-account/add', {
    accounts: `${name}:${PASSWORD}`,
    product_type: 9,
  });
  if (added.code !== 200) throw new Error(JSON.stringify(added));
  return userId;
}

// ---------------------------------------------------------------------------------------------------------------

interface Row {
  readonly figure: string;
  readonly value: string;
  readonly note: string;
}

async function main(): Promise<void> {
  const setup = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3_000 });
  try {
    await setup.connect();
  } catch (err) {
    console.log(`bench:cluster needs PostgreSQL (${PG_URL} did not answer: ${(err as Error).message}); skipped.`);
    return;
  }
  const redisHandle = await openRedis();
  if (redisHandle === undefined) {
    await setup.end();
    console.log(`bench:cluster needs Redis (no redis-server on PATH, ${SHARED_REDIS_URL} did not answer); skipped.`);
    return;
  }
  const dbName = `tg_bench_cluster_${randomBytes(5).toString('hex')}`;
  const prefix = `tgbench:${randomBytes(5).toString('hex')}:`;
  await setup.query(`CREATE DATABASE ${dbName}`);
  await setup.end();
  const dbUrl = new URL(PG_URL);
  dbUrl.pathname = `/${dbName}`;
  const sql = new pg.Client({ connectionString: dbUrl.toString() });
  await sql.connect();
  const counter = new Redis(redisHandle.url);
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-cluster-'));
  const targets: Target[] = [];
  let platform: Platform | undefined;
  const rows: Row[] = [];
  try {
    console.log(
      `bench:cluster ${new Date().toISOString()}: 1 API + 3 gateways with Redis (${redisHandle.private ? 'private redis-server' : 'shared Redis'}) + 1 gateway without; load ${loadavg()
        .map((l) => fmt(l, 2))
        .join(' ')}`,
    );
    platform = await startPlatform(dbUrl.toString(), redisHandle.url, prefix, dataDir);
    const p = platform;
    const source = await startSource();
    const echo = await startEcho();
    targets.push(source, echo);
    await customerWith(p, 'hot1', 1024 * 1024 * 1024);
    const sharedPorts = p.shared.map((g) => g.proxyPort!);

    // Hot path: the same bulk load through a gateway with Redis leases and through one without, alternated.
    const withRedis: number[] = [];
    const without: number[] = [];
    const cpuWith: number[] = [];
    const cpuWithout: number[] = [];
    for (let rep = 0; rep < HOT_REPS; rep++) {
      const order = rep % 2 === 0 ? (['alone', 'shared'] as const) : (['shared', 'alone'] as const);
      for (const which of order) {
        const server = which === 'alone' ? p.alone : p.shared[0]!;
        const r = await bulk([server.proxyPort!], 'hot1', source, BULK_TUNNELS, server.child.pid);
        (which === 'alone' ? without : withRedis).push(r.mibps);
        if (r.cpuMsPerGib !== undefined) (which === 'alone' ? cpuWithout : cpuWith).push(r.cpuMsPerGib);
      }
    }
    const hotRatio = median(withRedis) / median(without);
    console.log(
      `hot path: with Redis ${withRedis.map((x) => fmt(x, 0)).join('/')} MiB/s, without ${without.map((x) => fmt(x, 0)).join('/')} MiB/s`,
    );
    if (cpuWith.length > 0 && cpuWithout.length > 0) {
      console.log(
        `hot path: gateway CPU per GiB relayed, with Redis ${cpuWith.map((x) => fmt(x, 0)).join('/')} ms, without ${cpuWithout.map((x) => fmt(x, 0)).join('/')} ms`,
      );
    }
    rows.push(
      { figure: `bulk, ${BULK_TUNNELS} tunnels, 1 gateway without Redis`, value: `${fmt(median(without), 0)} MiB/s`, note: '' },
      { figure: `bulk, ${BULK_TUNNELS} tunnels, 1 gateway with Redis`, value: `${fmt(median(withRedis), 0)} MiB/s`, note: '' },
      {
        figure: 'hot-path cost of leases (with / without)',
        value: `${fmt(hotRatio, 2)}×`,
        note: `target ≥ ${HOT_PATH_TARGET}× ${hotRatio >= HOT_PATH_TARGET ? 'PASS' : 'FAIL'} (throughput, median of ${HOT_REPS})`,
      },
    );
    if (cpuWith.length > 0 && cpuWithout.length > 0) {
      rows.push({
        figure: 'gateway CPU per GiB (without / with)',
        value: `${fmt(median(cpuWithout) / median(cpuWith), 2)}×`,
        note: `${fmt(median(cpuWithout), 0)} ms / ${fmt(median(cpuWith), 0)} ms: the same cost read as CPU, steadier than throughput here`,
      });
    }

    // Scaling and Redis operations: 1 gateway against 3, bulk and short; Redis commands counted around the
    // 3-gateway bulk windows, less an idle window as long.
    const idle0 = await commandsProcessed(counter);
    await sleep(REPS * (BULK_WARMUP_MS + BULK_WINDOW_MS));
    const idleOps = (await commandsProcessed(counter)) - idle0 - 1;
    const one: number[] = [];
    const three: number[] = [];
    let opsBulk = 0;
    let bytesBulk = 0;
    let perGateway = [0, 0, 0];
    for (let rep = 0; rep < REPS; rep++) {
      one.push((await bulk([sharedPorts[0]!], 'hot1', source, BULK_TUNNELS)).mibps);
      const before = await commandsProcessed(counter);
      const r = await bulk(sharedPorts, 'hot1', source, BULK_TUNNELS);
      opsBulk += (await commandsProcessed(counter)) - before - 1;
      bytesBulk += r.bytes;
      perGateway = perGateway.map((b, i) => b + r.perGateway[i]!);
      three.push(r.mibps);
    }
    const shortOne1: number[] = [];
    const shortThree: number[] = [];
    for (let rep = 0; rep < REPS; rep++) {
      shortOne1.push(await shortConnections([sharedPorts[0]!], 'hot1', echo));
      shortThree.push(await shortConnections(sharedPorts, 'hot1', echo));
    }
    const opsWindowMs = REPS * (BULK_WARMUP_MS + BULK_WINDOW_MS);
    // The bytes of the warm-ups moved too; count them at the window's rate.
    const relayed = bytesBulk * (opsWindowMs / (REPS * BULK_WINDOW_MS));
    rows.push(
      { figure: `bulk, ${BULK_TUNNELS} tunnels, 1 gateway`, value: `${fmt(median(one), 0)} MiB/s`, note: '' },
      {
        figure: `bulk, ${BULK_TUNNELS} tunnels over 3 gateways`,
        value: `${fmt(median(three), 0)} MiB/s`,
        note: `${fmt(median(three) / median(one), 2)}× of 1 (per gateway: ${perGateway.map((b) => fmt(b / MIB, 0)).join(' / ')} MiB)`,
      },
      { figure: `short connections, ${SHORT_WORKERS} workers, 1 gateway`, value: `${fmt(median(shortOne1), 0)} /s`, note: '' },
      {
        figure: `short connections, ${SHORT_WORKERS} workers over 3 gateways`,
        value: `${fmt(median(shortThree), 0)} /s`,
        note: `${fmt(median(shortThree) / median(shortOne1), 2)}× of 1`,
      },
      {
        figure: 'Redis commands per GiB relayed (3 gateways, bulk)',
        value: fmt((opsBulk / relayed) * GIB, 0),
        note: `less idle: ${fmt(((opsBulk - idleOps) / relayed) * GIB, 0)} (${opsBulk} commands for ${fmt(relayed / MIB, 0)} MiB; idle window ${idleOps})`,
      },
    );

    // Overshoot: small packages hammered from every gateway until each account is cut.
    const accounts = [];
    for (const a of OVERSHOOT_ACCOUNTS) accounts.push({ ...a, userId: await customerWith(p, a.name, a.kb) });
    const started = performance.now();
    const runs = await Promise.all(
      accounts.map(async (a) => {
        const tunnels = await Promise.all(
          sharedPorts.flatMap((port) =>
            Array.from({ length: OVERSHOOT_TUNNELS }, () =>
              connectTunnel(port, `127.0.0.1:${source.port}`, `${a.name}:${PASSWORD}`),
            ),
          ),
        );
        const received = new Array<number>(sharedPorts.length).fill(0);
        const closedAt: number[] = [];
        await Promise.all(
          tunnels.map((t, i) => {
            if (t.status !== 200) throw new Error(`overshoot tunnel refused: ${t.head}`);
            const g = Math.floor(i / OVERSHOOT_TUNNELS);
            t.socket.on('data', (c: Buffer) => {
              received[g]! += c.length;
            });
            t.socket.on('error', () => {});
            t.socket.resume();
            // Bounded: a package that is never cut fails the run after two minutes.
            const timer = setTimeout(() => t.socket.destroy(new Error('not cut')), 120_000);
            return once(t.socket, 'close').then(() => {
              clearTimeout(timer);
              closedAt.push(performance.now() - started);
            });
          }),
        );
        return { ...a, received, closedAt };
      }),
    );
    for (const r of runs) {
      // Billed once the usage rows and the packages agree and stay put for a few flush intervals.
      let last = -1;
      let used = 0;
      for (let i = 0; i < 100; i++) {
        const u = Number(
          (await sql.query('select coalesce(sum(used_bytes), 0) as u from user_packages where user_id = $1', [r.userId])).rows[0]
            .u,
        );
        const rowsBytes = Number(
          (await sql.query('select coalesce(sum(bytes), 0) as b from usage_hourly where user_id = $1', [r.userId])).rows[0].b,
        );
        if (u === rowsBytes && u === last) {
          used = u;
          break;
        }
        last = u;
        used = u;
        await sleep(4 * FLUSH_MS);
      }
      const budget = r.kb * KIB;
      const over = used - budget;
      const bound = BOUND_PER_GATEWAY * sharedPorts.length;
      const spread = Math.max(...r.closedAt) - Math.min(...r.closedAt);
      rows.push({
        figure: `overshoot, ${r.name} (${fmt(budget / MIB, 0)} MiB package, ${sharedPorts.length}×${OVERSHOOT_TUNNELS} tunnels)`,
        value: over >= 0 ? `+${kib(over)}` : `−${kib(-over)} unspent`,
        note:
          `${over >= 0 ? `${kib(over / sharedPorts.length)} per gateway; ${fmt((over / budget) * 100, 3)}% of the package; ` : ''}` +
          `bound ${kib(bound)} ${over <= bound ? 'PASS' : 'FAIL'}; received per gateway ${r.received.map((b) => fmt(b / MIB, 1)).join(' / ')} MiB; cuts within ${fmt(spread, 0)} ms`,
      });
    }
  } finally {
    for (const t of targets) await t.close();
    if (platform) {
      for (const g of [...platform.shared, platform.alone]) await stopServer(g.child);
      await stopServer(platform.api.child);
    }
    await sql.end();
    const cleanup = new pg.Client({ connectionString: PG_URL });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await cleanup.end();
    const keys = await counter.keys(`${prefix}*`);
    if (keys.length > 0) await counter.del(...keys);
    await counter.quit();
    await redisHandle.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const width = Math.max(...rows.map((r) => r.figure.length));
  const valueWidth = Math.max(...rows.map((r) => r.value.length));
  console.log('');
  for (const r of rows) console.log(`${r.figure.padEnd(width)}  ${r.value.padStart(valueWidth)}  ${r.note}`);
  console.log(
    `load after: ${loadavg()
      .map((l) => fmt(l, 2))
      .join(' ')}`,
  );
}

await main();
