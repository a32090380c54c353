/**
 * `tollgate static …`: the static IP inventory and its allocations, through the same
 * StaticIpsService the admin API uses. Registered by cli/main.ts, which supplies how to
 * open the platform.
 */
import { type Command, InvalidArgumentError } from 'commander';
import type { UsersService } from '../accounts/index.js';
import { AppError } from '../errors/index.js';
import {
  allocationView,
  type StaticIp,
  type StaticIpAllocation,
  type StaticIpsService,
  staticIpView,
} from '../static-ips/index.js';
import { idParser, parseWholeNumber, table, withOptionErrors } from './arguments.js';

export interface StaticIpCommandDeps {
  readonly staticIps: StaticIpsService;
  readonly users: UsersService;
}

/** Opens the platform, runs `fn` with the services, closes the platform. */
export type WithStaticIps = <T>(fn: (deps: StaticIpCommandDeps) => Promise<T>) => Promise<T>;

/** Service field names → the options that set them. */
const OPTION_OF: Record<string, string> = { product_type: 'type', trade_no: 'trade-no' };

const parseInteger = parseWholeNumber;

const parseId = idParser();

/** Up to 10 digits (AS numbers are 32-bit); the service checks the range. */
function parseAsn(value: string): number {
  if (!/^\d{1,10}$/.test(value)) throw new InvalidArgumentError('an AS number (a whole number, e.g. 7922)');
  return Number(value);
}

