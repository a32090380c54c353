/**
 * Start-up benchmark: how long the real commands take from launch, on the compiled build, next to `node -e 0`
 * measured in the same run. Run: `npm run bench:startup`.
 *
 *   node -e 0        the baseline: starting Node and exiting
 *   --help           `tollgate --help` until it exits (target < 0.4 s)
 *   users list       `tollgate users list` on an existing data directory holding a few users (target < 0.7 s)
 *   serve → HTTP     `tollgate serve` (the bin itself) until GET /healthz answers 200
 *   npm start → HTTP `npm start` until GET /healthz answers 200 (target < 1 s); npm's own start-up included
 *   npm alone        `npm run env` until it exits: npm starting and running a script (the environment, built
 *                    in), the part of `npm start` that is npm's own, for comparison
 *
 * Settings are the defaults but for ports (free ones, the extraction range as long as the default) and a log level
 * of warn. Every launch runs from the same existing data directory (migrated, secrets and the default exit node made by a
 * first `serve`), the way an operator restarts a host. Each round runs every case once, in the order above; after
 * ROUNDS rounds the median, minimum and maximum are printed with the median's ratio to the baseline's median.
 * A server is stopped with SIGTERM sent to the launched PID alone (for `npm start`, npm's own), and must exit 0
 * with no process left on its port: a start-up that does not stop cleanly is an error, not a figure.
 * Target misses are reported, not turned into a non-zero exit.
 *
 * BENCH_ROUNDS (default 7) sets the rounds; every launch is bounded by LAUNCH_TIMEOUT_MS.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BIN, ensureBuilt, portRefuses, ROOT } from '../tests/helpers/dist.js';
import { freePortRange } from '../tests/helpers/gateway.js';

const ROUNDS = Math.max(1, Math.min(50, Number(process.env.BENCH_ROUNDS ?? 7) || 7));
const LAUNCH_TIMEOUT_MS = 20_000;
const POLL_MS = 5;
const USERS = 5;

const TARGETS_MS: Record<string, number> = { '--help': 400, 'users list': 700, 'npm start → HTTP': 1000 };

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Milliseconds from spawning `command` until it exits; a non-zero exit is an error. */
async function timeToExit(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const t0 = performance.now();
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), LAUNCH_TIMEOUT_MS);
  const [code] = (await once(child, 'exit')) as [number | null];
  const elapsed = performance.now() - t0;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr}`);
  return elapsed;
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * Milliseconds from spawning a server until GET /healthz on `port` answers 200. Then SIGTERM to that PID alone;
 * the process must exit 0 and leave nothing listening on the port.
 */
async function timeToHttp(command: string, args: string[], env: NodeJS.ProcessEnv, port: number): Promise<number> {
  const url = `http://127.0.0.1:${port}/healthz`;
  const t0 = performance.now();
  const child: ChildProcess = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let elapsed: number | undefined;
  try {
    while (performance.now() - t0 < LAUNCH_TIMEOUT_MS && child.exitCode === null) {
      if (await answers(url)) {
        elapsed = performance.now() - t0;
        break;
      }
      await sleep(POLL_MS);
    }
    if (elapsed === undefined) throw new Error(`${command} ${args.join(' ')} did not answer on ${url}: ${stderr}`);
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
  }
  const stopTimer = setTimeout(() => child.kill('SIGKILL'), LAUNCH_TIMEOUT_MS);
  const [code, signal] = await exited;
  clearTimeout(stopTimer);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} did not stop cleanly on SIGTERM (${code ?? signal}): ${stderr}`);
  if (!(await portRefuses(port))) throw new Error(`${command} ${args.join(' ')} exited but something still listens on ${port}`);
  return elapsed;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function main(): Promise<void> {
  ensureBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-startup-'));
  const port = await freePort();
  // The default configuration but for the ports: a free API port to poll, and 100 free extraction ports (as many as
  // the default 20000-20099, which another server on this machine may hold).
  const extract = await freePortRange(100);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TOLLGATE_DATA_DIR: dataDir,
    TOLLGATE_HOST: '127.0.0.1',
    TOLLGATE_API_PORT: String(port),
    TOLLGATE_PROXY_PORT: '0',
    TOLLGATE_STATIC_PORT: '0',
    TOLLGATE_EXTRACT_PORTS: `${extract.from}-${extract.to}`,
    TOLLGATE_EXTRACT_HOST: '127.0.0.1',
    TOLLGATE_LOG_LEVEL: 'warn',
  };
  try {
    // An existing data directory: migrated, secrets generated, the default exit node added, a few users.
    await timeToHttp(BIN, ['serve'], env, port);
    for (let i = 1; i <= USERS; i++) await timeToExit(BIN, ['users', 'create', '--email', `user${i}@example.com`], env);

    const cases: [string, () => Promise<number>][] = [
      ['node -e 0', () => timeToExit(process.execPath, ['-e', '0'], env)],
      ['--help', () => timeToExit(BIN, ['--help'], env)],
      ['users list', () => timeToExit(BIN, ['users', 'list'], env)],
      ['serve → HTTP', () => timeToHttp(BIN, ['serve'], env, port)],
      ['npm start → HTTP', () => timeToHttp('npm', ['start'], env, port)],
      ['npm alone', () => timeToExit('npm', ['run', 'env', '--silent'], env)],
    ];
    const samples = new Map<string, number[]>(cases.map(([label]) => [label, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [label, run] of cases) samples.get(label)!.push(await run());
    }

    const base = median(samples.get('node -e 0')!);
    const width = Math.max(...cases.map(([label]) => label.length));
    const head = `${'launch'.padEnd(width)}  ${'median'.padStart(9)}  ${'min'.padStart(9)}  ${'max'.padStart(9)}  ${'× node -e 0'.padStart(11)}  target`;
    console.log(`Start-up on the compiled build, ${ROUNDS} rounds (node ${process.version}, ${dataDir})\n`);
    console.log(head);
    console.log('-'.repeat(head.length));
    for (const [label] of cases) {
      const values = samples.get(label)!;
      const m = median(values);
      const target = TARGETS_MS[label];
      const verdict = target === undefined ? '' : `< ${(target / 1000).toFixed(1)} s ${m < target ? 'PASS' : 'FAIL'}`;
      console.log(
        `${label.padEnd(width)}  ${`${(m / 1000).toFixed(3)} s`.padStart(9)}  ${`${(Math.min(...values) / 1000).toFixed(3)} s`.padStart(9)}  ${`${(Math.max(...values) / 1000).toFixed(3)} s`.padStart(9)}  ${`${(m / base).toFixed(1)}×`.padStart(11)}  ${verdict}`,
      );
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
