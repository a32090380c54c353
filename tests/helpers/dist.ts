/**
 * The compiled build (dist/) that `tollgate` and `npm start` run. Tests and benchmarks that start the real
 * command call ensureBuilt() first: it rebuilds when any source is newer than the last build, so a run right
 * after editing src/ never exercises stale JavaScript.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

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

/** Builds dist/ (scripts/build.mjs) unless it is newer than src/, package.json and the build script. */
export function ensureBuilt(): void {
  if (checked) return;
  let built = 0;
  try {
    built = statSync(join(ROOT, 'dist', '.build-stamp')).mtimeMs;
  } catch {
    // Never built.
  }
  const sources = ['src', 'package.json', 'package-lock.json', join('scripts', 'build.mjs')].map((p) => join(ROOT, p));
  if (sources.some((p) => newestMtime(p) > built)) {
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  }
  checked = true;
}
