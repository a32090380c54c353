/**
 * Requests per second per credential. @fastify/rate-limit runs one limiter
 * per request (it marks the request once limited), so the per-address limit
 * uses the plugin and this per-key limit reuses the plugin's own LRU store.
 */
import LocalStore from '@fastify/rate-limit/store/LocalStore.js';
import { AppError } from '../../errors/index.js';

export class KeyRateLimiter {
  readonly #store: LocalStoreInstance;

  /** @param perSecond 0 turns the limit off. */
  constructor(
    readonly perSecond: number,
    cacheSize = 100_000,
  ) {
    this.#store = new LocalStore(false, false, cacheSize) as LocalStoreInstance;
  }

  /** Counts one request for `key`; throws TG_ERR_RATE_LIMITED past the limit. */
  hit(key: string): void {
    if (this.perSecond === 0) return;
    let result: { current: number; ttl: number } | undefined;
    // LocalStore answers synchronously through its callback.
    this.#store.incr(
      key,
      (_err, r) => {
        result = r;
      },
      1000,
      this.perSecond,
    );
    if (result && result.current > this.perSecond) {
      const seconds = Math.max(1, Math.ceil(result.ttl / 1000));
      throw new AppError('TG_ERR_RATE_LIMITED', { params: { after: `${seconds}s`, seconds } });
    }
  }
}

interface LocalStoreInstance {
  incr(
    key: string,
    cb: (err: Error | null, result: { current: number; ttl: number }) => void,
    timeWindow: number,
    max: number,
  ): void;
}
