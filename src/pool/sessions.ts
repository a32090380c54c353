/**
 * Sticky sessions: session key → exit node, until a fixed expiry. Bounded: at
 * the cap, expired entries are swept and then the oldest binding goes.
 */

export interface SessionBinding {
  readonly nodeId: number;
  /** Epoch ms; fixed at first use, never renewed. */
  readonly expiresAt: number;
}

/** How often, at most, bind() sweeps expired entries when the table is below its cap. */
const SWEEP_EVERY_MS = 60_000;

export class SessionTable {
  readonly #bindings = new Map<string, SessionBinding>();
  #lastSweep = 0;

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.#bindings.size;
  }

  /** The live binding of `key`, or undefined (an expired one is dropped). */
  get(key: string, now: number): SessionBinding | undefined {
    const binding = this.#bindings.get(key);
    if (binding === undefined) return undefined;
    if (binding.expiresAt > now) return binding;
    this.#bindings.delete(key);
    return undefined;
  }

  /** Binds `key` to a node until `expiresAt`; rebinding (a move) keeps the expiry given. */
  bind(key: string, nodeId: number, expiresAt: number, now: number): void {
    if (!this.#bindings.has(key)) {
      const sinceSweep = now - this.#lastSweep;
      // A full table of live bindings would make every new session a full sweep: at most one a second.
      if (sinceSweep >= SWEEP_EVERY_MS || (this.#bindings.size >= this.maxEntries && sinceSweep >= 1000)) this.sweep(now);
      // Map order is insertion order: the first key is the oldest binding.
      if (this.#bindings.size >= this.maxEntries) {
        const oldest = this.#bindings.keys().next().value;
        if (oldest !== undefined) this.#bindings.delete(oldest);
      }
    }
    this.#bindings.set(key, { nodeId, expiresAt });
  }

  delete(key: string): void {
    this.#bindings.delete(key);
  }

  /** Drops every expired binding. */
  sweep(now: number): void {
    this.#lastSweep = now;
    for (const [key, binding] of this.#bindings) if (binding.expiresAt <= now) this.#bindings.delete(key);
  }
}

/**
 * Session bindings several gateways share (cluster/, on Redis): a session name used through any gateway gets
 * the exit it got first. The local SessionTable stays the hot-path cache; the shared one is asked only for a
 * session this gateway has not seen, and told of new bindings and moves.
 */
export interface SharedSessions {
  /** The binding of `key`, if any gateway made one that has not expired. */
  get(key: string): Promise<SessionBinding | undefined>;
  /** Binds `key` unless another gateway did first; answers the binding that holds. */
  claim(key: string, binding: SessionBinding): Promise<SessionBinding>;
  /** Moves `key` to another node (its exit failed), keeping the expiry. */
  move(key: string, binding: SessionBinding): Promise<void>;
}
