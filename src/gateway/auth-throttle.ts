/**
 * Slows, then refuses, addresses that keep failing proxy authentication.
 * Per client address, failures are counted in one-minute windows: from the
 * `slowAfter`-th failure each further attempt is answered after a delay
 * (1 s), from the `blockAfter`-th the address is refused outright for
 * `blockSeconds`. Successful logins do not reset the count. Memory is bounded.
 */
export const SLOW_DELAY_MS = 1000;
const WINDOW_MS = 60_000;
const MAX_TRACKED = 100_000;

interface Entry {
  windowStart: number;
  failures: number;
  blockedUntil: number;
}

export class AuthThrottle {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly slowAfter: number,
    private readonly blockAfter: number,
    private readonly blockSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Before checking credentials: 'blocked', or the delay in ms to wait first (0 for none). */
  check(address: string): 'blocked' | number {
    const e = this.#entries.get(address);
    if (!e) return 0;
    const now = this.now();
    if (e.blockedUntil > now) return 'blocked';
    if (now - e.windowStart >= WINDOW_MS) return 0;
    return e.failures >= this.slowAfter ? SLOW_DELAY_MS : 0;
  }

  failure(address: string): void {
    const now = this.now();
    let e = this.#entries.get(address);
    if (!e || (now - e.windowStart >= WINDOW_MS && e.blockedUntil <= now)) {
      if (!e && this.#entries.size >= MAX_TRACKED) this.#sweep(now);
      e = { windowStart: now, failures: 0, blockedUntil: 0 };
      this.#entries.set(address, e);
    }
    e.failures += 1;
    if (e.failures >= this.blockAfter) e.blockedUntil = now + this.blockSeconds * 1000;
  }

  #sweep(now: number): void {
    for (const [address, e] of this.#entries) {
      if (e.blockedUntil <= now && now - e.windowStart >= WINDOW_MS) this.#entries.delete(address);
    }
    // Still full under attack from many addresses: forget the oldest.
    if (this.#entries.size >= MAX_TRACKED) {
      let drop = this.#entries.size - MAX_TRACKED + 1000;
      for (const address of this.#entries.keys()) {
        if (drop-- <= 0) break;
        this.#entries.delete(address);
      }
    }
  }
}
