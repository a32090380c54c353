/**
 * Writes dist/main.cjs.cache (src/cli/server-bundle.ts): run by scripts/build.mjs right after bundling, as
 * `node dist/cli/warm-server-bundle.js`, a Node process with no flags, as bin/tollgate runs `serve` (V8 accepts a
 * cache only under the flags it was made with).
 *
 * It starts what `serve` starts, twice on one temporary data directory (a first start that migrates and
 * generates secrets, then a restart, the usual case), each time API and gateway on loopback with free ports and no
 * extraction range, and answers one /healthz; then it writes V8's code cache of the bundle, which holds every
 * function those starts compiled. Nothing outside the temporary directory is touched, and it is removed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Main from '../main.js';
import { cachePath, loadBundle, writeCodeCache } from './server-bundle.js';

const bundle = process.argv[2];
if (!bundle) throw new Error('usage: warm-server-bundle <dist/main.cjs>');
rmSync(cachePath(bundle), { force: true });

const loaded = loadBundle<typeof Main>(bundle, { useCache: false });
const { configFromEnv, openPlatform, startApi, startGateway } = loaded.exports;
const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-warm-'));
try {
  const config = configFromEnv({
    TOLLGATE_DATA_DIR: dataDir,
    TOLLGATE_HOST: '127.0.0.1',
    TOLLGATE_API_PORT: '0',
    TOLLGATE_PROXY_PORT: '0',
    TOLLGATE_STATIC_PORT: '0',
    TOLLGATE_EXTRACT_PORTS: 'off',
    TOLLGATE_LOG_LEVEL: 'silent',
  });
  for (let start = 0; start < 2; start++) {
    const platform = await openPlatform(config);
    try {
      const gateway = await startGateway(platform, { ensureDefaultNode: true });
      try {
        const server = await startApi(platform, gateway);
        try {
          const res = await fetch(`${server.apiUrl}/healthz`);
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`warm-up start: /healthz answered ${res.status}`);
        } finally {
          await server.close();
        }
      } finally {
        await gateway.close();
      }
    } finally {
      await platform.close();
    }
  }
  const bytes = writeCodeCache(bundle, loaded);
  process.stdout.write(`code cache: ${(bytes / 1024 / 1024).toFixed(1)} MiB for ${bundle}\n`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
