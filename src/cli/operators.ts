/**
 * `tollgate operators …` and `tollgate audit list`: the console's operator accounts, and the audit log, through
 * the same services the admin API uses. Changes made here are audited too (actor `cli`).
 */
import { type Command, InvalidArgumentError } from 'commander';
import type { AuditService } from '../audit/index.js';
import { type Operator, OPERATOR_PASSWORD_MIN, OPERATOR_ROLES, type OperatorsService } from '../operators/index.js';

export interface OperatorCommandDeps {
  readonly operators: OperatorsService;
  readonly audit: AuditService;
}

/** Opens the platform, runs `fn` with the operators and audit services, closes the platform. */
export type WithOperators = <T>(fn: (deps: OperatorCommandDeps) => Promise<T>) => Promise<T>;

function row(op: Operator) {
  return {
    id: op.id,
    email: op.email,
    role: op.role,
    status: op.status === 1 ? 'active' : 'disabled',
    last_sign_in_at: op.lastSignInAt === null ? null : new Date(op.lastSignInAt).toISOString(),
    created_at: new Date(op.createdAt).toISOString(),
  };
}

function password(v: string): string {
  if (v.length < OPERATOR_PASSWORD_MIN) throw new InvalidArgumentError(`at least ${OPERATOR_PASSWORD_MIN} characters`);
  return v;
}

function role(v: string): string {
  if (!(OPERATOR_ROLES as readonly string[]).includes(v)) throw new InvalidArgumentError(`one of ${OPERATOR_ROLES.join(', ')}`);
  return v;
}

async function audited(deps: OperatorCommandDeps, action: string, op: Operator, before?: Operator): Promise<void> {
  await deps.audit.record({
    actorKind: 'cli',
    actor: 'cli',
    action,
    targetType: 'operators',
    targetId: op.id,
    status: 200,
    before: before ? row(before) : undefined,
    after: row(op),
  });
}

export function registerOperatorCommands(
  program: Command,
  open: WithOperators,
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Command {
  const operators = program.command('operators').description('manage operator console accounts (admin, support)');

  operators
    .command('create')
    .description('create an operator who signs in to the console at /console')
    .requiredOption('--email <email>', 'email address (the sign-in name)')
    .requiredOption('--password <password>', `password (at least ${OPERATOR_PASSWORD_MIN} characters)`, password)
    .option('--role <role>', 'admin: everything; support: read, plus user status and password resets', role, 'admin')
    .option('--json', 'print the operator as JSON', false)
    .action(async (opts: { email: string; password: string; role: string; json: boolean }) => {
      await open(async (deps) => {
        const op = await deps.operators.create({ email: opts.email, password: opts.password, role: opts.role });
        await audited(deps, 'operators create', op);
        if (opts.json) print(JSON.stringify(row(op)));
        else print(`created operator ${op.id} <${op.email}> (${op.role})`);
      });
    });

  operators
    .command('list')
    .description('list operators')
    .option('--json', 'print a JSON array', false)
    .action(async (opts: { json: boolean }) => {
      await open(async (deps) => {
        const rows = (await deps.operators.list()).map(row);
        if (opts.json) return print(JSON.stringify(rows));
        if (rows.length === 0) return print('no operators');
        console.table(rows);
      });
    });

  for (const [name, status, what] of [
    ['disable', 0, 'disable an operator: their sessions end at once'],
    ['enable', 1, 'enable a disabled operator'],
  ] as const) {
    operators
      .command(name)
      .description(what)
      .argument('<email>', 'the operator’s email (or id)')
      .action(async (email: string) => {
        await open(async (deps) => {
          const before = await deps.operators.get(email);
          const op = await deps.operators.setStatus(email, status);
          await audited(deps, `operators ${name}`, op, before);
          print(`${op.email}: ${op.status === 1 ? 'active' : 'disabled'}`);
        });
      });
  }

  operators
    .command('reset-password')
    .description('set an operator’s password: their sessions end at once')
    .argument('<email>', 'the operator’s email (or id)')
    .requiredOption('--password <password>', `the new password (at least ${OPERATOR_PASSWORD_MIN} characters)`, password)
    .action(async (email: string, opts: { password: string }) => {
      await open(async (deps) => {
        const op = await deps.operators.resetPassword(email, opts.password);
        await audited(deps, 'operators reset-password', op);
        print(`password of ${op.email} changed; their sessions ended`);
      });
    });

  operators
    .command('set-role')
    .description('change an operator’s role')
    .argument('<email>', 'the operator’s email (or id)')
    .argument('<role>', OPERATOR_ROLES.join(' or '), role)
    .action(async (email: string, newRole: string) => {
      await open(async (deps) => {
        const before = await deps.operators.get(email);
        const op = await deps.operators.setRole(email, newRole);
        await audited(deps, 'operators set-role', op, before);
        print(`${op.email}: ${op.role}`);
      });
    });

  return operators;
}

function positive(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('a whole number from 1');
  return n;
}

function time(v: string): number {
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new InvalidArgumentError('an ISO 8601 time, e.g. 2026-12-01T00:00:00Z');
  return ms;
}

export function registerAuditCommands(
  program: Command,
  open: WithOperators,
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Command {
  const audit = program.command('audit').description('read the audit log of operator actions');
  audit
    .command('list')
    .description('list audit entries, newest first')
    .option('--operator <who>', 'operator id or email, admin-token, or cli')
    .option('--action <action>', 'exact action, or a prefix ending in *')
    .option('--target-type <type>', 'e.g. users, nodes, orders')
    .option('--target-id <id>', 'the target’s id')
    .option('--from <time>', 'ISO 8601, inclusive', time)
    .option('--to <time>', 'ISO 8601, exclusive', time)
    .option('--page <n>', 'page, from 1', positive, 1)
    .option('--size <n>', 'entries per page (at most 500)', positive, 50)
    .option('--json', 'print a JSON array with before/after', false)
    .action(
      async (opts: {
        operator?: string;
        action?: string;
        targetType?: string;
        targetId?: string;
        from?: number;
        to?: number;
        page: number;
        size: number;
        json: boolean;
      }) => {
        await open(async (deps) => {
          const { items, total } = await deps.audit.list({
            actor: opts.operator,
            action: opts.action,
            targetType: opts.targetType,
            targetId: opts.targetId,
            from: opts.from,
            to: opts.to,
            page: opts.page,
            size: Math.min(opts.size, 500),
          });
          if (opts.json)
            return print(JSON.stringify(items.map((e) => ({ ...e, createdAt: new Date(e.createdAt).toISOString() }))));
          if (items.length === 0) return print('no audit entries');
          console.table(
            items.map((e) => ({
              id: e.id,
              at: new Date(e.createdAt).toISOString(),
              actor: e.actor,
              action: e.action,
              target: e.targetType === '' ? '' : `${e.targetType}/${e.targetId}`,
              status: e.status,
              error: e.error,
            })),
          );
          print(`${items.length} of ${total}`);
        });
      },
    );
  return audit;
}
