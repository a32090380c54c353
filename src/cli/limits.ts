/**
 * `tollgate users limits EMAIL [--sub-accounts N|default …]`: shows a user's fair-share caps, or overrides
 * them, through the same UserLimitsService the admin API uses. Registered by cli/main.ts under `users`.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { LIMITS, type LimitName, type UserLimitsService, type UserLimitsView, type UsersService } from '../accounts/index.js';
import { AppError } from '../errors/index.js';
import { table, withOptionErrors } from './arguments.js';

export interface LimitCommandDeps {
  readonly limits: UserLimitsService;
  readonly users: UsersService;
}

/** Opens the platform, runs `fn` with the services, closes the platform. */
export type WithLimits = <T>(fn: (deps: LimitCommandDeps) => Promise<T>) => Promise<T>;

/** `sub_accounts` → `--sub-accounts`. */
const optionOf = (name: string) => `--${name.replaceAll('_', '-')}`;
/** `sub_accounts` → `subAccounts`, as commander names the option. */
const keyOf = (name: string) => name.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());

/** A cap as typed on the command line: a whole number, or "default" to drop the override (commander cannot hold null). */
function parseLimit(value: string): number | 'default' {
  if (value === 'default') return value;
  if (!/^\d{1,9}$/.test(value)) throw new InvalidArgumentError('a whole number, or "default"');
  return Number(value);
}

export function registerLimitCommands(
  users: Command,
  open: WithLimits,
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Command {
  const cmd = users
    .command('limits')
    .description('show a user’s fair-share caps, or override them (a number; "default" goes back to TOLLGATE_*)')
    .argument('<email>', 'the user’s email');
  for (const limit of LIMITS) cmd.option(`${optionOf(limit.name)} <n>`, `0-${limit.max}, or "default"`, parseLimit);
  cmd.option('--json', 'print {"user_id","limits","overrides","defaults"} as JSON', false);
  cmd.action(async (email: string, opts: Record<string, number | 'default' | boolean | undefined>) => {
    const patch: Partial<Record<LimitName, number | null>> = {};
    for (const limit of LIMITS) {
      const value = opts[keyOf(limit.name)];
      if (value !== undefined) patch[limit.name] = value === 'default' ? null : (value as number);
    }
    await withOptionErrors('invalid limits', optionOf, () =>
      open(async ({ limits, users: service }) => {
        const user = await service.findByEmail(email);
        if (!user) throw new AppError('TG_ERR_USER_NOT_FOUND');
        const view = Object.keys(patch).length > 0 ? await limits.set(user.id, patch) : await limits.get(user.id);
        if (opts.json) {
          print(JSON.stringify({ user_id: user.id, limits: view.effective, overrides: view.overrides, defaults: view.defaults }));
        } else for (const line of table(rows(view))) print(line);
      }),
    );
  });
  return cmd;
}

function rows(view: UserLimitsView): Record<string, string>[] {
  return LIMITS.map(({ name }) => ({
    limit: name,
    value: String(view.effective[name]),
    source: view.overrides[name] === null ? 'default' : 'override',
    default: String(view.defaults[name]),
  }));
}
