/**
 * A budget of failed attempts per key (a client address, a proxy account name, an email), counted in fixed
 * windows. An attempt is RESERVED before the secret is checked and counts as a failure until it is settled:
 * a failure stays counted, a success gives the reservation back. So however many attempts arrive at once, no
 * more than `max` of them are ever checked in a window; the rest are refused before any check. At `max`
 * failures the key is refused for `blockMs`. Memory is bounded: past `maxTracked` keys, finished entries are
 * swept, then the oldest are forgotten.
 *
 * With several gateways (SharedFailures given, cluster/ on Redis) the failures of a key are also counted across
 * gateways, in a sliding window (cluster/shared-throttle.ts). The budget stays synchronous (nothing waits on the
 * network before a check): it refuses from what it knows, and learns the total across gateways from the answer to
 * each of its own failures, and from one look-up when a key first shows up here in a window. So once a key has `max` failures
 * across the gateways, each other gateway lets through at most the attempts that reach it before it learns: one
 * attempt at a time, that is one failure per gateway (docs/cluster.md).
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

/** What the gateways together counted for a key in the sliding window that ends now. */
export interface SharedCount {
  readonly failures: number;
  /** How much longer the key is refused across the gateways, ms (0: it is not). */
  readonly blockedMs: number;
}

/**
 * Failure counts several gateways share (cluster/, on Redis): per budget `scope` and key, over a sliding window
 * of the rule's length (what a gateway learned is renewed once per epoch-aligned window). Either call may reject
 * while the shared store is unreachable; the budget then goes on with its own counts.
 */
export interface SharedFailures {
  /** Counts one failure; at `rule.max` the key is refused across the gateways for `rule.blockMs`. */
  add(scope: string, key: string, rule: BudgetRule): Promise<SharedCount>;
  /** What is counted now, without counting. */
  read(scope: string, key: string, rule: BudgetRule): Promise<SharedCount>;
}

/** Where a budget's counts are shared, and under which name. */
export interface SharedBudget {
  readonly failures: SharedFailures;
  /** Names the budget among the gateways' budgets (proxy-source, proxy-name). */
  readonly scope: string;
}

interface Entry {
  windowStart: number;
  failures: number;
  /** Reserved attempts not settled yet. */
  pending: number;
  blockedUntil: number;
  /** Failures across the gateways in the shared window `sharedWindow` (this gateway's own included). */
  shared: number;
  sharedWindow: number;
}

const DEFAULT_MAX_TRACKED = 100_000;

export class FailureBudget {
  readonly #entries = new Map<string, Entry>();

  constructor(
    readonly rule: BudgetRule,
    private readonly now: () => number = Date.now,
    private readonly maxTracked = DEFAULT_MAX_TRACKED,
    private readonly shared?: SharedBudget,
  ) {}

  /** Without reserving: 'blocked' when the key is refused now, else the delay in ms to wait before trying. */
  peek(key: string): 'blocked' | number {
    const now = this.now();
    const e = this.#current(key, now);
    if (!e) return 0;
    const failures = this.#failures(e, now);
    if (e.blockedUntil > now || failures + e.pending >= this.rule.max) return 'blocked';
    return this.rule.slowAfter !== undefined && failures + e.pending >= this.rule.slowAfter ? SLOW_DELAY_MS : 0;
  }

  /** Reserves one attempt for `key`; false (nothing reserved) when its budget is spent or it is blocked. */
  reserve(key: string): boolean {
    const now = this.now();
    let e = this.#current(key, now);
    if (!e) {
      if (this.#entries.size >= this.maxTracked) this.#sweep(now);
      e = { windowStart: now, failures: 0, pending: 0, blockedUntil: 0, shared: 0, sharedWindow: -1 };
      this.#entries.set(key, e);
    }
    // First seen here in this shared window: learn what the other gateways counted (for the next attempts).
    if (this.shared !== undefined && e.sharedWindow !== this.#window(now)) {
      e.sharedWindow = this.#window(now);
      e.shared = 0;
      this.#learn(key, e, this.shared.failures.read(this.shared.scope, key, this.rule));
    }
    if (e.blockedUntil > now || this.#failures(e, now) + e.pending >= this.rule.max) return false;
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
    if (this.shared !== undefined) {
      // Counted here at once (so this gateway never waits on the network), across the gateways when the answer comes.
      if (e.sharedWindow === this.#window(now)) e.shared += 1;
      this.#learn(key, e, this.shared.failures.add(this.shared.scope, key, this.rule));
    }
  }

  /** Failures that count against the key now: its own in the local window, or the gateways' in the shared one. */
  #failures(e: Entry, now: number): number {
    return e.sharedWindow === this.#window(now) ? Math.max(e.failures, e.shared) : e.failures;
  }

  #window(now: number): number {
    return Math.floor(now / this.rule.windowMs);
  }

  /** Takes in what the gateways counted; an unreachable store changes nothing (the local counts go on). */
  #learn(key: string, e: Entry, answer: Promise<SharedCount>): void {
    const window = this.#window(this.now());
    answer.then(
      (count) => {
        // The entry may have been swept, or the window moved on, while the answer was on the way.
        if (this.#entries.get(key) !== e || e.sharedWindow !== window) return;
        e.shared = Math.max(e.shared, count.failures);
        if (count.blockedMs > 0) e.blockedUntil = Math.max(e.blockedUntil, this.now() + count.blockedMs);
      },
      () => {},
    );
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
