/**
 * `tollgate nodes …` in process: the commands registered on a Commander
 * program, opening a real SQLite platform, printing into an array.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Command, InvalidArgumentError } from 'commander';
import { SecretBox } from '../src/accounts/index.js';
import { AppError } from '../src/errors/index.js';
import { registerNodeCommands } from '../src/cli/nodes.js';
import { NodesService } from '../src/pool/index.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';

describe('tollgate nodes', () => {
  let tp: TestPlatform;
  let service: NodesService;
  let lines: string[];
  let opened = 0;

  const tollgate = async (...args: string[]): Promise<string[]> => {
    lines = [];
    const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
    registerNodeCommands(
      program,
      async (fn) => {
        opened++;
        return fn(service);
      },
      (line) => lines.push(line),
    );
    await program.parseAsync(['node', 'tollgate', 'nodes', ...args]);
    return lines;
  };

  before(async () => {
    tp = await startTestPlatform('sqlite');
    service = new NodesService(tp.platform.storage.db, new SecretBox(tp.platform.config.secret, 'exit-node-url'));
  });
  after(() => tp.close());
  beforeEach(async () => {
    for (const node of await service.list()) await service.remove(node.id);
  });

  it('adds nodes with every option and lists them, passwords masked', async () => {
    const [added] = await tollgate(
      'add',
      '--url',
      'socks5://bob:s3cret@198.51.100.7:1080',
      '--country',
      'us',
      '--state',
      'CA',
      '--city',
      'san_jose',
      '--types',
      '9,11',
      '--weight',
      '5',
    );
    assert.match(
      added ?? '',
      /^added node \d+ socks5:\/\/bob:\*\*\*@198\.51\.100\.7:1080 \(US\/ca\/san_jose, types 9,11, weight 5\)$/,
    );
    const [json] = await tollgate('add', '--url', 'direct://', '--country', 'DE', '--disabled', '--json');
    const node = JSON.parse(json ?? '{}');
    assert.deepEqual(
      { ...node, id: 0, created_at: '' },
      {
        id: 0,
        url: 'direct://',
        kind: 'direct',
        country: 'DE',
        state: '',
        city: '',
        types: [9],
        weight: 1,
        enabled: false,
        created_at: '',
      },
    );

    const table = await tollgate('list');
    assert.equal(table.length, 3);
    assert.match(table[0] ?? '', /^id\s+url\s+country\s+state\s+city\s+types\s+weight\s+enabled$/);
    assert.match(table[1] ?? '', /socks5:\/\/bob:\*\*\*@198\.51\.100\.7:1080\s+US\s+ca\s+san_jose\s+9,11\s+5\s+yes$/);
    assert.match(table[2] ?? '', /direct:\/\/\s+DE\s+9\s+1\s+no$/);
    assert.doesNotMatch(table.join('\n'), /s3cret/);
    const listed = JSON.parse((await tollgate('list', '--json'))[0] ?? '[]');
    assert.deepEqual(
      listed.map((n: { url: string }) => n.url),
      ['socks5://bob:***@198.51.100.7:1080', 'direct://'],
    );
  });

  it('disables, enables, updates and removes by id', async () => {
    const node = await service.add({ url: 'direct://', country: 'FR' });
    assert.match(
      (await tollgate('disable', String(node.id)))[0] ?? '',
      /^disabled node \d+ direct:\/\/ \(FR, types 9, weight 1, disabled\)$/,
    );
    assert.equal((await service.get(node.id)).enabled, false);
    assert.match((await tollgate('enable', String(node.id)))[0] ?? '', /^enabled node/);
    assert.equal((await service.get(node.id)).enabled, true);
    assert.match(
      (await tollgate('update', String(node.id), '--weight', '7', '--city', 'lyon'))[0] ?? '',
      /\(FR\/lyon, types 9, weight 7\)$/,
    );
    assert.deepEqual(await tollgate('remove', String(node.id)), [`removed node ${node.id}`]);
    assert.deepEqual(await tollgate('list'), ['no exit nodes']);
  });

  it('reports bad input by field, and unknown ids as TG_ERR_NODE_NOT_FOUND', async () => {
    await assert.rejects(
      tollgate('add', '--url', 'ftp://x:21', '--country', 'XX'),
      (err: Error) =>
        err instanceof InvalidArgumentError &&
        /--url unknown scheme "ftp"/.test(err.message) &&
        /--country an ISO 3166-1/.test(err.message),
    );
    await assert.rejects(
      tollgate('add', '--url', 'direct://', '--country', 'US', '--types', '9,x'),
      /comma-separated product types/,
    );
    await assert.rejects(tollgate('add', '--country', 'US'), /required option '--url <url>'/);
    await assert.rejects(tollgate('remove', 'abc'), /not a node id: abc/);
    const before = opened;
    await assert.rejects(
      tollgate('remove', '999999'),
      (err: Error) => err instanceof AppError && err.key === 'TG_ERR_NODE_NOT_FOUND',
    );
    assert.equal(opened, before + 1);
    assert.deepEqual(await tollgate('list'), ['no exit nodes']);
  });
});
