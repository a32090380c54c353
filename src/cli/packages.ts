/**
 * `tollgate packages …`: grant, list and revoke packages (traffic and time) through the same PackagesService the
 * admin API uses. Registered by cli/main.ts, which supplies how to open the platform.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { UsersService } from '../accounts/index.js';
import { AppError } from '../errors/index.js';
import { type PackagesService, packageView, shownUsedBytes, toKb, type TrafficPackage } from '../packages/index.js';
import { DEFAULT_TYPE, describeTypes, PACKAGE_TYPES, productKind } from '../products/index.js';
import type { TimeFormatter } from '../time/time-format.js';
import { idParser, parseWholeNumber, table, withOptionErrors } from './arguments.js';

export interface PackageCommandDeps {
  readonly packages: PackagesService;
  readonly users: UsersService;
  readonly time: TimeFormatter;
}

/** Opens the platform, runs `fn` with the services, closes the platform. */
export type WithPackages = <T>(fn: (deps: PackageCommandDeps) => Promise<T>) => Promise<T>;

const MB = 1024 ** 2;
const GB = 1024 ** 3;

/** The service's field names as this command's options. */
const OPTION_OF: Record<string, string> = {
  product_type: '--type',
  size: '--gb/--mb',
  bandwidth_mbps: '--bandwidth-mbps',
  concurrency: '--concurrency',
  days: '--days',
  starts_at: '--starts-at',
  trade_no: '--trade-no',
  title: '--title',
};

function parseSize(value: string): number {
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(value) || Number(value) <= 0) throw new InvalidArgumentError('a positive number');
  return Number(value);
}

const parseInteger = parseWholeNumber;

const parseId = idParser('package');

/** Sizes for people: whole KB below 1 MB, else MB or GB with up to two decimals. */
export function formatSize(bytes: number): string {
  const trim = (n: number) => String(Math.round(n * 100) / 100);
  if (bytes >= GB) return `${trim(bytes / GB)} GB`;
  if (bytes >= MB) return `${trim(bytes / MB)} MB`;
  return `${toKb(bytes)} KB`;
}

/** What a package holds, for people: its size, or a time package's bandwidth and concurrency. */
function holds(p: TrafficPackage): string {
  if (p.bandwidthMbps > 0 || p.concurrency > 0) return `${p.bandwidthMbps} Mbit/s × ${p.concurrency} connections`;
  return formatSize(p.totalBytes);
}

/** Invalid fields come back as one readable message naming each option. */
function run<T>(open: WithPackages, fn: (deps: PackageCommandDeps) => Promise<T>): Promise<T> {
  return withOptionErrors(
    'invalid package',
    (field) => OPTION_OF[field] ?? field,
    () => open(fn),
  );
}

async function userByEmail(users: UsersService, email: string) {
  const user = await users.findByEmail(email);
  if (!user) throw new AppError('TG_ERR_USER_NOT_FOUND');
  return user;
}

interface GrantOptions {
  email: string;
  type: string;
  gb?: number;
  mb?: number;
  bandwidthMbps?: number;
  concurrency?: number;
  days: number;
  title?: string;
  tradeNo?: string;
  startsAt?: string;
  json: boolean;
}

