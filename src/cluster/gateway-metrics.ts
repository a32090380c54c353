/**
 * The gateway registry as Prometheus sees it from the API process's /metrics (prom-client): registered gateways
 * by region, and each live gateway's open connections and throughput (labels id and region). One registry read
 * serves every gauge of a scrape; Redis not answering reads as `tollgate_cluster_registry_up 0` with no gateway
 * rows, never a failed scrape.
 */
import { Gauge, Registry } from 'prom-client';
import type { GatewayDirectory, GatewayRecord } from './gateway-directory.js';

export function gatewayRegistryMetrics(directory: GatewayDirectory, registry = new Registry()): Registry {
  let pending: Promise<readonly GatewayRecord[] | undefined> | undefined;
  // The gauges of one scrape collect together: the first one reads, the others share its answer.
  const read = () => {
    pending ??= directory
      .list()
      .then(
        (l) => l.gateways.filter((g) => g.alive),
        () => undefined,
      )
      .finally(() => setImmediate(() => (pending = undefined)));
    return pending;
  };
  new Gauge({
    name: 'tollgate_cluster_registry_up',
    help: 'Whether the gateway registry (Redis) answered this scrape',
    registers: [registry],
    async collect() {
      this.set((await read()) === undefined ? 0 : 1);
    },
  });
  new Gauge({
    name: 'tollgate_cluster_gateways',
    help: 'Gateways heart-beating now, by region (empty: no TOLLGATE_GATEWAY_REGION)',
    labelNames: ['region'],
    registers: [registry],
    async collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const g of (await read()) ?? []) counts.set(g.region, (counts.get(g.region) ?? 0) + 1);
      for (const [region, n] of counts) this.set({ region }, n);
    },
  });
  new Gauge({
    name: 'tollgate_cluster_gateway_open_connections',
    help: 'Proxy connections open now on each live gateway, as its last heartbeat reported',
    labelNames: ['id', 'region'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const g of (await read()) ?? []) this.set({ id: g.id, region: g.region }, g.connections);
    },
  });
  new Gauge({
    name: 'tollgate_cluster_gateway_bytes_per_second',
    help: 'Bytes relayed per second (both directions) by each live gateway over the last few seconds, as its last heartbeat reported',
    labelNames: ['id', 'region'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const g of (await read()) ?? []) this.set({ id: g.id, region: g.region }, g.bytesPerSecond);
    },
  });
  return registry;
}
