/**
 * The documentation stays true: the generated reference pages are what the code's own tables render (run
 * `npm run docs` after changing a variable or an error), the configuration table is what the parser reads, and
 * README (the front door, under 24 KB) and the docs/ pages link only to files and headings that exist.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { CONFIG_VARIABLES, variablesRead } from '../src/config/index.js';
import { generatedPages, ROOT } from '../scripts/generated-docs.js';

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (!fenced && heading?.[1]) found.add(slug(heading[1].replace(/`/g, '')));
  }
  return found;
}

/** Relative links of a Markdown file (outside code), as [line, target]. */
function links(markdown: string): [number, string][] {
  const out: [number, string][] = [];
  let fenced = false;
  markdown.split('\n').forEach((line, i) => {
    if (line.startsWith('```')) fenced = !fenced;
    if (fenced) return;
    for (const m of line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (!/^[a-z]+:/i.test(target)) out.push([i + 1, target]);
    }
  });
  return out;
}

const pages = ['README.md', ...readdirSync(join(ROOT, 'docs')).map((f) => join('docs', f))].filter((p) => p.endsWith('.md'));

describe('generated reference pages', () => {
  it('docs/configuration.md and docs/errors.md are what the variables table and the error catalogue render', async () => {
    for (const { path, text } of await generatedPages()) {
      const file = join(ROOT, path);
      assert.ok(existsSync(file), `${path} is missing: run npm run docs`);
      assert.equal(readFileSync(file, 'utf8'), text, `${path} is out of date: run npm run docs`);
    }
  });

  it('the variables table lists exactly what the configuration parser reads', () => {
    assert.deepEqual([...variablesRead(), 'TOLLGATE_CONFIG'].sort(), [...CONFIG_VARIABLES].sort());
  });
});

describe('README and docs/', () => {
  it('README is a front door: under 24 KB', () => {
    const size = statSync(join(ROOT, 'README.md')).size;
    assert.ok(size < 24 * 1024, `README.md is ${size} bytes`);
  });

  it('README links the reference pages', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const linked = new Set(links(readme).map(([, target]) => target.split('#')[0]));
    for (const page of ['configuration', 'customer-api', 'gateway', 'errors', 'billing', 'operations', 'performance']) {
      assert.ok(linked.has(`docs/${page}.md`), `README links docs/${page}.md`);
    }
  });

  for (const page of pages) {
    it(`every link in ${page} resolves to a file, and an anchor to a heading there`, () => {
      const from = join(ROOT, page);
      const broken: string[] = [];
      for (const [line, target] of links(readFileSync(from, 'utf8'))) {
        const [path = '', anchor] = target.split('#');
        const file = path === '' ? from : join(dirname(from), decodeURI(path));
        if (!existsSync(file)) {
          broken.push(`${page}:${line} ${target}: no ${relative(ROOT, file)}`);
          continue;
        }
        if (anchor !== undefined && !anchors(readFileSync(file, 'utf8')).has(anchor)) {
          broken.push(`${page}:${line} ${target}: no heading #${anchor} in ${relative(ROOT, file)}`);
        }
      }
      assert.deepEqual(broken, []);
    });
  }
});
