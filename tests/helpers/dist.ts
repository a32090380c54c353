/**
 * The compiled build (dist/) that `tollgate` and `npm start` run. Tests and benchmarks that start the real
 * command call ensureBuilt() first: it rebuilds when any source is newer than the last build, so a run right
 * after editing src/ never exercises stale JavaScript.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const ROOT = join(import.meta.dirname, '..', '..');
/** The `tollgate` command as installed (a POSIX shell script that execs Node on dist/cli/main.js). */
export const BIN = join(ROOT, 'bin', 'tollgate');

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

let checked = false;

/** Builds dist/ (scripts/build.mjs) unless it is newer than src/, web/, package.json and the build script. */
export function ensureBuilt(): void {
  if (checked) return;
  let built = 0;
  try {
    built = statSync(join(ROOT, 'dist', '.build-stamp')).mtimeMs;
  } catch {
    // Never built.
  }
  const sources = ['src', 'web', 'package.json', 'package-lock.json', join('scripts', 'build.mjs')].map((p) => join(ROOT, p));
  if (sources.some((p) => newestMtime(p) > built)) {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  }
  checked = true;
}

/** Settings for a server on loopback with free ports, no extraction range and warn-level logs; `extra` wins. */
export function serverEnv(dataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TOLLGATE_DATA_DIR: dataDir,
    TOLLGATE_HOST: '127.0.0.1',
    TOLLGATE_API_PORT: '0',
    TOLLGATE_PROXY_PORT: '0',
    TOLLGATE_STATIC_PORT: '0',
    TOLLGATE_EXTRACT_PORTS: 'off',
    TOLLGATE_LOG_LEVEL: 'warn',
    ...extra,
  };
}

export interface LaunchedServer {
  readonly child: ChildProcess;
  /** Everything it printed so far (banner, then logs). */
  output(): string;
  /** From the banner: the API's URL and the proxy port (undefined for a role that runs no such part). */
  readonly apiUrl: string | undefined;
  readonly proxyPort: number | undefined;
}

/** Starts a server (`command args`, run from the repository root) and resolves once its banner is complete. */
export async function launchServer(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<LaunchedServer> {
  ensureBuilt();
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} ${args.join(' ')} did not start: ${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Admin token')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${output}`)));
  });
  const proxy = /Proxy\s+http:\/\/[^:]+:(\d+)/.exec(output)?.[1];
  return {
    child,
    output: () => output,
    apiUrl: /API\s+(http:\/\/\S+)/.exec(output)?.[1],
    proxyPort: proxy === undefined ? undefined : Number(proxy),
  };
}

/** Stops `child` with SIGTERM (unless it has exited) and resolves with its exit code. */
export async function stopServer(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = once(child, 'exit') as Promise<[number | null]>;
  child.kill('SIGTERM');
  return (await exited)[0];
}

/** True when nothing accepts connections on 127.0.0.1:`port`. */
export function portRefuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/**
 * Runs `tollgate args` with a file (`notADirectory`) for its data directory, which fails inside
 * src/config/secrets.ts: asserts that it exits 1 printing a stack that names that src/ line through the source maps
 * and no dist/ file, and answers what it printed.
 */
export async function failsWithSourceStack(args: string[], notADirectory: string): Promise<string> {
  ensureBuilt();
  const failed = await promisify(execFile)(BIN, args, { env: serverEnv(notADirectory) }).then(
    () => assert.fail(`tollgate ${args.join(' ')} succeeded with a file for a data directory`),
    (err: { code: number; stderr: string }) => err,
  );
  assert.equal(failed.code, 1);
  const source = readFileSync(join(ROOT, 'src', 'config', 'secrets.ts'), 'utf8').split('\n');
  const line = source.findIndex((l) => l.includes('mkdirSync(config.dataDir')) + 1;
  assert.match(failed.stderr, new RegExp(`at resolveSecrets \\(${ROOT}/src/config/secrets\\.ts:${line}:\\d+\\)`));
  assert.doesNotMatch(failed.stderr, /dist\//);
  return failed.stderr;
}
