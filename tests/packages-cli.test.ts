/**
 * `tollgate packages …` in process, on every dialect: the commands registered on a Commander program, on a real
 * platform, printing into an array.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Command, InvalidArgumentError } from 'commander';
import { formatSize, registerPackageCommands } from '../src/cli/packages.js';
import { AppError } from '../src/errors/index.js';
import { createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const DAY = 86_400_000;
/** 2026-11-23 12:00:00 UTC. */
const T = Date.UTC(2026, 10, 23, 12, 0, 0);

describe('formatSize', () => {
  it('shows KB below 1 MB, then MB and GB with up to two decimals', () => {
    assert.equal(formatSize(1536), '1 KB');
    assert.equal(formatSize(1024 ** 2), '1 MB');
    assert.equal(formatSize(1.5 * 1024 ** 3), '1.5 GB');
    assert.equal(formatSize(10 * 1024 ** 3 + 1), '10 GB');
  });
});

for (const dialect of dialects()) {
  describe(`tollgate packages on ${dialect}`, () => {
    let tp: TestPlatform;
    let lines: string[];
    let opened = 0;

    const tollgate = async (...args: string[]): Promise<string[]> => {
      lines = [];
      const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
      registerPackageCommands(
        program,
        async (fn) => {
          opened++;
          const { packages, users } = tp.platform.services;
          return fn({ packages, users, time: tp.platform.time });
        },
        (line) => lines.push(line),
      );
      await program.parseAsync(['node', 'tollgate', 'packages', ...args]);
      return lines;
    };

    before(async () => {
      tp = await startTestPlatform(dialect, { TOLLGATE_TZ: 'Asia/Shanghai' }, { now: () => T });
    });
    after(() => tp.close());

    it('grants by --gb and --mb, lists as a table and as JSON, revokes by id', async () => {
      const user = await createUser(tp);
      const [granted] = await tollgate('grant', '--email', user.email.toUpperCase(), '--gb', '10', '--days', '30');
      assert.match(
        granted ?? '',
        new RegExp(
          `^granted package (\\d+): type 9, 10 GB, 2026-11-23 20:00:00 to 2026-12-23 20:00:00, trade_no 20261123200000\\d{14} to ${user.email}$`,
        ),
      );
      const [json] = await tollgate(
        'grant',
        '--email',
        user.email,
        '--type',
        '12',
        '--mb',
        '1.5',
        '--days',
        '7',
        '--title',
        'Trial',
        '--trade-no',
        `CLI-${user.id}`,
        '--starts-at',
        '2026-12-01 08:00:00',
        '--json',
      );
      const pkg = JSON.parse(json ?? '{}');
      assert.deepEqual(
        [pkg.user_id, pkg.product_type, pkg.total_bytes, pkg.total, pkg.title, pkg.trade_no, pkg.starts_at, pkg.expires_at],
        [user.id, 12, 1.5 * 1024 ** 2, 1536, 'Trial', `CLI-${user.id}`, '2026-12-01T00:00:00.000Z', '2026-12-08T00:00:00.000Z'],
      );
      const page = await tp.platform.services.packages.list(user.id);
      assert.equal(page.total, 2);
      assert.equal(page.items[1]?.totalBytes, 10 * 1024 ** 3);
      assert.equal(page.items[1]?.expiresAt, T + 30 * DAY);

      const table = await tollgate('list', '--email', user.email);
      assert.equal(table.length, 3);
      assert.match(table[0] ?? '', /^id\s+type\s+total\s+used\s+starts\s+expires\s+status\s+trade_no\s+title$/);
      assert.match(
        table[1] ?? '',
        new RegExp(
          `^${pkg.id}\\s+12\\s+1\\.5 MB\\s+0 KB\\s+2026-12-01 08:00:00\\s+2026-12-08 08:00:00\\s+active\\s+CLI-${user.id}\\s+Trial$`,
        ),
      );
      assert.match(
        table[2] ?? '',
        /\s+9\s+10 GB\s+0 KB\s+2026-11-23 20:00:00\s+2026-12-23 20:00:00\s+active\s+\d{28}\s+Granted by operator$/,
      );

      assert.deepEqual(await tollgate('revoke', String(pkg.id)), [`revoked package ${pkg.id}`]);
      const listed = JSON.parse((await tollgate('list', '--email', user.email, '--json'))[0] ?? '[]');
      assert.deepEqual(
        listed.map((p: { id: number; status: number }) => [p.id, p.status]),
        [
          [pkg.id, 0],
          [page.items[1]?.id, 1],
        ],
      );
      assert.equal((await tp.platform.services.packages.list(user.id)).total, 1, 'the customer no longer sees it');
    });

    it('grants a time package (11) with --bandwidth-mbps and --concurrency', async () => {
      const user = await createUser(tp);
      const [granted] = await tollgate(
        'grant',
        '--email',
        user.email,
        '--type',
        '11',
        '--days',
        '30',
        '--bandwidth-mbps',
        '20',
        '--concurrency',
        '3',
      );
      assert.match(
        granted ?? '',
        /^granted package \d+: type 11, 20 Mbit\/s × 3 connections, 2026-11-23 20:00:00 to 2026-12-23 20:00:00/,
      );
      const [pkg] = (await tp.platform.services.packages.list(user.id)).items;
      assert.deepEqual([pkg?.productType, pkg?.totalBytes, pkg?.bandwidthMbps, pkg?.concurrency], [11, 0, 20, 3]);
      const table = await tollgate('list', '--email', user.email);
      assert.match(table[1] ?? '', /\s+11\s+20 Mbit\/s × 3 connections\s+0 KB\s+/);
    });

    it('reports bad input by option, unknown users and packages by code, and changes nothing', async () => {
      const user = await createUser(tp);
      await assert.rejects(tollgate('grant', '--email', user.email, '--days', '1'), /give the size with --gb or --mb/);
      await assert.rejects(
        tollgate('grant', '--email', user.email, '--gb', '1', '--mb', '1', '--days', '1'),
        /give the size with --gb or --mb/,
      );
      await assert.rejects(tollgate('grant', '--email', user.email, '--gb', 'lots', '--days', '1'), /a positive number/);
      await assert.rejects(tollgate('grant', '--email', user.email, '--gb', '1', '--days', '1', '--type', '13'), /choices/i);
      await assert.rejects(
        tollgate('grant', '--email', user.email, '--gb', '1', '--days', '1', '--type', '11'),
        /holds time, not traffic: no --gb or --mb/,
      );
      await assert.rejects(
        tollgate('grant', '--email', user.email, '--days', '1', '--type', '11', '--bandwidth-mbps', '20'),
        /needs --bandwidth-mbps and --concurrency/,
      );
      await assert.rejects(
        tollgate('grant', '--email', user.email, '--days', '1', '--type', '11', '--bandwidth-mbps', '0', '--concurrency', '3'),
        /--bandwidth-mbps an integer from 1/,
      );
      await assert.rejects(tollgate('grant', '--email', user.email, '--gb', '1'), /required option '--days <n>'/);
      await assert.rejects(
        tollgate('grant', '--email', user.email, '--gb', '1', '--days', '4000', '--trade-no', 'a b'),
        (err: Error) =>
          err instanceof InvalidArgumentError && /--days must be/.test(err.message) && /--trade-no letters/.test(err.message),
      );
      await assert.rejects(
        tollgate('grant', '--email', user.email, '--gb', '1', '--days', '1', '--starts-at', 'soon'),
        /--starts-at not Y-m-d H:i:s/,
      );
      const before = opened;
      await assert.rejects(
        tollgate('grant', '--email', 'nobody@example.com', '--gb', '1', '--days', '1'),
        (err: Error) => err instanceof AppError && err.key === 'TG_ERR_USER_NOT_FOUND',
      );
      assert.equal(opened, before + 1);
      await assert.rejects(
        tollgate('list', '--email', 'nobody@example.com'),
        (err: Error) => err instanceof AppError && err.key === 'TG_ERR_USER_NOT_FOUND',
      );
      await assert.rejects(tollgate('revoke', 'abc'), /not a package id: abc/);
      await assert.rejects(
        tollgate('revoke', '999999'),
        (err: Error) => err instanceof AppError && err.key === 'TG_ERR_PACKAGE_NOT_FOUND',
      );
      assert.deepEqual(await tollgate('list', '--email', user.email), [`no packages for ${user.email}`]);
    });
  });
}
