/**
 * `tollgate users limits …` in process, on every dialect: shows and overrides a user's fair-share caps
 * through the same service as the admin API, printing into an array.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Command, InvalidArgumentError } from 'commander';
import { registerLimitCommands } from '../src/cli/limits.js';
import { AppError } from '../src/errors/index.js';
import { createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

for (const dialect of dialects()) {
  describe(`tollgate users limits on ${dialect}`, () => {
    let tp: TestPlatform;
    let lines: string[];

    const tollgate = async (...args: string[]): Promise<string[]> => {
      lines = [];
      const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
      const users = program.command('users');
      registerLimitCommands(
        users,
        async (fn) => fn({ limits: tp.platform.services.limits, users: tp.platform.services.users }),
        (line) => lines.push(line),
      );
      await program.parseAsync(['node', 'tollgate', 'users', 'limits', ...args]);
      return lines;
    };

    before(async () => {
      tp = await startTestPlatform(dialect, { TOLLGATE_SUB_ACCOUNT_MAX: '50' });
    });
    after(() => tp.close());

    it('shows the caps as a table, sets overrides, and "default" drops one', async () => {
      const user = await createUser(tp);
      const shown = await tollgate(user.email);
      assert.match(shown[0] ?? '', /^limit\s+value\s+source\s+default$/);
      assert.match(shown.find((l) => l.startsWith('sub_accounts')) ?? '', /^sub_accounts\s+50\s+default\s+50$/);
      await tollgate(user.email, '--sub-accounts', '7', '--tunnels-per-user', '0');
      const json = JSON.parse((await tollgate(user.email, '--json'))[0] ?? '{}');
      assert.equal(json.limits.sub_accounts, 7);
      assert.equal(json.overrides.tunnels_per_user, 0);
      assert.equal(json.defaults.sub_accounts, 50);
      const reset = JSON.parse((await tollgate(user.email, '--sub-accounts', 'default', '--json'))[0] ?? '{}');
      assert.equal(reset.overrides.sub_accounts, null);
      assert.equal(reset.overrides.tunnels_per_user, 0, 'other overrides stay');
      assert.deepEqual((await tp.platform.services.limits.get(user.id)).effective.sub_accounts, 50);
    });

    it('refuses a bad value naming the option, and an unknown email, changing nothing', async () => {
      const user = await createUser(tp);
      await assert.rejects(tollgate(user.email, '--white-ips', 'lots'), (err: unknown) => {
        return (err as { code?: string }).code === 'commander.invalidArgument';
      });
      await assert.rejects(tollgate(user.email, '--extract-leases', '70000'), (err: unknown) => {
        assert.ok(err instanceof InvalidArgumentError);
        assert.match(err.message, /--extract-leases must be an integer from 0 to 65535/);
        return true;
      });
      await assert.rejects(tollgate('nobody@example.com'), (err: unknown) => err instanceof AppError && err.code === 3001);
      assert.equal((await tp.platform.services.limits.get(user.id)).overrides.extract_leases, null);
    });
  });
}
