/**
 * How `tollgate serve` loads the server: the composition root (src/main.ts) bundled into one CommonJS file,
 * dist/main.cjs, compiled by V8 from its code cache, dist/main.cjs.cache.
 *
 * Why: compiling JavaScript is a large part of start-up. Node 20 caches no compiled code for ES modules
 * (`module.enableCompileCache` arrived in Node 22), and a script run through `vm.Script` can be handed V8's code
 * cache. scripts/build.mjs writes the cache right after bundling, from a warm-up start (src/cli/warm-server-bundle.ts)
 * that runs what `serve` runs, so the cache holds every function start-up compiles: on the development machines
 * the server is ready about 130 ms sooner (`npm run bench:startup`).
 *
 * Safety: V8 accepts a cache only for the same V8 version, flags and source length. The length alone would let a
 * stale cache through after a rebuild, so the cache starts with the bundle's build id (its first line, a fresh
 * random id each build) and is used only when the two agree. A cache that is missing, of another build, or that V8
 * rejects (another Node version, other V8 flags) costs nothing but the time: the bundle is compiled from its source.
 * The cache is written only by the build, beside the bundle, with the trust of the bundle itself.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import type * as Main from '../main.js';

/** The bundle's first line: `/* tollgate build <id> *\/`, the id being 32 hexadecimal digits. */
const BUILD_LINE = /^\/\* tollgate build ([0-9a-f]{32}) \*\//;
const ID_BYTES = 32;

export type CacheOutcome = 'used' | 'rejected' | 'none';

export interface LoadedBundle<T> {
  readonly exports: T;
  /** Whether the code cache was used, rejected by V8, or absent (or of another build). */
  readonly cache: CacheOutcome;
  /** V8's code cache of the bundle as of now: every function compiled so far included. */
  createCache(): Buffer;
  readonly buildId: string;
}

export function cachePath(bundle: string): string {
  return `${bundle}.cache`;
}

function readCache(bundle: string, buildId: string): Buffer | undefined {
  let raw: Buffer;
  try {
    raw = readFileSync(cachePath(bundle));
  } catch {
    return undefined;
  }
  if (raw.length <= ID_BYTES || raw.toString('latin1', 0, ID_BYTES) !== buildId) return undefined;
  return raw.subarray(ID_BYTES);
}

/**
 * Runs the CommonJS bundle `file` as Node would (exports, require, module, __filename, __dirname), from its code
 * cache when there is one of the same build (and `useCache` is not false).
 */
export function loadBundle<T>(file: string, { useCache = true }: { useCache?: boolean } = {}): LoadedBundle<T> {
  const source = readFileSync(file, 'utf8');
  const buildId = BUILD_LINE.exec(source)?.[1];
  if (buildId === undefined) throw new Error(`${file} is not a bundle of scripts/build.mjs (no build line)`);
  const cachedData = useCache ? readCache(file, buildId) : undefined;
  // The wrapper's first line is numbered 0, so stack traces and source maps keep the bundle's own line numbers.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {\n${source}\n})`, {
    filename: file,
    lineOffset: -1,
    ...(cachedData ? { cachedData } : {}),
  });
  const module = { exports: {} as T };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return {
    exports: module.exports,
    cache: cachedData === undefined ? 'none' : script.cachedDataRejected === true ? 'rejected' : 'used',
    createCache: () => script.createCachedData(),
    buildId,
  };
}

/** Writes the bundle's code cache beside it (atomically: a reader sees the old file or the new one). */
export function writeCodeCache(file: string, loaded: LoadedBundle<unknown>): number {
  const data = Buffer.concat([Buffer.from(loaded.buildId, 'latin1'), loaded.createCache()]);
  const temporary = `${cachePath(file)}.${process.pid}.tmp`;
  writeFileSync(temporary, data);
  renameSync(temporary, cachePath(file));
  return data.length;
}

/**
 * The composition root as `tollgate serve` runs it: dist/main.cjs with its code cache in a build (this module is
 * then in dist/cli or dist/chunks, one level below it); the sources themselves under tsx (`npm run dev`, tests).
 */
export async function loadMain(): Promise<{ main: typeof Main; cache: CacheOutcome | 'sources' }> {
  const bundle = join(dirname(fileURLToPath(import.meta.url)), '..', 'main.cjs');
  if (!existsSync(bundle)) return { main: await import('../main.js'), cache: 'sources' };
  const loaded = loadBundle<typeof Main>(bundle);
  return { main: loaded.exports, cache: loaded.cache };
}
