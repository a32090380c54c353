/**
 * `engines` in package.json states the real minimum: every package the lock file installs (build tools included,
 * since `npm ci` builds) runs on the oldest Node.js of each line it allows, so `npm ci` prints no EBADENGINE
 * (docs/development.md, "Dependencies and Node.js versions").
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import semver from 'semver';

const ROOT = join(import.meta.dirname, '..');
const read = (file: string) => JSON.parse(readFileSync(join(ROOT, file), 'utf8'));

describe('engines', () => {
  const pkg = read('package.json') as { engines: { node: string } };
  const lock = read('package-lock.json') as {
    packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean; os?: string[] }>;
  };
  // The oldest version each alternative of the range allows: 20.19.0 and 22.13.0.
  const oldest = new semver.Range(pkg.engines.node).set.map(
    (alternative) => semver.minVersion(alternative.map((c) => c.value).join(' '))!.version,
  );

  it('allows Node 20 and 22, and what the tests and the CLI use', () => {
    assert.deepEqual(oldest, ['20.19.0', '22.13.0']);
    // import.meta.dirname (20.11) and require of ES modules without a flag (20.19).
    for (const v of oldest) assert.ok(semver.gte(v, '20.19.0'), v);
  });

  it('every installed package supports the oldest Node of each allowed line', () => {
    const wrong: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      const node = !Array.isArray(entry.engines) ? entry.engines?.node : undefined;
      if (path === '' || node === undefined) continue;
      for (const v of oldest) if (!semver.satisfies(v, node)) wrong.push(`${path} (node ${node}) on ${v}`);
    }
    assert.deepEqual(wrong, []);
  });
});
