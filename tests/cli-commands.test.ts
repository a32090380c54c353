/**
 * The command table (src/cli/commands.ts) and what each command loads: `tollgate --help` shows every command
 * with the description its module registers, and the compiled commands load only what they use (checked on
 * dist/ by recording every file Node loads and reading, from each bundle's source map, the sources it holds).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { COMMANDS } from '../src/cli/commands.js';
import { BIN, ensureBuilt, failsWithSourceStack, ROOT } from './helpers/dist.js';

const run = promisify(execFile);

describe('the command table', () => {
  it('lists each command once, and each module registers its command with the summary --help shows', async () => {
    assert.equal(new Set(COMMANDS.map((c) => c.name)).size, COMMANDS.length);
    for (const entry of COMMANDS) {
      const program = new Command();
      (await entry.load())(program);
      const command = program.commands.find((c) => c.name() === entry.name);
      assert.ok(command, `${entry.name} is registered by its module`);
      assert.equal(command.description(), entry.summary, entry.name);
    }
  });
});

describe('what the compiled commands load', () => {
  let dir: string;
  let dataDir: string;

  /** The sources (src/… files and node_modules packages) in the files Node loaded to run `tollgate args`. */
  async function loadedSources(args: string[]): Promise<{ sources: Set<string>; stdout: string }> {
    const loads = join(dir, `loads-${args.join('-')}`);
    writeFileSync(loads, '');
    const { stdout } = await run(
      process.execPath,
      ['--import', join(dir, 'register.mjs'), join(ROOT, 'dist', 'cli', 'main.js'), ...args],
      { env: { PATH: process.env.PATH, TOLLGATE_DATA_DIR: dataDir, LOADS_FILE: loads } },
    );
    const sources = new Set<string>();
    for (const url of readFileSync(loads, 'utf8')
      .split('\n')
      .filter((l) => l !== '')) {
      const file = fileURLToPath(url);
      const path = relative(ROOT, file);
      if (!path.startsWith('dist/')) {
        sources.add(
          path
            .split('/')
            .slice(0, path.split('/')[1]?.startsWith('@') ? 3 : 2)
            .join('/'),
        );
        continue;
      }
      const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] };
      for (const source of map.sources) {
        const from = relative(ROOT, join(file, '..', source));
        const parts = from.split('/');
        sources.add(from.startsWith('node_modules/') ? parts.slice(0, parts[1]?.startsWith('@') ? 3 : 2).join('/') : from);
      }
    }
    return { sources, stdout };
  }

  before(async () => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'tollgate-loads-'));
    dataDir = join(dir, 'data');
    writeFileSync(
      join(dir, 'hooks.mjs'),
      "import { appendFileSync } from 'node:fs';\n" +
        'export async function load(url, context, next) {\n' +
        "  if (url.startsWith('file:')) appendFileSync(process.env.LOADS_FILE, url + '\\n');\n" +
        '  return next(url, context);\n}\n',
    );
    writeFileSync(
      join(dir, 'register.mjs'),
      "import { register } from 'node:module';\nregister(new URL('./hooks.mjs', import.meta.url));\n",
    );
    await run(BIN, ['users', 'create', '--email', 'loads@example.com'], {
      env: { PATH: process.env.PATH, TOLLGATE_DATA_DIR: dataDir },
    });
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('an unexpected error prints a stack naming src/ files and lines (source maps)', async () => {
    await failsWithSourceStack(['users', 'list'], join(dir, 'hooks.mjs'));
  });

  it('--help lists every command and loads commander and the command table alone', async () => {
    const { sources, stdout } = await loadedSources(['--help']);
    for (const { name, summary } of COMMANDS)
      assert.match(stdout, new RegExp(`^  ${name}\\s+${summary.replace(/[()]/g, '\\$&')}$`, 'm'));
    assert.deepEqual([...sources].sort(), [
      'node_modules/commander',
      'src/cli/commands.ts',
      'src/cli/main.ts',
      'src/cli/platform.ts',
      'src/cli/source-mapped-stacks.ts',
    ]);
  });

  it('users list opens storage and loads neither Fastify nor the gateway', async () => {
    const { sources, stdout } = await loadedSources(['users', 'list', '--json']);
    assert.deepEqual(
      JSON.parse(stdout).map((u: { email: string }) => u.email),
      ['loads@example.com'],
    );
    for (const needed of ['src/cli/users.ts', 'src/storage/database.ts', 'node_modules/kysely', 'node_modules/better-sqlite3']) {
      assert.ok(sources.has(needed), `${needed} is loaded`);
    }
    const unwanted = [...sources].filter((s) => /fastify|^src\/api\/|^src\/gateway\/|prom-client|node_modules\/pg$/.test(s));
    assert.deepEqual(unwanted, []);
  });
});
