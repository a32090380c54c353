/**
 * What the benchmarks measure: the compiled build as `tollgate serve` runs it (dist/main.cjs, loaded with its code
 * cache by src/cli/server-bundle.ts), typed as its source. Rebuilt first when a source is newer than the last build.
 */
import { join } from 'node:path';
import type * as Main from '../src/main.js';
import { loadBundle } from '../src/cli/server-bundle.js';
import { ensureBuilt, ROOT } from '../tests/helpers/dist.js';

export async function loadBuild(): Promise<typeof Main> {
  ensureBuilt();
  return loadBundle<typeof Main>(join(ROOT, 'dist', 'main.cjs')).exports;
}
