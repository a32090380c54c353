#!/usr/bin/env node
/**
 * Builds dist/: the TypeScript sources and their dependencies bundled by esbuild into a few ES modules, so that
 * `tollgate` and `npm start` run plain JavaScript and load a handful of files instead of some two thousand
 * (the start-up figures are in docs/performance.md, `npm run bench:startup`). Runs on `npm ci` (`prepare`).
 *
 *   dist/cli/main.js   the `tollgate` command (bin/tollgate runs it); each command's code is a chunk of its own,
 *                      loaded when that command runs, so `--help` loads commander and nothing else
 *   dist/main.js       the composition root (openPlatform, startApi, startGateway) for benchmarks and embedding
 *   dist/web/          the web consoles (web/, built by Vite): the customer portal and the operator console
 *
 * Source maps (linked, without the sources: src/ is next to dist/) let stack traces name src/ lines; bin/tollgate
 * runs Node with --enable-source-maps. Whitespace and syntax are minified (names are kept, so stacks and
 * `constructor.name` read as in the sources): Node parses less, and its source-map support, which measures every
 * line of every module it loads, has less to measure (about 0.1 s of `serve` start-up).
 * Type checking is `npm run check`'s job (tsc); esbuild only strips the types.
 */
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
  entryPoints: { 'cli/main': 'src/cli/main.ts', main: 'src/main.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.11',
  external: EXTERNAL,
  chunkNames: 'chunks/[name]-[hash]',
  sourcemap: 'linked',
  minifyWhitespace: true,
  minifySyntax: true,
  sourcesContent: false,
  // Bundled CommonJS packages call require(); an ES module has none, so each chunk makes its own.
  banner: {
    js: "import { createRequire as __tollgateRequire } from 'node:module';\nconst require = __tollgateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
// The web consoles (web/, React + Vite) into dist/web, which the API serves at / and /console.
const { build: buildWeb } = await import('vite');
await buildWeb({ configFile: join(root, 'web', 'vite.config.ts'), logLevel: 'warn' });
// Tests and benchmarks compare this file's time with the sources' to rebuild a stale dist/.
writeFileSync(join(outdir, '.build-stamp'), `${new Date().toISOString()}\n`);
