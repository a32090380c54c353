/**
 * The gateway registry: each gateway run says every HEARTBEAT_MS who and where it is (id, region, public host
 * and ports, version, open connections, throughput) under its liveness key, which expires ALIVE_TTL_MS after
 * the last heartbeat. A run that stops heart-beating drops out of the list, and its leases and connection slots
 * stop counting (shared-quotas.ts). Read by `GET /admin/gateways`, `tollgate gateways list`, the metrics and
 * `ip/v3`'s `ep`.
 */
import type { Logger } from 'pino';
import { ALIVE_TTL_MS, HEARTBEAT_MS, type SharedStore } from './shared-store.js';

export interface GatewayInfo {
  /** TOLLGATE_GATEWAY_ID. */
  readonly id: string;
  /** This run (the id and its start). */
  readonly instance: string;
  readonly region: string;
  readonly host: string;
  readonly proxyPort: number;
  readonly staticPort: number;
  readonly version: string;
  readonly connections: number;
  /** Bytes relayed per second over the last heartbeat period, both directions. */
  readonly bytesPerSecond: number;
  readonly startedAt: number;
  /** Epoch ms of the heartbeat this came from. */
  readonly seenAt: number;
}

/** What a heartbeat reports; the registry adds the instance and the time. */
export type GatewayStatus = Omit<GatewayInfo, 'instance' | 'seenAt'>;

export class GatewayHeartbeat {
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: SharedStore,
    private readonly status: () => GatewayStatus,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Beats once (must succeed: the gateway's leases count only while it is alive), then every HEARTBEAT_MS. */
  async start(): Promise<void> {
    await this.beat();
    this.#timer = setInterval(() => {
      this.beat().catch((err: unknown) => this.logger.warn({ err }, 'gateway heartbeat failed'));
    }, HEARTBEAT_MS);
    this.#timer.unref();
  }

  async beat(): Promise<void> {
    const info: GatewayInfo = { ...this.status(), instance: this.store.instance, seenAt: this.now() };
    this.store.ops += 2;
    await this.store.redis
      .multi()
      .set(this.store.alivePrefix + this.store.instance, JSON.stringify(info), 'PX', ALIVE_TTL_MS)
      .sadd(this.store.key('gateways'), this.store.instance)
      .exec();
  }

  /** Leaves the registry at once: other gateways stop counting this run's leases and slots. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    try {
      await this.store.redis
        .multi()
        .del(this.store.alivePrefix + this.store.instance)
        .srem(this.store.key('gateways'), this.store.instance)
        .exec();
    } catch (err) {
      this.logger.warn({ err }, 'gateway could not leave the registry; it drops out when its heartbeat expires');
    }
  }
}

/** The gateways heart-beating now, by region then id; runs whose heartbeat expired are forgotten. */
export async function listGateways(store: SharedStore): Promise<GatewayInfo[]> {
  const setKey = store.key('gateways');
  const instances = await store.redis.smembers(setKey);
  if (instances.length === 0) return [];
  const values = await store.redis.mget(instances.map((i) => store.alivePrefix + i));
  const live: GatewayInfo[] = [];
  const stale: string[] = [];
  values.forEach((value, i) => {
    if (value === null) stale.push(instances[i]!);
    else live.push(JSON.parse(value) as GatewayInfo);
  });
  if (stale.length > 0) await store.redis.srem(setKey, ...stale);
  return live.sort((a, b) => a.region.localeCompare(b.region) || a.id.localeCompare(b.id));
}
