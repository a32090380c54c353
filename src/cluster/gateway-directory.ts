/**
 * Which gateways serve this platform, as the API process answers it (`GET /admin/gateways`, `tollgate gateways
 * list`, the metrics, `ip/v3`'s `ep`): with Redis (TOLLGATE_REDIS_URL), the registry every gateway heart-beats
 * into (gateway-registry.ts), read through a connection opened on first use, so one-shot commands never open
 * one; without Redis, the gateway of this process alone, or none (`cluster: false`).
 *
 * This module loads no Redis client: the registry and ioredis are imported when first needed.
 */
import type { Logger } from 'pino';
import type { ClusterConfig } from '../config/index.js';
import { AppError } from '../errors/index.js';
import type { SharedStore } from './shared-store.js';

export interface GatewayInfo {
  /** TOLLGATE_GATEWAY_ID. */
  readonly id: string;
  /** This run (the id and its start). */
  readonly instance: string;
  readonly region: string;
  /** TOLLGATE_GATEWAY_PUBLIC_HOST: where clients reach this gateway. */
  readonly host: string;
  readonly proxyPort: number;
  readonly staticPort: number;
  /** TOLLGATE_EXTRACT_PORTS as this gateway listens on it; null when off. */
  readonly extractPorts: { readonly from: number; readonly to: number } | null;
  readonly version: string;
  readonly connections: number;
  /** Bytes relayed per second over the last few seconds (the live view's window), both directions. */
  readonly bytesPerSecond: number;
  readonly startedAt: number;
  /** Epoch ms of the heartbeat this came from. */
  readonly seenAt: number;
}

/** What a heartbeat reports; the registry adds the instance and the time. */
export type GatewayStatus = Omit<GatewayInfo, 'instance' | 'seenAt'>;

/** A listed gateway run: alive while its heartbeat has not expired; age since its last heartbeat. */
export interface GatewayRecord extends GatewayInfo {
  readonly alive: boolean;
  readonly ageMs: number;
}

export interface GatewayListing {
  /** Whether a registry (Redis) is configured: false lists at most this process's own gateway. */
  readonly cluster: boolean;
  readonly gateways: readonly GatewayRecord[];
}

/** What `ep` may pick from: the live gateways of one region. */
export interface RegionEntries {
  readonly gateways: readonly Pick<GatewayInfo, 'id' | 'host' | 'extractPorts'>[];
  /** Whether a gateway ever registered in this region (down now, rather than unknown). */
  readonly known: boolean;
  /** The regions with a live gateway now. */
  readonly regions: readonly string[];
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A listed gateway as the admin API and `tollgate gateways list --json` show it. */
export function gatewayView(g: GatewayRecord) {
  return {
    id: g.id,
    instance: g.instance,
    region: g.region,
    host: g.host,
    ports: { proxy: g.proxyPort, static: g.staticPort, extract: g.extractPorts },
    version: g.version,
    open_connections: g.connections,
    bytes_per_second: g.bytesPerSecond,
    started_at: iso(g.startedAt),
    last_heartbeat_at: iso(g.seenAt),
    age_seconds: Math.round(g.ageMs / 100) / 10,
    alive: g.alive,
  };
}

interface RegistryReader {
  readonly store: SharedStore;
  list(now: number): Promise<GatewayRecord[]>;
  regions(): Promise<string[]>;
}

export class GatewayDirectory {
  #local: (() => GatewayStatus) | undefined;
  #reader: Promise<RegistryReader> | undefined;

  constructor(
    private readonly cluster: ClusterConfig | undefined,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether gateways register in Redis (TOLLGATE_REDIS_URL). */
  get clustered(): boolean {
    return this.cluster !== undefined;
  }

  /** The gateway this process runs (startGateway): listed on its own when there is no registry. */
  attachLocal(status: () => GatewayStatus): void {
    this.#local = status;
  }

  async list(): Promise<GatewayListing> {
    const now = this.now();
    if (this.cluster) return { cluster: true, gateways: await this.#read((r) => r.list(now)) };
    const status = this.#local?.();
    if (!status) return { cluster: false, gateways: [] };
    return {
      cluster: false,
      gateways: [{ ...status, instance: `${status.id}:${status.startedAt.toString(36)}`, seenAt: now, alive: true, ageMs: 0 }],
    };
  }

  /** The live gateways of `region` for `ip/v3`'s `ep`; undefined without a registry (ep then works as before). */
  async region(region: string): Promise<RegionEntries | undefined> {
    if (!this.cluster) return undefined;
    const now = this.now();
    const [listed, known] = await this.#read((r) => Promise.all([r.list(now), r.regions()]));
    const live = listed.filter((g) => g.alive);
    return {
      gateways: live.filter((g) => g.region === region),
      known: known.includes(region),
      regions: [...new Set(live.map((g) => g.region).filter((r) => r !== ''))].sort(),
    };
  }

  async close(): Promise<void> {
    const reader = this.#reader;
    this.#reader = undefined;
    if (reader) await reader.then((r) => r.store.close()).catch(() => undefined);
  }

  /** Runs `read` against the registry, connecting first if need be; Redis not answering is 9011. */
  async #read<T>(read: (r: RegistryReader) => Promise<T>): Promise<T> {
    let reader: RegistryReader;
    try {
      reader = await this.#open();
      return await read(reader);
    } catch (err) {
      if (err instanceof AppError) throw err;
      this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'gateway registry unreachable');
      throw new AppError('TG_ERR_GATEWAY_REGISTRY_UNREACHABLE');
    }
  }

  #open(): Promise<RegistryReader> {
    const config = this.cluster;
    if (!config) throw new Error('no registry without TOLLGATE_REDIS_URL');
    this.#reader ??= (async () => {
      const [{ SharedStore }, { knownRegions, listGateways }] = await Promise.all([
        import('./shared-store.js'),
        import('./gateway-registry.js'),
      ]);
      const store = new SharedStore(config, this.logger);
      try {
        await store.connect();
      } catch (err) {
        // The next call tries again with a fresh connection.
        store.redis.disconnect();
        this.#reader = undefined;
        throw err;
      }
      return { store, list: (now: number) => listGateways(store, now), regions: () => knownRegions(store) };
    })();
    return this.#reader;
  }
}
