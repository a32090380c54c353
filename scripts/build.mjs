#!/usr/bin/env node
/**
 * Builds dist/: the TypeScript sources and their dependencies bundled by esbuild into a few ES modules, so that
 * `tollgate` and `npm start` run plain JavaScript and load a handful of files instead of some two thousand
 * (the start-up figures are in docs/performance.md, `npm run bench:startup`). Runs on `npm ci` (`prepare`).
 *
 *   dist/cli/main.js   the `tollgate` command (bin/tollgate runs it); each command's code is a chunk of its own,
 *                      loaded when that command runs, so `--help` loads commander and nothing else
 *   dist/main.js       the composition root (openPlatform, startApi, startGateway) for benchmarks and embedding
 *   dist/main.cjs      the same composition root as one CommonJS file, which `tollgate serve` runs with V8's code
 *                      cache, dist/main.cjs.cache, written here by a warm-up start (src/cli/server-bundle.ts)
 *   dist/web/          the web consoles (web/, built by Vite): the customer portal and the operator console
 *
 * Source maps (linked, without the sources: src/ is next to dist/) let stack traces name src/ lines; the CLI reads
 * them when a trace is first written (src/cli/source-mapped-stacks.ts). Whitespace and syntax are minified (names
 * are kept, so stacks and `constructor.name` read as in the sources): Node parses less.
 * Type checking is `npm run check`'s job (tsc); esbuild only strips the types.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist');

/** Loaded from node_modules at run time rather than bundled, each for a reason of its own. */
const EXTERNAL = [
  // A native addon, found through its own directory.
  'better-sqlite3',
  // pino runs transports (pino-pretty on a terminal) in worker threads that load their files by path.
  'pino',
  'pino-pretty',
  // Serves the /docs page's static files from its own directory.
  '@fastify/swagger-ui',
  // Optional native driver that pg requires only when asked for; not installed.
  'pg-native',
  // Reads its built-in fonts' metrics from files beside its own module.
  'pdfkit',
];

let build;
try {
  ({ build } = await import('esbuild'));
} catch {
  // `npm ci --omit=dev` runs this too, without esbuild: fine when dist/ is already there (a release), else say why.
  if (existsSync(join(outdir, 'cli', 'main.js'))) process.exit(0);
  console.error('building dist/ needs the development dependencies: run `npm ci`, then `npm prune --omit=dev` if you like');
  process.exit(1);
}

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: {
    'cli/main': 'src/cli/main.ts',
    main: 'src/main.ts',
    'cli/warm-server-bundle': 'src/cli/warm-server-bundle.ts',
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  external: EXTERNAL,
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'linked',
  minifyWhitespace: true,
  minifySyntax: true,
  sourcesContent: false,
  // Licence comments go to <file>.LEGAL.txt beside each output (linked from it): left at the end of the bundle,
  // their authors' names were the only non-ASCII text, and a single one makes Node read the whole file into a
  // two-byte string (twice the memory and, for dist/main.cjs, about 30 ms more of `serve` start-up).
  legalComments: 'linked',
  // Bundled CommonJS packages call require(); an ES module has none, so each chunk makes its own.
  banner: {
    js: "import { createRequire as __tollgateRequire } from 'node:module';\nconst require = __tollgateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
// The server for `tollgate serve`: src/main.ts as one CommonJS file, which src/cli/server-bundle.ts runs through
// vm.Script with V8's code cache (Node 20 caches nothing for ES modules). Its first line carries a fresh build id,
// which the cache must repeat. Dynamic imports become require() (those left are of the external packages, all
// CommonJS): vm.Script has no import() without an experimental flag.
const buildId = randomBytes(16).toString('hex');
const serverBundle = join(outdir, 'main.cjs');
await build({
  absWorkingDir: root,
  entryPoints: ['src/main.ts'],
  outfile: serverBundle,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20.19',
  supported: { 'dynamic-import': false },
  // pino and better-sqlite3's JavaScript are bundled here, under the code cache (loaded from node_modules, they
  // took ~50 ms of start-up to find and compile). pino's transports run in worker threads that thread-stream starts
  // from its own directory, so thread-stream stays outside, as does pino-pretty, which the worker loads by path.
  // better-sqlite3 is handed its addon's path (src/storage/database.ts), so `bindings`, which would look for it
  // beside the bundle, is never called.
  external: [...EXTERNAL.filter((name) => name !== 'pino' && name !== 'better-sqlite3'), 'thread-stream', 'bindings'],
  sourcemap: 'linked',
  minifyWhitespace: true,
  minifySyntax: true,
  sourcesContent: false,
  legalComments: 'linked',
  define: { 'import.meta.url': '__tollgateImportMetaUrl' },
  banner: {
    js: `/* tollgate build ${buildId} */\nconst __tollgateImportMetaUrl = require('node:url').pathToFileURL(__filename).href;`,
  },
  logLevel: 'warning',
});
// The web consoles (web/, React + Vite) into dist/web, which the API serves at / and /console.
const { build: buildWeb } = await import('vite');
await buildWeb({ configFile: join(root, 'web', 'vite.config.ts'), logLevel: 'warn' });
// The code cache, from a warm-up start of the bundle (with the web consoles built, as `serve` finds them).
execFileSync(process.execPath, [join(outdir, 'cli', 'warm-server-bundle.js'), serverBundle], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { PATH: process.env.PATH, HOME: process.env.HOME },
  timeout: 120_000,
});
// Tests and benchmarks compare this file's time with the sources' to rebuild a stale dist/.
writeFileSync(join(outdir, '.build-stamp'), `${new Date().toISOString()}\n`);
