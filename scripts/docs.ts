/**
 * `npm run docs`: writes the generated reference pages (docs/configuration.md from src/config/variables.ts,
 * docs/errors.md from src/errors/catalogue.ts). `npm run docs -- --check` writes nothing and exits 1 when a page
 * is out of date.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generatedPages, ROOT } from './generated-docs.js';

const check = process.argv.includes('--check');
let stale = 0;
for (const { path, text } of await generatedPages()) {
  const file = join(ROOT, path);
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    current = undefined;
  }
  if (current === text) continue;
  if (check) {
    stale++;
    process.stderr.write(`${path} is out of date: run npm run docs\n`);
  } else {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    process.stdout.write(`wrote ${path}\n`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
