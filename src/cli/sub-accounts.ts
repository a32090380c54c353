/**
 * `tollgate users accounts EMAIL` lists a user's proxy accounts; `tollgate users change-account EMAIL ACCOUNT
 * [--password …] [--remark …] [--limit GB] [--daily-limit GB] [--status 0|1] [--udp 0|1]` changes any of them at
 * once, through the same SubAccountsService as `proxy-account/change` and the admin API (the same rules).
 * Registered by cli/commands.ts under `users`.
 */
import { type Command, InvalidArgumentError } from 'commander';
import type { SubAccountsService, UsersService } from '../accounts/index.js';
import { AppError } from '../errors/index.js';
import type { TimeFormatter } from '../time/time-format.js';
import { table, withOptionErrors } from './arguments.js';

export interface SubAccountCommandDeps {
  readonly subAccounts: SubAccountsService;
  readonly users: UsersService;
  readonly time: TimeFormatter;
}

/** Opens the platform, runs `fn` with the services, closes the platform. */
export type WithSubAccounts = <T>(fn: (deps: SubAccountCommandDeps) => Promise<T>) => Promise<T>;

/** The service's field names as options: `daily_limit` → `--daily-limit`. */
const optionOf = (field: string) => `--${field.replaceAll('_', '-')}`;

function wholeNumber(value: string): number {
  if (!/^\d{1,9}$/.test(value)) throw new InvalidArgumentError('a whole number');
  return Number(value);
}

export function registerSubAccountCommands(
  users: Command,
  open: WithSubAccounts,
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): void {
  users
    .command('accounts')
    .description('list a user’s proxy accounts, with limit, daily limit and udp')
    .argument('<email>', 'the user’s email')
    .option('--product-type <n>', 'only accounts of this product type', wholeNumber)
    .option('--json', 'print the list as JSON', false)
    .action(async (email: string, opts: { productType?: number; json: boolean }) => {
      await open(async ({ subAccounts, users: service, time }) => {
        const user = await service.findByEmail(email);
        if (!user) throw new AppError('TG_ERR_USER_NOT_FOUND');
        const rows = (await subAccounts.list(user.id, { productType: opts.productType })).map((a) => ({
          username: a.username,
          product_type: a.productType,
          status: a.status,
          limit_gb: a.limitGb,
          daily_limit_gb: a.dailyLimitGb,
          udp: a.udp ? 1 : 0,
          used_kb: Math.floor(a.usedBytes / 1024),
          remark: a.remark,
          created_at: time.format(a.createdAt),
        }));
        if (opts.json) return print(JSON.stringify(rows));
        if (rows.length === 0) return print('no proxy accounts');
        for (const line of table(rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)]))))) {
          print(line);
        }
      });
    });

  users
    .command('change-account')
    .description('change any of a proxy account’s password, remark, limit, daily limit, status and udp at once')
    .argument('<email>', 'the user’s email')
    .argument('<account>', 'the proxy account name')
    .option('--password <password>', 'letters and digits, 6-16 characters')
    .option('--remark <remark>', 'at most 32 Chinese or 64 Latin characters')
    .option('--limit <gb>', 'total traffic limit, GB (0 = unlimited)', wholeNumber)
    .option('--daily-limit <gb>', 'traffic limit per day in TOLLGATE_TZ, GB (0 = none)', wholeNumber)
    .option('--status <0|1>', '1 enabled, 0 disabled', wholeNumber)
    .option('--udp <0|1>', '1: SOCKS5 UDP ASSOCIATE allowed, 0: refused', wholeNumber)
    .option('--product-type <n>', 'only the account of this product type', wholeNumber)
    .action(
      async (
        email: string,
        account: string,
        opts: {
          password?: string;
          remark?: string;
          limit?: number;
          dailyLimit?: number;
          status?: number;
          udp?: number;
          productType?: number;
        },
      ) => {
        await withOptionErrors('invalid change', optionOf, () =>
          open(async ({ subAccounts, users: service }) => {
            const user = await service.findByEmail(email);
            if (!user) throw new AppError('TG_ERR_USER_NOT_FOUND');
            await subAccounts.change(
              user.id,
              account,
              {
                password: opts.password,
                remark: opts.remark,
                limitGb: opts.limit,
                dailyLimitGb: opts.dailyLimit,
                status: opts.status,
                udp: opts.udp,
              },
              opts.productType,
            );
            print(`changed ${account}`);
          }),
        );
      },
    );
}
