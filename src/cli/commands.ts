/**
 * Every `tollgate` command, in one table. Each command calls the same domain services the API uses; no SQL here.
 *
 * Commands answer at once because each loads only what it uses: COMMANDS names every top-level command with its
 * one line of help and the module that defines it, and only the module of the command being run is imported
 * (`--help` loads commander alone; `users list` opens storage and loads no Fastify). To add a command, add its
 * subcommands to the group's module, or a new group: a module with a `register…Commands(program, open, print)`
 * function and one entry below. tests/cli-commands.test.ts checks that each entry's summary is the description
 * its module registers.
 */
import { Command } from 'commander';
import { withPlatform } from './platform.js';

/** Defines a top-level command (and its subcommands) on `program`. */
type Register = (program: Command) => void;

export interface CommandEntry {
  readonly name: string;
  /** The description `tollgate --help` shows; the module registers the same text. */
  readonly summary: string;
  readonly load: () => Promise<Register>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'serve',
    summary: 'run the platform: API and proxy gateway (migrations run first)',
    load: async () => (await import('./serve.js')).registerServeCommand,
  },
  {
    name: 'migrate',
    summary: 'apply pending database migrations and exit',
    load: async () => (await import('./migrate.js')).registerMigrateCommand,
  },
  {
    name: 'users',
    summary: 'manage users (the platform’s customers)',
    load: async () => {
      const [{ registerUserCommands }, { registerLimitCommands }, { registerSubAccountCommands }] = await Promise.all([
        import('./users.js'),
        import('./limits.js'),
        import('./sub-accounts.js'),
      ]);
      return (program) => {
        const users = registerUserCommands(program, (fn) => withPlatform((p) => fn(p.services.users, p.services.secondFactors)));
        registerLimitCommands(users, (fn) => withPlatform((p) => fn({ limits: p.services.limits, users: p.services.users })));
        registerSubAccountCommands(users, (fn) =>
          withPlatform((p) => fn({ subAccounts: p.services.subAccounts, users: p.services.users, time: p.time })),
        );
      };
    },
  },
  {
    name: 'operators',
    summary: 'manage operator console accounts (admin, support)',
    load: async () => {
      const { registerOperatorCommands } = await import('./operators.js');
      return (program) =>
        registerOperatorCommands(program, (fn) =>
          withPlatform((p) => fn({ operators: p.services.operators, audit: p.services.audit })),
        );
    },
  },
  {
    name: 'audit',
    summary: 'read the audit log of operator actions',
    load: async () => {
      const { registerAuditCommands } = await import('./operators.js');
      return (program) =>
        registerAuditCommands(program, (fn) =>
          withPlatform((p) => fn({ operators: p.services.operators, audit: p.services.audit })),
        );
    },
  },
  {
    name: 'teams',
    summary: 'manage teams: members share accounts, packages, a wallet',
    load: async () => {
      const { registerTeamCommands } = await import('./teams.js');
      return (program) =>
        registerTeamCommands(program, (fn) =>
          withPlatform((p) => fn({ teams: p.services.teams, users: p.services.users, apiKeys: p.services.apiKeys })),
        );
    },
  },
  {
    name: 'keys',
    summary: 'manage users’ API keys (they authenticate like app_key)',
    load: async () => {
      const { registerKeyCommands } = await import('./teams.js');
      return (program) =>
        registerKeyCommands(program, (fn) =>
          withPlatform((p) => fn({ teams: p.services.teams, users: p.services.users, apiKeys: p.services.apiKeys })),
        );
    },
  },
  {
    name: 'nodes',
    summary: 'manage exit nodes: where the gateway’s traffic leaves',
    load: async () => {
      const { registerNodeCommands } = await import('./nodes.js');
      return (program) => registerNodeCommands(program, (fn) => withPlatform((p) => fn(p.services.nodes)));
    },
  },
  {
    name: 'gateways',
    summary: 'show the gateways serving the platform (the registry in Redis)',
    load: async () => {
      const { registerGatewayCommands } = await import('./gateways.js');
      return (program) => registerGatewayCommands(program, (fn) => withPlatform((p) => fn(p.services.gateways)));
    },
  },
  {
    name: 'static',
    summary: 'manage static IPs: the inventory and who holds each',
    load: async () => {
      const { registerStaticIpCommands } = await import('./static-ips.js');
      return (program) =>
        registerStaticIpCommands(program, (fn) =>
          withPlatform((p) => fn({ staticIps: p.services.staticIps, users: p.services.users })),
        );
    },
  },
  {
    name: 'packages',
    summary: 'manage users’ packages (traffic and time)',
    load: async () => {
      const { registerPackageCommands } = await import('./packages.js');
      return (program) =>
        registerPackageCommands(program, (fn) =>
          withPlatform((p) => fn({ packages: p.services.packages, users: p.services.users, time: p.time })),
        );
    },
  },
  {
    name: 'orders',
    summary: 'orders: list them, confirm manual payments, refund',
    load: async () => {
      const { registerOrderCommands } = await import('./orders.js');
      return (program) => registerOrderCommands(program, (fn) => withPlatform((p) => fn({ payments: p.services.payments })));
    },
  },
  {
    name: 'invoices',
    summary: 'issue customers’ invoices (a PDF), reject or void them',
    load: async () => {
      const { registerInvoiceCommands } = await import('./invoices.js');
      return (program) => registerInvoiceCommands(program, (fn) => withPlatform((p) => fn({ invoices: p.services.invoices })));
    },
  },
  ...(
    [
      ['products', 'manage the products customers can order (pid)'],
      ['payments', 'manage payment methods (pm_id)'],
      ['coupons', 'manage coupons (coupon_sn)'],
      ['gifts', 'manage balance top-up gift tiers'],
    ] as const
  ).map(([name, summary]): CommandEntry => ({
    name,
    summary,
    // One module defines all four billing catalogue groups.
    load: async () => {
      const { registerBillingCommands } = await import('./billing.js');
      return (program) =>
        registerBillingCommands(program, (fn) =>
          withPlatform((p) => {
            const { products, paymentMethods, coupons, giftTiers } = p.services;
            return fn({ products, paymentMethods, coupons, giftTiers, time: p.time });
          }),
        );
    },
  })),
];

/**
 * The program for `argv` (the arguments after `node tollgate`): the command being run fully defined, every other
 * command as its name and summary, enough for `tollgate --help` and for "unknown command" suggestions.
 */
export async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command()
    .name('tollgate')
    .description('Tollgate: a self-hostable platform for running a proxy business')
    .showHelpAfterError();
  const words = argv.filter((arg) => !arg.startsWith('-'));
  // `tollgate help users` shows the help of users, so it needs users' definitions too.
  const name = words[0] === 'help' ? words[1] : words[0];
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry) (await entry.load())(program);
  for (const { name: other, summary } of COMMANDS) {
    if (!program.commands.some((c) => c.name() === other)) program.command(other).description(summary);
  }
  return program;
}