function parseOnOff(value: string): boolean {
  if (value === 'on') return true;
  if (value === 'off') return false;
  throw new InvalidArgumentError('on or off');
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function address(ip: string, port: number): string {
  return `${ip.includes(':') ? `[${ip}]` : ip}:${port}`;
}

function summary(ip: StaticIp): string {
  const place = [ip.country, ip.state, ip.city].filter((p) => p !== '').join('/');
  const asn = ip.asn === 0 ? '' : `, AS${ip.asn}`;
  return `static IP ${ip.id} ${address(ip.ip, ip.port)} (${place}, type ${ip.productType}${asn}, exit ${ip.urlDisplay}${ip.maintenance ? ', in maintenance' : ''})`;
}

function allocationLine(a: StaticIpAllocation): string {
  return `allocation ${a.id}: static IP ${a.staticIpId} ${address(a.ip, a.port)} (${a.country}, type ${a.productType}) for user ${a.userId} until ${iso(a.expiresAt)}`;
}

const optionOf = (field: string) => `--${OPTION_OF[field] ?? field}`;

/** Invalid fields come back as one readable message naming each option (or argument: `nameOf`). */
function run<T>(
  open: WithStaticIps,
  fn: (deps: StaticIpCommandDeps) => Promise<T>,
  nameOf: (field: string) => string = optionOf,
): Promise<T> {
  return withOptionErrors('invalid', nameOf, () => open(fn));
}

export function registerStaticIpCommands(
  program: Command,
  open: WithStaticIps,
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Command {
  const cmd = program.command('static').description('manage static IPs: the inventory and who holds each');

  cmd
    .command('add')
    .description('add a static IP to the inventory')
    .requiredOption('--ip <address>', 'the IPv4 or IPv6 address customers are sold')
    .requiredOption('--port <port>', 'its port, 1-65535', parseInteger)
    .requiredOption('--country <code>', 'ISO 3166-1 alpha-2 country code, e.g. US')
    .option('--state <state>', 'state or region: letters, digits, _')
    .option('--city <city>', 'city: letters, digits, _')
    .requiredOption('--type <type>', 'product type: 14 static datacenter, 25 static residential', parseInteger)
    .option('--asn <n>', 'the autonomous system announcing it (AS number; default 0: not recorded)', parseAsn)
    .option(
      '--url <url>',
      'where its traffic leaves (default direct://IP: bound to that local address), or http://[user:pass@]host:port / socks5://[user:pass@]host:port',
    )
    .option('--json', 'print the static IP as JSON', false)
    .action(
      async (opts: {
        ip: string;
        port: number;
        country: string;
        state?: string;
        city?: string;
        type: number;
        asn?: number;
        url?: string;
        json: boolean;
      }) => {
        const added = await run(open, ({ staticIps }) =>
          staticIps.add({
            ip: opts.ip,
            port: opts.port,
            country: opts.country,
            state: opts.state,
            city: opts.city,
            productType: opts.type,
            url: opts.url,
            asn: opts.asn,
          }),
        );
        print(opts.json ? JSON.stringify(staticIpView(added)) : `added ${summary(added)}`);
      },
    );

  cmd
    .command('list')
    .description('list the inventory with who holds each IP (URLs with passwords masked)')
    .option('--asn <n>', 'only IPs of this autonomous system (0: those with none recorded)', parseAsn)
    .option('--json', 'print a JSON array', false)
    .action(async (opts: { asn?: number; json: boolean }) => {
      const list = await run(open, ({ staticIps }) => staticIps.list({ asn: opts.asn }));
      if (opts.json) return print(JSON.stringify(list.map(staticIpView)));
      if (list.length === 0) return print('no static IPs');
      const rows = list.map((s) => ({
        id: String(s.id),
        address: address(s.ip, s.port),
        country: s.country,
        state: s.state,
        city: s.city,
        type: String(s.productType),
        asn: s.asn === 0 ? '' : String(s.asn),
        url: s.urlDisplay,
        maintenance: s.maintenance ? 'yes' : 'no',
        user: s.allocation ? String(s.allocation.userId) : '',
        allocation: s.allocation ? String(s.allocation.id) : '',
        expires: s.allocation ? iso(s.allocation.expiresAt) : '',
      }));
      for (const line of table(rows)) print(line);
    });

  cmd
    .command('remove')
    .description('remove a static IP (refused while allocated)')
    .argument('<id>', 'static IP id', parseId)
    .action(async (id: number) => {
      await run(open, ({ staticIps }) => staticIps.remove(id));
      print(`removed static IP ${id}`);
    });

  cmd
    .command('maintenance')
    .description('put a static IP in maintenance (not allocated, not routed through) or back in service')
    .argument('<id>', 'static IP id', parseId)
    .argument('<state>', 'on or off', parseOnOff)
    .option('--json', 'print the static IP as JSON', false)
    .action(async (id: number, on: boolean, opts: { json: boolean }) => {
      const ip = await run(open, ({ staticIps }) => staticIps.setMaintenance(id, on));
      print(opts.json ? JSON.stringify(staticIpView(ip)) : `${on ? 'maintenance on' : 'in service'}: ${summary(ip)}`);
    });

  cmd
    .command('set-asn')
    .description('record the autonomous system announcing a static IP (0: not recorded)')
    .argument('<id>', 'static IP id', parseId)
    .argument('<asn>', 'AS number, e.g. 7922', parseAsn)
    .option('--json', 'print the static IP as JSON', false)
    .action(async (id: number, asn: number, opts: { json: boolean }) => {
      // The ASN is this command's second argument, not an option.
      const ip = await run(
        open,
        ({ staticIps }) => staticIps.update(id, { asn }),
        (field) => (field === 'asn' ? '<asn>' : optionOf(field)),
      );
      print(opts.json ? JSON.stringify(staticIpView(ip)) : `ASN recorded: ${summary(ip)}`);
    });

  cmd
    .command('assign')
    .description('give a user static IPs of a country (all or none)')
    .requiredOption('--email <email>', 'the user’s email')
    .requiredOption('--country <code>', 'ISO 3166-1 alpha-2 country code')
    .requiredOption('--type <type>', 'product type: 14 static datacenter, 25 static residential', parseInteger)
    .requiredOption('--count <n>', 'how many IPs', parseInteger)
    .requiredOption('--days <n>', 'for how many days', parseInteger)
    .option('--trade-no <no>', 'the order this fulfils')
    .option('--json', 'print the allocations as a JSON array', false)
    .action(
      async (opts: {
        email: string;
        country: string;
        type: number;
        count: number;
        days: number;
        tradeNo?: string;
        json: boolean;
      }) => {
        const list = await run(open, async ({ staticIps, users }) => {
          const user = await users.findByEmail(opts.email);
          if (!user) throw new AppError('TG_ERR_USER_NOT_FOUND');
          return staticIps.allocate({
            userId: user.id,
            country: opts.country,
            productType: opts.type,
            count: opts.count,
            days: opts.days,
            tradeNo: opts.tradeNo,
          });
        });
        if (opts.json) return print(JSON.stringify(list.map(allocationView)));
        for (const a of list) print(allocationLine(a));
      },
    );

  cmd
    .command('renew')
    .description('extend an allocation by some days (from its expiry, or from now once expired if the IP is free)')
    .argument('<allocation-id>', 'allocation id', parseId)
    .requiredOption('--days <n>', 'days to add', parseInteger)
    .option('--json', 'print the allocation as JSON', false)
    .action(async (id: number, opts: { days: number; json: boolean }) => {
      const a = await run(open, ({ staticIps }) => staticIps.renewAllocation(id, opts.days));
      if (opts.json) return print(JSON.stringify(allocationView(a)));
      print(`renewed ${allocationLine(a)}`);
    });

  cmd
    .command('release')
    .description('end an allocation now; the IP is free again')
    .argument('<allocation-id>', 'allocation id', parseId)
    .action(async (id: number) => {
      const a = await run(open, ({ staticIps }) => staticIps.release(id));
      print(`released ${allocationLine({ ...a, expiresAt: a.releasedAt ?? a.expiresAt })}`);
    });

  return cmd;
}
