/**
 * `tollgate teams …`, `tollgate keys …`, `users set-username` and `users reset-mfa` in process, on every dialect,
 * through the same services as the APIs, printing into an array; a key the CLI creates works on the customer API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { registerKeyCommands, registerTeamCommands } from '../src/cli/teams.js';
import { registerUserCommands } from '../src/cli/users.js';
import { type AppError } from '../src/errors/index.js';
import { call, createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

for (const dialect of dialects()) {
  describe(`tollgate teams and keys on ${dialect}`, () => {
    let tp: TestPlatform;
    let lines: string[] = [];

    const tollgate = async (...args: string[]): Promise<string[]> => {
      lines = [];
      const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
      const s = tp.platform.services;
      const open = async <T>(
        fn: (deps: { teams: typeof s.teams; users: typeof s.users; apiKeys: typeof s.apiKeys }) => Promise<T>,
      ) => fn({ teams: s.teams, users: s.users, apiKeys: s.apiKeys });
      const print = (line: string) => lines.push(line);
      registerTeamCommands(program, open, print);
      registerKeyCommands(program, open, print);
      registerUserCommands(program, async (fn) => fn(s.users, s.secondFactors), print);
      await program.parseAsync(['node', 'tollgate', ...args]);
      return lines;
    };

    before(async () => {
      tp = await startTestPlatform(dialect);
    });
    after(() => tp.close());

    it('creates a team, manages members and permissions, transfers, disables', async () => {
      const owner = await createUser(tp);
      const member = await createUser(tp);
      const created = JSON.parse(
        (await tollgate('teams', 'create', '--owner', owner.email, '--name', 'CLI team', '--id', 'cli123', '--json'))[0]!,
      );
      assert.equal(created.team_id, 'CLI123');
      assert.deepEqual(
        created.members.map((m: any) => m.role),
        ['owner'],
      );
      await tollgate('teams', 'add-member', 'CLI123', member.email, '--permissions', 'manage_accounts,pay');
      let shown = JSON.parse((await tollgate('teams', 'show', 'cli123', '--json'))[0]!);
      assert.deepEqual(shown.members.at(-1).permissions, ['manage_accounts', 'pay']);
      await tollgate('teams', 'set-permissions', 'CLI123', member.email, '--permissions', 'none');
      shown = JSON.parse((await tollgate('teams', 'show', 'CLI123', '--json'))[0]!);
      assert.deepEqual(shown.members.at(-1).permissions, []);
      await assert.rejects(tollgate('teams', 'add-member', 'CLI123', member.email, '--permissions', 'root'), (err: unknown) => {
        return (err as { code?: string }).code === 'commander.invalidArgument';
      });
      await assert.rejects(
        tollgate('teams', 'remove-member', 'CLI123', owner.email),
        (err: AppError) => err.key === 'TG_ERR_TEAM_OWNER_FIXED',
      );
      await tollgate('teams', 'transfer', 'CLI123', member.email);
      assert.equal((await tp.platform.services.teams.get('CLI123')).ownerUserId, member.id);
      await tollgate('teams', 'remove-member', 'CLI123', owner.email);
      await tollgate('teams', 'rename', 'CLI123', 'Renamed');
      const listed = JSON.parse((await tollgate('teams', 'list', '--json'))[0]!);
      assert.ok(listed.some((t: any) => t.team_id === 'CLI123' && t.name === 'Renamed' && t.members === 1));
      const disabled = await tollgate('teams', 'disable', 'CLI123');
      assert.match(disabled[0] ?? '', /DISABLED/);
      await tollgate('teams', 'enable', 'CLI123');
      assert.equal((await tp.platform.services.teams.get('CLI123')).status, 1);
    });

    it('creates an API key shown once that works as app_key, lists it masked, revokes it', async () => {
      const user = await createUser(tp);
      const created = JSON.parse((await tollgate('keys', 'create', user.email, '--name', 'ops', '--json'))[0]!);
      assert.match(created.key, /^tgk_[A-Za-z0-9]{36}$/);
      const info = await call(tp.app, 'GET', '/developers/user/info', { query: { app_key: created.key } });
      assert.equal(info.data.id, user.id);
      const listed = JSON.parse((await tollgate('keys', 'list', user.email, '--json'))[0]!);
      assert.deepEqual(
        listed.map((k: any) => [k.id, k.name, k.key.slice(-4), k.key.includes(created.key.slice(0, 8))]),
        [[created.id, 'ops', created.key.slice(-4), false]],
      );
      await tollgate('keys', 'revoke', String(created.id));
      assert.equal((await call(tp.app, 'GET', '/developers/user/info', { query: { app_key: created.key } })).code, 3);
      await assert.rejects(
        tollgate('keys', 'revoke', String(created.id)),
        (err: AppError) => err.key === 'TG_ERR_API_KEY_NOT_FOUND',
      );
      // A team-bound key needs membership.
      const team = await tp.platform.services.teams.create({ ownerUserId: (await createUser(tp)).id, name: 'Not mine' });
      await assert.rejects(
        tollgate('keys', 'create', user.email, '--team', team.publicId),
        (err: AppError) => err.key === 'TG_ERR_TEAM_NOT_FOUND',
      );
    });

    it('sets and removes an agent username, and resets second factors', async () => {
      const user = await createUser(tp, { password: 'password123' });
      assert.match((await tollgate('users', 'set-username', user.email, 'Ops.Agent'))[0] ?? '', /ops\.agent/);
      assert.equal((await tp.platform.services.users.get(user.id)).username, 'ops.agent');
      await tollgate('users', 'set-username', user.email, '--remove');
      assert.equal((await tp.platform.services.users.get(user.id)).username, null);
      const { secret } = await tp.platform.services.secondFactors.beginTotp(await tp.platform.services.users.get(user.id));
      assert.ok(secret);
      await tollgate('users', 'reset-mfa', user.email);
      assert.equal((await tp.platform.services.secondFactors.status(user.id)).totp, false);
      assert.equal(
        (await tp.platform.storage.db.selectFrom('user_second_factors').selectAll().where('user_id', '=', user.id).execute())
          .length,
        0,
      );
    });
  });
}
