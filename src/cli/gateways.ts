/**
 * `tollgate gateways …`: the gateway registry (docs/cluster.md), read through the same GatewayDirectory as
 * `GET /admin/gateways`. Registered by cli/main.ts, which supplies how to open the platform.
 */
import type { Command } from 'commander';
import { type GatewayDirectory, gatewayView } from '../cluster/gateway-directory.js';
import { table } from './arguments.js';

/** Opens the platform, runs `fn` with its GatewayDirectory, closes the platform. */
export type WithGateways = <T>(fn: (gateways: GatewayDirectory) => Promise<T>) => Promise<T>;

function rate(bytesPerSecond: number): string {
  if (bytesPerSecond >= 1024 * 1024) return `${(bytesPerSecond / (1024 * 1024)).toFixed(1)} MiB/s`;
  if (bytesPerSecond >= 1024) return `${(bytesPerSecond / 1024).toFixed(1)} KiB/s`;
  return `${bytesPerSecond} B/s`;
}

export function registerGatewayCommands(
  program: Command,
  open: WithGateways,
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Command {
  const gateways = program.command('gateways').description('show the gateways serving the platform (the registry in Redis)');

  gateways
    .command('list')
    .description('list the registered gateways: alive ones, and those that stopped in the last 10 minutes')
    .option('--json', 'print a JSON array', false)
    .action(async (opts: { json: boolean }) => {
      const listing = await open((g) => g.list());
      if (opts.json) return print(JSON.stringify(listing.gateways.map(gatewayView)));
      if (listing.gateways.length === 0) {
        return print(
          listing.cluster
            ? 'no gateways registered'
            : 'no gateways registered: gateways register only with Redis (TOLLGATE_REDIS_URL; see docs/cluster.md)',
        );
      }
      const rows = listing.gateways.map((g) => ({
        id: g.id,
        region: g.region === '' ? '-' : g.region,
        host: g.host,
        proxy: String(g.proxyPort),
        static: String(g.staticPort),
        extract: g.extractPorts ? `${g.extractPorts.from}-${g.extractPorts.to}` : 'off',
        version: g.version,
        connections: String(g.connections),
        throughput: rate(g.bytesPerSecond),
        started: new Date(g.startedAt).toISOString(),
        alive: g.alive ? 'yes' : 'no',
        age: `${(g.ageMs / 1000).toFixed(1)}s`,
      }));
      for (const line of table(rows)) print(line);
    });
  return gateways;
}
