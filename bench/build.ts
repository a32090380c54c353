/**
 * What the benchmarks measure: the compiled build (dist/main.js, as `tollgate serve` runs it), typed as its
 * source. Rebuilt first when a source is newer than the last build.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Main from '../src/main.js';
import { ensureBuilt, ROOT } from '../tests/helpers/dist.js';

export async function loadBuild(): Promise<typeof Main> {
  ensureBuilt();
  return import(pathToFileURL(join(ROOT, 'dist', 'main.js')).href);
}
