/**
 * `tollgate users …`: the platform's customers, through the same UsersService the admin API uses.
 * Registered by cli/main.ts, which supplies how to open the platform.
 */
import { type Command, InvalidArgumentError } from 'commander';
import type { SecondFactorsService, UsersService } from '../accounts/index.js';
import { AppError } from '../errors/index.js';

/** Opens the platform, runs `fn` with its UsersService (and second factors), closes the platform. */
export type WithUsers = <T>(fn: (users: UsersService, secondFactors: SecondFactorsService) => Promise<T>) => Promise<T>;

export function registerUserCommands(
  program: Command,
  open: WithUsers,
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Command {
  const users = program.command('users').description('manage users (the platform’s customers)');

  users
    .command('create')
    .description('create a user and print its app_key (shown only once)')
    .requiredOption('--email <email>', 'email address')
    .option('--password <password>', 'password for auth/login (at least 8 characters)', (v) => {
      if (v.length < 8) throw new InvalidArgumentError('at least 8 characters');
      return v;
    })
    .option('--phone <phone>', 'phone number')
    .option('--real-name', 'mark the user as real-name verified', false)
    .option('--json', 'print {"id","email","app_key"} as JSON', false)
    .action(async (opts: { email: string; password?: string; phone?: string; realName: boolean; json: boolean }) => {
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(opts.email)) throw new InvalidArgumentError(`not an email address: ${opts.email}`);
      await open(async (service) => {
        const { user, appKey } = await service.create({
          email: opts.email,
          password: opts.password,
          phone: opts.phone,
          isRealName: opts.realName,
        });
        if (opts.json) print(JSON.stringify({ id: user.id, email: user.email, app_key: appKey }));
        else {
          print(`created user ${user.id} <${user.email}>`);
          print(`app_key: ${appKey}`);
          print('(the app_key is shown only now; `tollgate users rotate-key` issues a new one)');
        }
      });
    });

  users
    .command('list')
    .description('list users')
    .option('--json', 'print a JSON array', false)
    .action(async (opts: { json: boolean }) => {
      await open(async (service) => {
        const all = [];
        for (let page = 1; ; page++) {
          const { users: batch } = await service.list(page, 500);
          all.push(...batch);
          if (batch.length < 500) break;
        }
        const rows = all.map((u) => ({
          id: u.id,
          email: u.email,
          phone: u.phone,
          status: u.status,
          is_real_name: u.isRealName,
          balance: u.balanceCents / 100,
          created_at: new Date(u.createdAt).toISOString(),
        }));
        if (opts.json) return print(JSON.stringify(rows));
        if (rows.length === 0) return print('no users');
        console.table(rows);
      });
    });

  users
    .command('rotate-key')
    .description('issue a new app_key for a user; the old one stops working at once')
    .argument('<email>', 'the user’s email')
    .option('--json', 'print {"id","email","app_key"} as JSON', false)
    .action(async (email: string, opts: { json: boolean }) => {
      await open(async (service) => {
        const user = await service.findByEmail(email);
        if (!user) throw new AppError('TG_ERR_USER_NOT_FOUND');
        const appKey = await service.rotateAppKey(user.id);
        if (opts.json) print(JSON.stringify({ id: user.id, email: user.email, app_key: appKey }));
        else print(`app_key: ${appKey}`);
      });
    });

  users
    .command('set-username')
    .description('give a user an agent username (sign-in name for /web_v1/user/login type=2), or remove it with --remove')
    .argument('<email>', 'the user’s email')
    .argument('[username]', '3-32 of a-z 0-9 _ . -, starting with a letter (case-insensitive)')
    .option('--remove', 'remove the user’s agent username', false)
    .action(async (email: string, username: string | undefined, opts: { remove: boolean }) => {
      if ((username === undefined) === !opts.remove) throw new InvalidArgumentError('give a username, or --remove');
      await open(async (service) => {
        const user = await service.findByEmail(email);
        if (!user) throw new AppError('TG_ERR_USER_NOT_FOUND');
        const updated = await service.update(user.id, { username: opts.remove ? null : username });
        print(
          updated.username ? `agent username of ${updated.email}: ${updated.username}` : `${updated.email} has no agent username`,
        );
      });
    });

  users
    .command('reset-mfa')
    .description('turn every second factor of a user off (a lost authenticator or mailbox)')
    .argument('<email>', 'the user’s email')
    .action(async (email: string) => {
      await open(async (service, secondFactors) => {
        const user = await service.findByEmail(email);
        if (!user) throw new AppError('TG_ERR_USER_NOT_FOUND');
        await secondFactors.reset(user.id);
        print(`second factors of ${user.email} turned off: password sign-in alone until they enrol again`);
      });
    });

  return users;
}
