/**
 * Stack traces that name src/ files and lines, for the compiled build (dist/), with source maps read only when a
 * stack is first written.
 *
 * Why not Node's `--enable-source-maps`: it reads and parses the map of every module as the module loads, about
 * 0.1 s of `tollgate serve` start-up for maps that most runs never consult. Here the same mapping happens when a
 * stack trace is formatted (V8 calls Error.prepareStackTrace then, once per error): each frame in a file with a
 * map beside it (`<file>.map`, as scripts/build.mjs writes them) is looked up with Node's own SourceMap, and the
 * map is parsed the first time one of its frames is. Everything else of the line is V8's own text
 * (CallSite#toString: async, new, method names), with only the location replaced.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A file's map, or null when it has none (or it cannot be read). */
const maps = new Map<string, { map: SourceMap; dir: string } | null>();

function mapOf(file: string): { map: SourceMap; dir: string } | null {
  let found = maps.get(file);
  if (found !== undefined) return found;
  found = null;
  try {
    const path = file.startsWith('file:') ? fileURLToPath(file) : file;
    // Only our own bundles carry a map beside them; node: and node_modules files are skipped unread.
    if (path.includes('/dist/') && !path.includes('/node_modules/')) {
      const payload = JSON.parse(readFileSync(`${path}.map`, 'utf8')) as ConstructorParameters<typeof SourceMap>[0];
      found = { map: new SourceMap(payload), dir: dirname(path) };
    }
  } catch {
    found = null;
  }
  maps.set(file, found);
  return found;
}

/** One frame as V8 writes it, its location mapped onto the sources when a map knows it. */
function frame(site: NodeJS.CallSite): string {
  const text = String(site);
  const file = site.getFileName();
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  if (!file || line === null || column === null) return text;
  const found = mapOf(file);
  if (!found) return text;
  const entry = found.map.findEntry(line - 1, column - 1) as Partial<{
    originalSource: string;
    originalLine: number;
    originalColumn: number;
  }>;
  if (entry.originalSource === undefined || entry.originalLine === undefined || entry.originalColumn === undefined) {
    return text;
  }
  const source = entry.originalSource.startsWith('file:')
    ? fileURLToPath(entry.originalSource)
    : resolve(found.dir, entry.originalSource);
  const location = `${file}:${line}:${column}`;
  const at = text.lastIndexOf(location);
  if (at < 0) return text;
  const mapped = `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  return text.slice(0, at) + mapped + text.slice(at + location.length);
}

function header(error: unknown): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return '<error>';
  }
}

/** Installs the mapping for every stack trace formatted from now on (once; a second call changes nothing). */
export function installSourceMappedStacks(): void {
  if (Error.prepareStackTrace === prepare) return;
  Error.prepareStackTrace = prepare;
}

function prepare(error: Error, sites: NodeJS.CallSite[]): string {
  let out = header(error);
  for (const site of sites) {
    let line: string;
    try {
      line = frame(site);
    } catch {
      line = String(site);
    }
    out += `\n    at ${line}`;
  }
  return out;
}
