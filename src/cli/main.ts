/**
 * The `tollgate` command. Each command calls the same domain services the API
 * uses; no SQL here.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '../config/index.js';
import { AppError } from '../errors/index.js';
import { createLogger } from '../logger.js';
import { registerNodeCommands } from './nodes.js';
import { registerStaticIpCommands } from './static-ips.js';
import { registerPackageCommands } from './packages.js';
import { registerOrderCommands } from './orders.js';
import { registerBillingCommands } from './billing.js';
import { registerLimitCommands } from './limits.js';
import {
  configFromEnv,
  openPlatform,
  type Platform,
  type RunningGateway,
  startApi,
  startGateway,
  startMetrics,
} from '../main.js';

/** Opens the platform quietly for a one-shot command, runs `fn`, closes. */
async function withPlatform<T>(fn: (platform: Platform) => Promise<T>): Promise<T> {
  const config = configFromEnv();
  const platform = await openPlatform(config, { logger: createLogger('warn', false) });
  try {
    return await fn(platform);
  } finally {
    await platform.close();
  }
}

function print(line = ''): void {
  process.stdout.write(`${line}\n`);
}

const program = new Command()
  .name('tollgate')
  .description('Tollgate: a self-hostable platform for running a proxy business')
  .showHelpAfterError();

program
  .command('serve')
  .description('run the platform: API and proxy gateway (migrations run first)')
  .addOption(
    new Option(
      '--role <role>',
      'all: API and gateway; api: the API alone; gateway: the gateway alone (with /metrics and /healthz on the API port)',
    )
      .choices(['all', 'api', 'gateway'])
      .default('all'),
  )
  .action(async (opts: { role: 'all' | 'api' | 'gateway' }) => {
    const config = configFromEnv();
    const platform = await openPlatform(config);
    const lines: string[] = ['Tollgate is running.'];
    const stops: (() => Promise<void>)[] = [];
    let gateway: RunningGateway | undefined;
    try {
      if (opts.role !== 'api') {
        gateway = await startGateway(platform, { ensureDefaultNode: true });
        const running = gateway;
        stops.push(() => running.close());
        const { address, port } = gateway.address;
        const host = ['0.0.0.0', '::'].includes(address) ? '127.0.0.1' : address.includes(':') ? `[${address}]` : address;
        lines.push(
          `  Proxy        http://${host}:${port} and socks5://${host}:${port}  (HTTP, HTTPS CONNECT and SOCKS5 on one port)`,
          `  Static IPs   ${host}:${gateway.staticAddress.port}  (product types 14 and 25)`,
        );
        const range = config.extract.ports;
        if (range) lines.push(`  Extraction   ports ${range.from}-${range.to} on ${config.gateway.extractHost}  (ip/v3 leases)`);
      }
      const registry = gateway?.gateway.metrics.registry;
      if (opts.role === 'gateway' && registry) {
        const server = await startMetrics(platform, () => registry.metrics());
        gateway?.policy.protect({ host: config.host, port: Number(new URL(server.url).port) });
        stops.unshift(() => server.close());
        lines.push(`  Metrics      ${server.url}/metrics`);
      } else {
        const server = await startApi(platform, gateway);
        stops.unshift(() => server.close());
        lines.splice(
          1,
          0,
          `  API          ${server.apiUrl}  (prefixes ${config.apiPrefixes.join(', ')}; operator API at /admin)`,
        );
        lines.push(`  OpenAPI      ${server.apiUrl}/openapi.json`, `  Docs         ${server.apiUrl}/docs`);
        if (registry) lines.push(`  Metrics      ${server.apiUrl}/metrics`);
      }
    } catch (err) {
      for (const stop of stops) await stop();
      await platform.close();
      throw err;
    }
    const db =
      config.database.dialect === 'sqlite' ? `SQLite ${platform.storage.location}` : `PostgreSQL ${platform.storage.location}`;
    lines.push(`  Database     ${db}`);
    lines.push(
      `  Admin token  ${config.adminTokenSource === 'TOLLGATE_ADMIN_TOKEN' ? 'from TOLLGATE_ADMIN_TOKEN' : config.adminTokenSource}`,
    );
    print(lines.join('\n'));
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      platform.logger.info({ signal }, 'stopping');
      // API first (no new changes), then the gateway (closes tunnels, flushes usage), then storage.
      for (const s of stops) await s();
      await platform.close();
      process.exit(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
  });

program
  .command('migrate')
  .description('apply pending database migrations and exit')
  .action(async () => {
    await withPlatform(async (p) => print(`database at ${p.storage.location} is up to date`));
  });

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
    await withPlatform(async (p) => {
      const { user, appKey } = await p.services.users.create({
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
    await withPlatform(async (p) => {
      const all = [];
      for (let page = 1; ; page++) {
        const { users: batch } = await p.services.users.list(page, 500);
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
    await withPlatform(async (p) => {
      const user = await p.services.users.findByEmail(email);
      if (!user) throw new AppError('TG_ERR_USER_NOT_FOUND');
      const appKey = await p.services.users.rotateAppKey(user.id);
      if (opts.json) print(JSON.stringify({ id: user.id, email: user.email, app_key: appKey }));
      else print(`app_key: ${appKey}`);
    });
  });

registerLimitCommands(users, (fn) => withPlatform((p) => fn({ limits: p.services.limits, users: p.services.users })));
registerNodeCommands(program, (fn) => withPlatform((p) => fn(p.services.nodes)));
registerStaticIpCommands(program, (fn) => withPlatform((p) => fn({ staticIps: p.services.staticIps, users: p.services.users })));
registerPackageCommands(program, (fn) =>
  withPlatform((p) => fn({ packages: p.services.packages, users: p.services.users, time: p.time })),
);
registerOrderCommands(program, (fn) => withPlatform((p) => fn({ payments: p.services.payments })));
registerBillingCommands(program, (fn) =>
  withPlatform((p) => {
    const { products, paymentMethods, coupons, giftTiers } = p.services;
    return fn({ products, paymentMethods, coupons, giftTiers, time: p.time });
  }),
);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`tollgate: ${err.message}\n`);
  } else if (err instanceof AppError) {
    process.stderr.write(`tollgate: ${err.message}\n`);
  } else if (err instanceof InvalidArgumentError) {
    process.stderr.write(`tollgate: ${err.message}\n`);
  } else {
    process.stderr.write(`tollgate: ${(err as Error).stack ?? err}\n`);
  }
  process.exit(1);
}
