/**
 * Stopping the server the way a process manager does: SIGTERM or SIGINT to the PID it launched, and to nothing
 * else. For `tollgate serve` (the bin) and `npm start`, the whole server must stop gracefully: tunnels closed,
 * metered usage written (the meter flushes only every 60 s here, so only the graceful stop writes it), every port
 * closed, exit status 0.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { loadConfig, resolveSecrets } from '../src/config/index.js';
import { openPlatform } from '../src/main.js';
import { MALLOC_TUNABLES } from '../src/net/malloc-tuning.js';
import { BIN, ensureBuilt, launchServer, type LaunchedServer, portRefuses, serverEnv, stopServer } from './helpers/dist.js';
import { connectTunnel, startEcho, type Target } from './helpers/gateway.js';

const run = promisify(execFile);
const BYTES = 64 * 1024;

describe('stopping the server with a signal to the launched PID alone', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let echo: Target;
  let appKey: string;
  let account = 0;

  /** Bytes the database says `name` used. */
  async function usedBytes(name: string): Promise<number> {
    const platform = await openPlatform(resolveSecrets(loadConfig({ TOLLGATE_DATA_DIR: dataDir, TOLLGATE_LOG_LEVEL: 'silent' })));
    try {
      const row = await platform.storage.db
        .selectFrom('sub_accounts')
        .select('used_bytes')
        .where('username', '=', name)
        .executeTakeFirstOrThrow();
      return row.used_bytes;
    } finally {
      await platform.close();
    }
  }

  /** Starts the server, relays BYTES each way through a tunnel left open, signals the launched PID, checks the stop. */
  async function relayThenSignal(command: string, args: string[], signal: NodeJS.Signals): Promise<LaunchedServer> {
    const server = await launchServer(command, args, env);
    const name = `sig${++account}`;
    const added = await fetch(`${server.apiUrl}/gateway/whitelist-account/add?app_key=${appKey}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accounts: `${name}:pass1234` }),
    });
    assert.equal(((await added.json()) as { code: number }).code, 200);
    const tunnel = await connectTunnel(server.proxyPort!, `127.0.0.1:${echo.port}`, `${name}:pass1234`);
    assert.equal(tunnel.status, 200, tunnel.head);
    let echoed = 0;
    const allEchoed = new Promise<void>((resolve) => {
      tunnel.socket.on('data', (chunk: Buffer) => {
        echoed += chunk.length;
        if (echoed >= BYTES) resolve();
      });
    });
    tunnel.socket.resume();
    tunnel.socket.write(Buffer.alloc(BYTES, 0x61));
    await allEchoed;

    const tunnelClosed = once(tunnel.socket, 'close');
    const exited = once(server.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    process.kill(server.child.pid!, signal);
    const [code, bySignal] = await exited;
    assert.equal(code, 0, `exit ${code ?? bySignal}: ${server.output()}`);
    await tunnelClosed;
    assert.equal(await portRefuses(server.proxyPort!), true, 'the proxy port is closed');
    assert.equal(await portRefuses(Number(new URL(server.apiUrl!).port)), true, 'the API port is closed');
    assert.equal(await usedBytes(name), 2 * BYTES, 'the usage of the open tunnel was written on the way out');
    return server;
  }

  before(async () => {
    ensureBuilt();
    dataDir = mkdtempSync(join(tmpdir(), 'tollgate-signals-'));
    // Only a graceful stop writes usage in these tests.
    env = serverEnv(dataDir, { TOLLGATE_ALLOW_PRIVATE_TARGETS: '1', TOLLGATE_METER_FLUSH_MS: '60000' });
    echo = await startEcho();
    const created = JSON.parse((await run(BIN, ['users', 'create', '--email', 'signals@example.com', '--json'], { env })).stdout);
    appKey = created.app_key;
    await run(BIN, ['packages', 'grant', '--email', 'signals@example.com', '--gb', '1', '--days', '30'], { env });
  });

  after(async () => {
    await echo?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('tollgate serve is one process: SIGTERM to its PID stops the server and writes the usage', async () => {
    await relayThenSignal(BIN, ['serve'], 'SIGTERM');
  });

  it('tollgate serve runs Node itself with the malloc tunables in its environment (no second process)', async () => {
    const server = await launchServer(BIN, ['serve'], env);
    try {
      const pid = server.child.pid!;
      assert.equal(realpathSync(`/proc/${pid}/exe`), realpathSync(process.execPath), 'the launched PID is Node');
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      for (const [name, value] of Object.entries(MALLOC_TUNABLES)) assert.ok(environ.includes(`${name}=${value}`), name);
      const children = (await run('ps', ['--ppid', String(pid), '-o', 'pid=']).catch(() => ({ stdout: '' }))).stdout.trim();
      assert.equal(children, '', 'no child process');
    } finally {
      await stopServer(server.child);
    }
  });

  it('tollgate serve stops the same way on SIGINT', async () => {
    await relayThenSignal(BIN, ['serve'], 'SIGINT');
  });

  it('npm start: SIGTERM to npm’s PID stops the server and writes the usage', async () => {
    await relayThenSignal('npm', ['start'], 'SIGTERM');
  });
});
