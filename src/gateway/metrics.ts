/**
 * Prometheus metrics of the gateway (prom-client). Byte counters are fed from
 * the registry's per-connection integers on each scrape, never per chunk;
 * connection outcomes are plain integers added to their counter on scrape too.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { UdpDropReason } from './gateway.types.js';
import type { ConnectionRegistry, Protocol } from './registry.js';

export type Outcome = 'relayed' | 'refused' | 'failed';

export class GatewayMetrics {
  readonly registry: Registry;
  readonly #authFailures: Counter<string>;
  readonly #bytes: Counter<'direction'>;
  #authFailuresTotal = 0;
  readonly #connectionCounts: Record<Protocol, Record<Outcome, number>> = {
    http: { relayed: 0, refused: 0, failed: 0 },
    connect: { relayed: 0, refused: 0, failed: 0 },
    socks5: { relayed: 0, refused: 0, failed: 0 },
  };

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
    const counts = this.#connectionCounts;
    const connectionsCounter = new Counter({
      name: 'tollgate_gateway_connections_total',
      help: 'Proxy connections by protocol and outcome (relayed: handshake completed; refused: a catalogued refusal; failed: exit or internal failure)',
      labelNames: ['protocol', 'outcome'],
      registers: [registry],
      collect() {
        for (const protocol of Object.keys(counts) as Protocol[]) {
          for (const outcome of Object.keys(counts[protocol]) as Outcome[]) {
            const n = counts[protocol][outcome];
            if (n === 0) continue;
            counts[protocol][outcome] = 0;
            connectionsCounter.inc({ protocol, outcome }, n);
          }
        }
      },
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
    const drops = this.#udpDrops;
    const reported = new Map<UdpDropReason, number>();
    const dropped = new Counter({
      name: 'tollgate_gateway_udp_datagrams_dropped_total',
      help: 'SOCKS5 UDP datagrams dropped, by reason (blocked: the target policy; malformed: a bad header or a fragment; source: not from the association’s client; unsolicited: a reply from a target never sent to; unresolved: the name did not resolve; shaped: over the product’s bandwidth)',
      labelNames: ['reason'],
      registers: [registry],
      collect() {
        for (const [reason, n] of drops) {
          const delta = n - (reported.get(reason) ?? 0);
          if (delta <= 0) continue;
          reported.set(reason, n);
          dropped.inc({ reason }, delta);
        }
      },
    });
  }

  readonly #udpDrops = new Map<UdpDropReason, number>();

  /** A UDP datagram was dropped (a plain integer per reason, added to the counter on scrape). */
  udpDropped(reason: UdpDropReason): void {
    this.#udpDrops.set(reason, (this.#udpDrops.get(reason) ?? 0) + 1);
  }

  /** UDP datagrams dropped for `reason` since start. */
  udpDrops(reason: UdpDropReason): number {
    return this.#udpDrops.get(reason) ?? 0;
  }

  connection(protocol: Protocol, outcome: Outcome): void {
    // A plain integer per label pair, added to the counter on scrape (collect): inc() with labels hashes and
    // validates them on every call, once per connection on the hot path (a labels() child does the same).
    this.#connectionCounts[protocol][outcome] += 1;
  }

  authFailure(): void {
    this.#authFailuresTotal += 1;
    this.#authFailures.inc();
  }

  /** Failed proxy authentications since start, as a plain integer (the console's live view samples it). */
  get authFailuresTotal(): number {
    return this.#authFailuresTotal;
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
