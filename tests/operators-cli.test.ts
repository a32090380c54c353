/**
 * `tollgate operators …` and `tollgate audit list` in process, on every dialect, through the same services as
 * the API: an operator the CLI creates signs in to the console; disabling and password resets end sessions;
 * the CLI's own changes and the API's writes show in `audit list` with its filters.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { registerAuditCommands, registerOperatorCommands } from '../src/cli/operators.js';
import { call, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

for (const dialect of dialects()) {
  describe(`tollgate operators and audit on ${dialect}`, () => {
    let tp: TestPlatform;
    let lines: string[] = [];

    const tollgate = async (...args: string[]): Promise<string[]> => {
      lines = [];
      const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
      const s = tp.platform.services;
      const open = async <T>(fn: (deps: { operators: typeof s.operators; audit: typeof s.audit }) => Promise<T>) =>
        fn({ operators: s.operators, audit: s.audit });
      const print = (line: string) => lines.push(line);
      registerOperatorCommands(program, open, print);
      registerAuditCommands(program, open, print);
      await program.parseAsync(['node', 'tollgate', ...args]);
      return lines;
    };

    const signIn = (email: string, password: string) =>
      tp.app.inject({ method: 'POST', url: '/admin/session', payload: { email, password } });

    before(async () => {
      tp = await startTestPlatform(dialect);
    });
    after(() => tp.close());

    it('creates, lists, disables, enables, re-passwords and re-roles operators', async () => {
      const created = JSON.parse(
        (
          await tollgate(
            'operators',
            'create',
            '--email',
            'Ops@Example.com',
            '--password',
            'cli password',
            '--role',
            'support',
            '--json',
          )
        )[0]!,
      );
      assert.equal(created.email, 'ops@example.com');
      assert.equal(created.role, 'support');
      await assert.rejects(tollgate('operators', 'create', '--email', 'x@example.com', '--password', 'short'), {
        code: 'commander.invalidArgument',
      });
      await assert.rejects(
        tollgate('operators', 'create', '--email', 'x@example.com', '--password', 'long enough', '--role', 'root'),
        {
          code: 'commander.invalidArgument',
        },
      );
      await assert.rejects(tollgate('operators', 'create', '--email', 'ops@example.com', '--password', 'long enough'), {
        key: 'TG_ERR_OPERATOR_EXISTS',
      });
      const listed = JSON.parse((await tollgate('operators', 'list', '--json'))[0]!);
      assert.deepEqual(
        listed.map((o: { email: string }) => o.email),
        ['ops@example.com'],
      );

      const first = await signIn('ops@example.com', 'cli password');
      assert.equal(first.statusCode, 200);
      const cookie = /^(tollgate_console=[^;]+)/.exec(String(first.headers['set-cookie']))![1]!;
      assert.equal((await call(tp.app, 'GET', '/admin/users', { headers: { cookie } })).code, 200);

      await tollgate('operators', 'disable', 'ops@example.com');
      assert.equal((await call(tp.app, 'GET', '/admin/users', { headers: { cookie }, status: 401 })).code, 8253);
      assert.equal((await signIn('ops@example.com', 'cli password')).json().code, 8252);
      await tollgate('operators', 'enable', 'ops@example.com');
      await tollgate('operators', 'reset-password', 'ops@example.com', '--password', 'new cli password');
      assert.equal((await signIn('ops@example.com', 'cli password')).json().code, 8251);
      assert.equal((await signIn('ops@example.com', 'new cli password')).statusCode, 200);
      await tollgate('operators', 'set-role', 'ops@example.com', 'admin');
      assert.equal((await tp.platform.services.operators.get('ops@example.com')).role, 'admin');
      await assert.rejects(tollgate('operators', 'disable', 'nobody@example.com'), { key: 'TG_ERR_OPERATOR_NOT_FOUND' });
    });

    it('lists the audit log with filters, the CLI’s changes and the API’s writes alike', async () => {
      const token = tp.platform.config.adminToken!;
      await call(tp.app, 'POST', '/admin/users', {
        headers: { authorization: `Bearer ${token}` },
        json: { email: 'audit-cli@example.com' },
      });
      const all = JSON.parse((await tollgate('audit', 'list', '--json'))[0]!);
      assert.equal(all[0].action, 'POST /admin/users');
      assert.equal(all[0].actor, 'admin-token');
      assert.ok(all.some((e: { action: string; actor: string }) => e.action === 'operators create' && e.actor === 'cli'));
      const disabled = JSON.parse((await tollgate('audit', 'list', '--action', 'operators disable', '--json'))[0]!);
      assert.equal(disabled.length, 1);
      assert.equal(disabled[0].before.status, 'active');
      assert.equal(disabled[0].after.status, 'disabled');
      const byCli = JSON.parse((await tollgate('audit', 'list', '--operator', 'cli', '--size', '2', '--json'))[0]!);
      assert.equal(byCli.length, 2);
      const text = JSON.stringify(await tp.platform.storage.db.selectFrom('audit_log').selectAll().execute());
      assert.ok(!text.includes('new cli password') && !text.includes('cli password'));
      const none = await tollgate('audit', 'list', '--from', new Date(Date.now() + 3_600_000).toISOString());
      assert.deepEqual(none, ['no audit entries']);
      await assert.rejects(tollgate('audit', 'list', '--from', 'yesterday'), { code: 'commander.invalidArgument' });
    });
  });
}
