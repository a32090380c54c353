/**
 * Prometheus metrics of the gateway (prom-client). Byte counters are fed from
 * the registry's per-connection integers on each scrape, never per chunk.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { ConnectionRegistry, Protocol } from './registry.js';

export type Outcome = 'relayed' | 'refused' | 'failed';

export class GatewayMetrics {
  readonly registry: Registry;
  readonly #connections: Counter<'protocol' | 'outcome'>;
  readonly #authFailures: Counter<string>;
  readonly #bytes: Counter<'direction'>;

  constructor(connections: ConnectionRegistry, registry = new Registry()) {
    this.registry = registry;
    new Gauge({
      name: 'tollgate_gateway_open_connections',
      help: 'Proxy connections open now',
      registers: [registry],
      collect() {
        this.set(connections.size);
      },
    });
    this.#connections = new Counter({
      name: 'tollgate_gateway_connections_total',
      help: 'Proxy connections by protocol and outcome (relayed: handshake completed; refused: a catalogued refusal; failed: exit or internal failure)',
      labelNames: ['protocol', 'outcome'],
      registers: [registry],
    });
    this.#authFailures = new Counter({
      name: 'tollgate_gateway_auth_failures_total',
      help: 'Failed proxy authentications',
      registers: [registry],
    });
    const bytes = new Counter({
      name: 'tollgate_gateway_bytes_total',
      help: 'Billed bytes relayed, by direction (up: client to target)',
      labelNames: ['direction'],
      registers: [registry],
      collect() {
        const { up, down } = connections.takeByteDeltas();
        bytes.inc({ direction: 'up' }, up);
        bytes.inc({ direction: 'down' }, down);
      },
    });
    this.#bytes = bytes;
  }

  connection(protocol: Protocol, outcome: Outcome): void {
    this.#connections.inc({ protocol, outcome });
  }

  authFailure(): void {
    this.#authFailures.inc();
  }

  /** Adds a gauge computed on each scrape (exit node health, from the pool). */
  gauge(name: string, help: string, labelNames: string[], read: () => { labels: Record<string, string>; value: number }[]): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const { labels, value } of read()) this.set(labels, value);
      },
    });
  }

  /** Keeps the byte counter referenced (it is read through collect). */
  get bytes(): Counter<'direction'> {
    return this.#bytes;
  }
}
