/**
 * The connection to Redis that gateways share live state through (TOLLGATE_REDIS_URL), with what every part
 * of cluster/ needs: key names under the prefix, this run's instance id, the liveness key other gateways check
 * before trusting this one's leases and slots, Lua scripts run by hash, and a count of the operations sent.
 *
 * Commands fail at once while Redis is unreachable (no offline queue, one try, a timeout): the hot path never
 * waits on Redis, and each caller decides what an outage means (cluster.md, failure modes).
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ClusterConfig } from '../config/index.js';

/** A live instance's key expires this long after its last heartbeat: its leases and slots are then void. */
export const ALIVE_TTL_MS = 10_000;
/** Heartbeats come this often. */
export const HEARTBEAT_MS = 2_000;

export interface Script {
  readonly lua: string;
  readonly sha: string;
}

export function script(lua: string): Script {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

export class SharedStore {
  readonly redis: Redis;
  /** This run of this gateway: leases and slots are filed under it, so a restart never inherits a dead run's. */
  readonly instance: string;
  /** Operations sent (scripts count one), for the benchmark's "Redis operations per GiB". */
  ops = 0;
  #up = false;

  constructor(
    readonly config: ClusterConfig,
    private readonly logger: Logger,
  ) {
    this.instance = `${config.gatewayId}:${Date.now().toString(36)}`;
    this.redis = new Redis(config.redisUrl, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 1_000,
      connectTimeout: 2_000,
      // Keep trying, at most once a second: an outage ends when Redis answers again.
      retryStrategy: (times) => Math.min(100 * times, 1_000),
    });
    this.redis.on('error', (err: Error) => {
      if (this.#up) logger.warn({ err: err.message }, 'Redis unreachable: gateways run on local slices and allowances');
      this.#up = false;
    });
    this.redis.on('ready', () => {
      if (!this.#up) logger.info('Redis reachable');
      this.#up = true;
    });
  }

  /** Whether the last word from Redis was that it is there. */
  get up(): boolean {
    return this.#up;
  }

  /** Connects (the first connection must succeed: a gateway does not start against an unreachable Redis). */
  async connect(): Promise<void> {
    await this.redis.connect();
    this.#up = true;
  }

  key(...parts: (string | number)[]): string {
    return `${this.config.prefix}${parts.join(':')}`;
  }

  /** Prefix of the liveness keys; the instance id follows. */
  get alivePrefix(): string {
    return this.key('alive', '');
  }

  /** Runs a script by its hash, loading it on first use. */
  async run(s: Script, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    this.ops++;
    try {
      return await this.redis.evalsha(s.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return this.redis.eval(s.lua, keys.length, ...keys, ...args);
    }
  }

  async close(): Promise<void> {
    this.#up = false;
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
    this.logger.debug('Redis connection closed');
  }
}