export function registerPackageCommands(
  program: Command,
  open: WithPackages,
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Command {
  const packages = program.command('packages').description('manage users’ packages (traffic and time)');
  const describe = (p: TrafficPackage, time: TimeFormatter) =>
    `package ${p.id}: type ${p.productType}, ${holds(p)}, ${time.format(p.startsAt)} to ${time.format(p.expiresAt)}, trade_no ${p.tradeNo}`;

  packages
    .command('grant')
    .description('give a user a package: traffic (size with --gb or --mb) or time (--bandwidth-mbps and --concurrency)')
    .requiredOption('--email <email>', 'the user’s email')
    .addOption(
      new Option('--type <type>', `product type: ${describeTypes(PACKAGE_TYPES)}`)
        .choices(PACKAGE_TYPES.map(String))
        .default(String(DEFAULT_TYPE)),
    )
    .option('--gb <n>', 'traffic packages: size in GB (1 GB = 1024 MB), may be fractional', parseSize)
    .option('--mb <n>', 'traffic packages: size in MB (for small test grants)', parseSize)
    .option('--bandwidth-mbps <n>', 'time packages: Mbit/s for all of the user’s traffic of the type', parseInteger)
    .option('--concurrency <n>', 'time packages: open connections at once across the user’s accounts', parseInteger)
    .requiredOption('--days <n>', 'validity in days', parseInteger)
    .option('--title <title>', 'order description (default "Granted by operator")')
    .option('--trade-no <no>', 'order number (default: a generated 28-digit one)')
    .option('--starts-at <time>', 'effective from, Y-m-d H:i:s in TOLLGATE_TZ (default now)')
    .option('--json', 'print the package as JSON', false)
    .action(async (opts: GrantOptions) => {
      const timePackage = productKind(Number(opts.type))?.provisions === 'time-package';
      if (timePackage) {
        if (opts.gb !== undefined || opts.mb !== undefined)
          throw new InvalidArgumentError(`a type-${opts.type} package holds time, not traffic: no --gb or --mb`);
        if (opts.bandwidthMbps === undefined || opts.concurrency === undefined)
          throw new InvalidArgumentError(`a type-${opts.type} package needs --bandwidth-mbps and --concurrency`);
      } else if ((opts.gb === undefined) === (opts.mb === undefined)) {
        throw new InvalidArgumentError('give the size with --gb or --mb');
      }
      const totalBytes = timePackage ? undefined : Math.round(opts.gb !== undefined ? opts.gb * GB : (opts.mb ?? 0) * MB);
      await run(open, async ({ packages: service, users, time }) => {
        let startsAt: number | undefined;
        if (opts.startsAt !== undefined) {
          startsAt = time.parse(opts.startsAt);
          if (startsAt === undefined) throw new InvalidArgumentError(`--starts-at not Y-m-d H:i:s: ${opts.startsAt}`);
        }
        const user = await userByEmail(users, opts.email);
        const pkg = await service.grant({
          userId: user.id,
          productType: Number(opts.type),
          totalBytes,
          bandwidthMbps: opts.bandwidthMbps,
          concurrency: opts.concurrency,
          days: opts.days,
          startsAt,
          tradeNo: opts.tradeNo,
          title: opts.title,
        });
        print(opts.json ? JSON.stringify(packageView(pkg)) : `granted ${describe(pkg, time)} to ${user.email}`);
      });
    });

  packages
    .command('list')
    .description('list a user’s packages, newest first (withdrawn ones included)')
    .requiredOption('--email <email>', 'the user’s email')
    .option('--json', 'print a JSON array', false)
    .action(async (opts: { email: string; json: boolean }) => {
      await run(open, async ({ packages: service, users, time }) => {
        const user = await userByEmail(users, opts.email);
        const all: TrafficPackage[] = [];
        for (let page = 1; ; page++) {
          const { items } = await service.list(user.id, { page, size: 100, includeWithdrawn: true });
          all.push(...items);
          if (items.length < 100) break;
        }
        if (opts.json) return print(JSON.stringify(all.map(packageView)));
        if (all.length === 0) return print(`no packages for ${user.email}`);
        const rows = all.map((p) => ({
          id: String(p.id),
          type: String(p.productType),
          total: holds(p),
          used: formatSize(shownUsedBytes(p)),
          starts: time.format(p.startsAt),
          expires: time.format(p.expiresAt),
          status: p.status === 1 ? 'active' : 'withdrawn',
          trade_no: p.tradeNo,
          title: p.title,
        }));
        for (const line of table(rows)) print(line);
      });
    });

  packages
    .command('revoke')
    .description('withdraw a package: it stops counting at once')
    .argument('<id>', 'package id', parseId)
    .action(async (id: number) => {
      await run(open, ({ packages: service }) => service.revoke(id));
      print(`revoked package ${id}`);
    });

  return packages;
}
