/**
 * The gateway registry: each gateway run says every HEARTBEAT_MS who and where it is (id, region, public host
 * and ports, version, open connections, throughput) under its liveness key, which expires ALIVE_TTL_MS after
 * the last heartbeat. A run that stops heart-beating drops out: it is listed as not alive (with its last report)
 * for FORGET_AFTER_MS, never offered to `ip/v3`'s `ep`, and its leases and connection slots stop counting
 * (shared-quotas.ts). Read by `GET /admin/gateways`, `tollgate gateways list`, the metrics and `ip/v3`'s `ep`
 * (gateway-directory.ts).
 *
 * Keys: `alive:{instance}` (JSON, expires), `gateways` (set of instances), `gateways:last` (hash instance → the
 * last JSON, for the runs that died), `regions` (set of every region ever registered: `ep` tells a region whose
 * gateways are all down from one that never existed).
 */
import type { Logger } from 'pino';
import type { GatewayInfo, GatewayRecord, GatewayStatus } from './gateway-directory.js';
import { ALIVE_TTL_MS, HEARTBEAT_MS, type SharedStore } from './shared-store.js';

/** A run that stopped heart-beating stays listed (not alive) this long after its last heartbeat. */
export const FORGET_AFTER_MS = 10 * 60_000;

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
    const json = JSON.stringify(info);
    const multi = this.store.redis
      .multi()
      .set(this.store.alivePrefix + this.store.instance, json, 'PX', ALIVE_TTL_MS)
      .sadd(this.store.key('gateways'), this.store.instance)
      .hset(this.store.key('gateways', 'last'), this.store.instance, json);
    if (info.region !== '') multi.sadd(this.store.key('regions'), info.region);
    this.store.ops += info.region === '' ? 3 : 4;
    await multi.exec();
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
        .hdel(this.store.key('gateways', 'last'), this.store.instance)
        .exec();
    } catch (err) {
      this.logger.warn({ err }, 'gateway could not leave the registry; it drops out when its heartbeat expires');
    }
  }
}

/**
 * The registered gateway runs by region then id: those heart-beating now (alive), and those that stopped less
 * than FORGET_AFTER_MS ago, unless a newer run of the same id is alive (a restart replaces its dead run). Older
 * ones are forgotten here.
 */
export async function listGateways(store: SharedStore, now: number = Date.now()): Promise<GatewayRecord[]> {
  const setKey = store.key('gateways');
  const lastKey = store.key('gateways', 'last');
  const instances = await store.redis.smembers(setKey);
  if (instances.length === 0) return [];
  const [values, lasts] = await Promise.all([
    store.redis.mget(instances.map((i) => store.alivePrefix + i)),
    store.redis.hmget(lastKey, ...instances),
  ]);
  const live: GatewayRecord[] = [];
  const dead: GatewayRecord[] = [];
  const forget: string[] = [];
  instances.forEach((instance, i) => {
    const value = values[i] ?? null;
    if (value !== null) {
      const info = JSON.parse(value) as GatewayInfo;
      live.push({ ...info, alive: true, ageMs: Math.max(0, now - info.seenAt) });
      return;
    }
    const last = lasts[i] ?? null;
    const info = last === null ? undefined : (JSON.parse(last) as GatewayInfo);
    if (info === undefined || now - info.seenAt > FORGET_AFTER_MS) forget.push(instance);
    else dead.push({ ...info, alive: false, ageMs: Math.max(0, now - info.seenAt) });
  });
  if (forget.length > 0)
    await store.redis
      .multi()
      .srem(setKey, ...forget)
      .hdel(lastKey, ...forget)
      .exec();
  const liveIds = new Set(live.map((g) => g.id));
  return [...live, ...dead.filter((g) => !liveIds.has(g.id))].sort(
    (a, b) => a.region.localeCompare(b.region) || a.id.localeCompare(b.id) || b.seenAt - a.seenAt,
  );
}

/** Every region a gateway ever registered in (so `ep` can tell "down now" from "unknown"). */
export async function knownRegions(store: SharedStore): Promise<string[]> {
  return (await store.redis.smembers(store.key('regions'))).sort();
}
