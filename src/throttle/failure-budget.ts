/**
 * A budget of failed attempts per key (a client address, a proxy account name, an email), counted in fixed
 * windows. An attempt is RESERVED before the secret is checked and counts as a failure until it is settled:
 * a failure stays counted, a success gives the reservation back. So however many attempts arrive at once, no
 * more than `max` of them are ever checked in a window; the rest are refused before any check. At `max`
 * failures the key is refused for `blockMs`. Memory is bounded: past `maxTracked` keys, finished entries are
 * swept, then the oldest are forgotten.
 */

/** Each attempt past a key's `slowAfter` failures waits this long before it is checked. */
export const SLOW_DELAY_MS = 1000;

export interface BudgetRule {
  /** Failures (reservations not yet settled included) within one window after which the key is refused. */
  readonly max: number;
  readonly windowMs: number;
  /** How long a key that reached `max` stays refused. */
  readonly blockMs: number;
  /** Failures within the window after which each further attempt is delayed SLOW_DELAY_MS; none when unset. */
  readonly slowAfter?: number | undefined;
}

interface Entry {
  windowStart: number;
  failures: number;
  /** Reserved attempts not settled yet. */
  pending: number;
  blockedUntil: number;
}

const DEFAULT_MAX_TRACKED = 100_000;

export class FailureBudget {
  readonly #entries = new Map<string, Entry>();

  constructor(
    readonly rule: BudgetRule,
    private readonly now: () => number = Date.now,
    private readonly maxTracked = DEFAULT_MAX_TRACKED,
  ) {}

  /** Without reserving: 'blocked' when the key is refused now, else the delay in ms to wait before trying. */
  peek(key: string): 'blocked' | number {
    const e = this.#current(key, this.now());
    if (!e) return 0;
    if (e.blockedUntil > this.now() || e.failures + e.pending >= this.rule.max) return 'blocked';
    return this.rule.slowAfter !== undefined && e.failures + e.pending >= this.rule.slowAfter ? SLOW_DELAY_MS : 0;
  }

  /** Reserves one attempt for `key`; false (nothing reserved) when its budget is spent or it is blocked. */
  reserve(key: string): boolean {
    const now = this.now();
    let e = this.#current(key, now);
    if (!e) {
      if (this.#entries.size >= this.maxTracked) this.#sweep(now);
      e = { windowStart: now, failures: 0, pending: 0, blockedUntil: 0 };
      this.#entries.set(key, e);
    }
    if (e.blockedUntil > now || e.failures + e.pending >= this.rule.max) return false;
    e.pending += 1;
    return true;
  }

  /** Settles a reservation made by `reserve`: a failure stays counted (and may block the key), a success is given back. */
  settle(key: string, failed: boolean): void {
    const e = this.#entries.get(key);
    if (!e) return;
    if (e.pending > 0) e.pending -= 1;
    if (!failed) return;
    const now = this.now();
    e.failures += 1;
    if (e.failures >= this.rule.max) e.blockedUntil = Math.max(e.blockedUntil, now + this.rule.blockMs);
  }

  /** Whole seconds until `key` may try again (at least 1); for Retry-After. */
  retryAfterSeconds(key: string): number {
    const e = this.#entries.get(key);
    const now = this.now();
    if (!e) return 1;
    const until = e.blockedUntil > now ? e.blockedUntil : e.windowStart + this.rule.windowMs;
    return Math.max(1, Math.ceil((until - now) / 1000));
  }

  /** The key's entry with its window brought up to date; undefined when it has none. */
  #current(key: string, now: number): Entry | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (now - e.windowStart >= this.rule.windowMs && e.blockedUntil <= now) {
      // A new window: reservations still open carry over, finished failures do not.
      e.windowStart = now;
      e.failures = 0;
    }
    return e;
  }

  #sweep(now: number): void {
    for (const [key, e] of this.#entries) {
      if (e.pending === 0 && e.blockedUntil <= now && now - e.windowStart >= this.rule.windowMs) this.#entries.delete(key);
    }
    // Still full under attack from many keys: forget the oldest.
    if (this.#entries.size >= this.maxTracked) {
      let drop = this.#entries.size - this.maxTracked + Math.ceil(this.maxTracked / 100);
      for (const key of this.#entries.keys()) {
        if (drop-- <= 0) break;
        this.#entries.delete(key);
      }
    }
  }
}

/**
 * Which sources (client addresses) have recently proved they know the secret of a key (an account name, an
 * email). A key under attack is refused to strangers, but a source that signed in to it before keeps going:
 * an attacker can then not lock an account's owner out by failing on purpose. Bounded, oldest forgotten first.
 */
export class TrustedSources {
  readonly #seen = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxTracked = DEFAULT_MAX_TRACKED,
  ) {}

  has(key: string, source: string): boolean {
    const id = `${key}\u0000${source}`;
    const until = this.#seen.get(id);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.#seen.delete(id);
    return false;
  }

  add(key: string, source: string): void {
    const id = `${key}\u0000${source}`;
    // Re-inserted so the Map's order stays oldest first.
    this.#seen.delete(id);
    if (this.#seen.size >= this.maxTracked) {
      const oldest = this.#seen.keys().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    this.#seen.set(id, this.now() + this.ttlMs);
  }
}
