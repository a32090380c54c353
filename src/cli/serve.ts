/**
 * `tollgate serve`: the platform as a long-running process (API, gateway, or both). SIGTERM or SIGINT stops it
 * gracefully: the API stops taking requests, the gateway closes its tunnels and flushes metered usage, storage
 * closes, and the process exits 0.
 */
import { type Command, Option } from 'commander';
import type { RunningGateway } from '../main.js';
import { print } from './platform.js';
import { loadMain } from './server-bundle.js';

type Role = 'all' | 'api' | 'gateway';

export function registerServeCommand(program: Command): Command {
  return program
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
    .action(async (opts: { role: Role }) => serve(opts.role));
}

async function serve(role: Role): Promise<void> {
  const { main, cache } = await loadMain();
  const { configFromEnv, openPlatform, startApi, startGateway, startMetrics } = main;
  const config = configFromEnv();
  const platform = await openPlatform(config);
  platform.logger.debug({ codeCache: cache }, 'server code loaded');
  const lines: string[] = ['Tollgate is running.'];
  const stops: (() => Promise<void>)[] = [];
  let gateway: RunningGateway | undefined;
  try {
    if (role !== 'api') {
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
    if (role === 'gateway' && registry) {
      const server = await startMetrics(platform, () => registry.metrics());
      gateway?.policy.protect({ host: config.host, port: Number(new URL(server.url).port) });
      stops.unshift(() => server.close());
      lines.push(`  Metrics      ${server.url}/metrics`);
    } else {
      const server = await startApi(platform, gateway);
      stops.unshift(() => server.close());
      lines.splice(1, 0, `  API          ${server.apiUrl}  (prefixes ${config.apiPrefixes.join(', ')}; operator API at /admin)`);
      if (server.api.hasRoute({ method: 'GET', url: '/console' })) {
        lines.splice(
          2,
          0,
          `  Portal       ${server.apiUrl}/  (customers)`,
          `  Console      ${server.apiUrl}/console  (operators)`,
        );
      } else if (config.web.dir !== undefined) {
        lines.splice(2, 0, `  Web          not built in ${config.web.dir}: run npm run build`);
      }
      lines.push(`  OpenAPI      ${server.apiUrl}/openapi.json`, `  Docs         ${server.apiUrl}/docs`);
      if (registry || config.gateway.cluster) lines.push(`  Metrics      ${server.apiUrl}/metrics`);
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
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    platform.logger.info({ signal }, 'stopping');
    try {
      // API first (no new changes), then the gateway (closes tunnels, flushes usage), then storage.
      for (const s of stops) await s();
      await platform.close();
      platform.logger.info('stopped');
      process.exit(0);
    } catch (err) {
      platform.logger.error({ err }, 'stopping failed');
      process.exit(1);
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(signal));
}
