/**
 * `tollgate serve` runs dist/main.cjs from V8's code cache written by the build (src/cli/server-bundle.ts): the real
 * command uses it; a cache of another build, a damaged one or none at all changes nothing but the time; stack traces
 * from the bundle still name src/ lines.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { cachePath, loadBundle, writeCodeCache } from '../src/cli/server-bundle.js';
import type * as Main from '../src/main.js';
import { BIN, ensureBuilt, failsWithSourceStack, launchServer, ROOT, serverEnv, stopServer } from './helpers/dist.js';

const run = promisify(execFile);
const BUNDLE = join(ROOT, 'dist', 'main.cjs');

/**
 * Loads a copy of the bundle (with `cache` as its cache file, when given) in a Node process of its own with no
 * flags, as bin/tollgate runs it, and answers what the loader says of the cache and what the bundle exports.
 */
async function loadCopy(dir: string, cache?: Buffer): Promise<{ cache: string; exports: string[] }> {
  const copy = join(dir, 'main.cjs');
  copyFileSync(BUNDLE, copy);
  copyFileSync(`${BUNDLE}.map`, `${copy}.map`);
  rmSync(cachePath(copy), { force: true });
  if (cache) writeFileSync(cachePath(copy), cache);
  const loader = join(dir, 'load.mjs');
  // The loader as the build has it: src/cli/server-bundle.ts is in one of dist's chunks; tsx is not used here.
  writeFileSync(
    loader,
    [
      "import { readdirSync, readFileSync } from 'node:fs';",
      `const chunks = ${JSON.stringify(join(ROOT, 'dist', 'chunks'))};`,
      "const file = readdirSync(chunks).find((f) => f.endsWith('.js') && readFileSync(`${chunks}/${f}`, 'utf8').includes('tollgate build'));",
      'const { loadBundle } = await import(`${chunks}/${file}`);',
      'const loaded = loadBundle(process.argv[2]);',
      'console.log(JSON.stringify({ cache: loaded.cache, exports: Object.keys(loaded.exports).sort() }));',
    ].join('\n'),
  );
  const { stdout } = await run(process.execPath, [loader, copy], { cwd: dir, env: { PATH: process.env.PATH } });
  return JSON.parse(stdout) as { cache: string; exports: string[] };
}

describe('the server bundle and its code cache', () => {
  let dir: string;

  before(() => {
    ensureBuilt();
    // Inside the installation, so that the copy finds node_modules and package.json as dist/main.cjs does.
    mkdirSync(join(ROOT, 'node_modules', '.cache'), { recursive: true });
    dir = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'tollgate-bundle-test-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the build writes a cache of its own bundle, and `tollgate serve` runs from it', async () => {
    const bundle = readFileSync(BUNDLE, 'utf8');
    const id = /^\/\* tollgate build ([0-9a-f]{32}) \*\//.exec(bundle)?.[1];
    assert.ok(id, 'the bundle starts with its build id');
    const cache = readFileSync(cachePath(BUNDLE));
    assert.equal(cache.toString('latin1', 0, 32), id, 'the cache starts with the same id');
    assert.ok(cache.length > 100_000, `a cache of the functions start-up compiles (${cache.length} bytes)`);

    const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-bundle-'));
    try {
      const server = await launchServer(BIN, ['serve'], serverEnv(dataDir, { TOLLGATE_LOG_LEVEL: 'debug' }));
      try {
        const res = await fetch(`${server.apiUrl}/healthz`);
        assert.equal(res.status, 200);
        const loaded = server
          .output()
          .split('\n')
          .find((line) => line.includes('server code loaded'));
        assert.ok(loaded, server.output());
        assert.equal(JSON.parse(loaded).codeCache, 'used');
      } finally {
        assert.equal(await stopServer(server.child), 0);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a cache of another build, or a damaged one, is not used and changes nothing else', async () => {
    const good = readFileSync(cachePath(BUNDLE));
    const expected = ['configFromEnv', 'openPlatform', 'startApi', 'startGateway'];
    const check = (result: { cache: string; exports: string[] }, cache: string) => {
      assert.equal(result.cache, cache);
      for (const name of expected) assert.ok(result.exports.includes(name), `${name} is exported`);
    };
    check(await loadCopy(dir, good), 'used');
    check(await loadCopy(dir), 'none');
    // Another build's id in front of this build's cache: V8 would take it (it checks only the source length).
    const otherBuild = Buffer.concat([Buffer.from('0'.repeat(32), 'latin1'), good.subarray(32)]);
    check(await loadCopy(dir, otherBuild), 'none');
    // The right id in front of damaged data: V8 refuses it and compiles the source.
    const damaged = Buffer.from(good);
    for (let i = 40; i < 200; i++) damaged[i] = 0xff;
    check(await loadCopy(dir, damaged), 'rejected');
    check(await loadCopy(dir, good.subarray(0, 32)), 'none');
  });

  it('writes the cache atomically beside the bundle, repeating the build id', () => {
    const copy = join(dir, 'main.cjs');
    copyFileSync(BUNDLE, copy);
    const loaded = loadBundle<typeof Main>(copy, { useCache: false });
    assert.equal(typeof loaded.exports.configFromEnv, 'function');
    assert.equal(loaded.cache, 'none');
    const bytes = writeCodeCache(copy, loaded);
    const written = readFileSync(cachePath(copy));
    assert.equal(written.length, bytes);
    assert.equal(written.toString('latin1', 0, 32), loaded.buildId);
  });

  it('stack traces from the bundle name src/ files and lines', async () => {
    const stderr = await failsWithSourceStack(['serve'], join(dir, 'main.cjs'));
    assert.match(stderr, new RegExp(`at configFromEnv \\(${ROOT}/src/main\\.ts:\\d+:\\d+\\)`));
  });
});
