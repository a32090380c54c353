/**
 * `tollgate users accounts` and `tollgate users change-account` in process, on every dialect: the operator lists
 * a user's proxy accounts and changes daily_limit, udp and the rest through the same service as
 * `proxy-account/change`, with the same rules (a bad option is a usage error naming it, and changes nothing).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Command, InvalidArgumentError } from 'commander';
import { registerSubAccountCommands } from '../src/cli/sub-accounts.js';
import { AppError } from '../src/errors/index.js';
import { createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

for (const dialect of dialects()) {
  describe(`tollgate users accounts / change-account on ${dialect}`, () => {
    let tp: TestPlatform;
    let lines: string[];

    const tollgate = async (...args: string[]): Promise<string[]> => {
      lines = [];
      const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
      const users = program.command('users');
      const s = tp.platform.services;
      registerSubAccountCommands(
        users,
        async (fn) => fn({ subAccounts: s.subAccounts, users: s.users, time: tp.platform.time }),
        (line) => lines.push(line),
      );
      await program.parseAsync(['node', 'tollgate', 'users', ...args]);
      return lines;
    };

    before(async () => {
      tp = await startTestPlatform(dialect);
    });
    after(() => tp.close());

    it('lists accounts and changes daily limit, udp, status and password in one command', async () => {
      const user = await createUser(tp);
      await tp.platform.services.subAccounts.add(user.id, 'cliacct1:pass1234,cliacct2:pass1234', 'r', 9);
      const shown = await tollgate('accounts', user.email);
      assert.match(shown[0] ?? '', /^username\s+product_type\s+status\s+limit_gb\s+daily_limit_gb\s+udp/);
      assert.equal(shown.length, 3);
      assert.deepEqual(
        await tollgate('change-account', user.email, 'cliacct1', '--daily-limit', '4', '--udp', '1', '--password', 'Abcdef12'),
        ['changed cliacct1'],
      );
      const [json] = await tollgate('accounts', user.email, '--json');
      const rows = JSON.parse(json ?? '[]') as { username: string; daily_limit_gb: number; udp: number; status: number }[];
      assert.deepEqual(
        rows.map((r) => [r.username, r.daily_limit_gb, r.udp, r.status]),
        [
          ['cliacct1', 4, 1, 1],
          ['cliacct2', 0, 0, 1],
        ],
      );
      const [account] = await tp.platform.services.subAccounts.list(user.id, { username: 'cliacct1' });
      assert.equal(account?.password, 'Abcdef12');
    });

    it('refuses bad options by name and changes nothing; an unknown user or account is an error', async () => {
      const user = await createUser(tp);
      await tp.platform.services.subAccounts.add(user.id, 'cliacct3:pass1234', '', 9);
      await assert.rejects(
        tollgate('change-account', user.email, 'cliacct3', '--udp', '1', '--password', 'abc'),
        (err: unknown) => err instanceof InvalidArgumentError && /--password/.test(err.message),
      );
      await assert.rejects(
        tollgate('change-account', user.email, 'cliacct3', '--status', '2'),
        (err: unknown) => err instanceof InvalidArgumentError && /--status/.test(err.message),
      );
      await assert.rejects(tollgate('change-account', user.email, 'cliacct3', '--daily-limit', 'x'));
      const [account] = await tp.platform.services.subAccounts.list(user.id);
      assert.deepEqual([account?.udp, account?.status, account?.dailyLimitGb], [false, 1, 0]);
      await assert.rejects(
        tollgate('change-account', user.email, 'nosuch1', '--udp', '1'),
        (err: unknown) => err instanceof AppError && err.key === 'TG_ERR_ACCOUNT_NOT_FOUND',
      );
      await assert.rejects(
        tollgate('accounts', 'nobody@example.com'),
        (err: unknown) => err instanceof AppError && err.key === 'TG_ERR_USER_NOT_FOUND',
      );
    });
  });
}
