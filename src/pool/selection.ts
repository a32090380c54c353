/**
 * The exit pool the gateway dials through: the enabled nodes held in memory
 * (reloaded when the change feed reports an exit_node change), their health,
 * and the sticky sessions.
 *
 * Selection: nodes serving the route's product type and matching its country,
 * state and city (each when given), healthy ones only, weighted at random.
 * Without a session every connection picks anew. With one, the first use binds
 * `${accountId}:${session}` to a node for `lifeMinutes`; the lease is fixed at
 * first use and does not renew on use. When the bound node leaves the selection
 * or fails as an exit, the session moves to another matching node (logged),
 * keeping its expiry.
 *
 * Health: a node is out of the selection while its last active probe failed
 * (health.ts), or for a cooldown after `failuresBeforeDown` consecutive dials
 * that failed through the exit's own fault (errno.ts `isExitFault`); a passing
 * probe brings it back at once. Failures of the target (refused, no such
 * name) count against no node.
 */
import type { Logger } from 'pino';
import { AppError } from '../errors/index.js';
import type {
  DialSignal,
  ExitConnection,
  ExitPicker,
  ProxyTarget,
  RouteRequest,
  UdpExit,
  UdpExitEvents,
} from '../gateway/gateway.types.js';
import { dial } from './dialers.js';
import { isExitFault } from './errno.js';
import type { NodeEndpoint } from './node-url.js';
import type { ExitNode } from './pool.types.js';
import { SessionTable, type SharedSessions } from './sessions.js';
import type { TargetPolicy } from './target-policy.js';
import { DirectUdpExit } from './udp-direct.js';

/** Where the pool reads nodes from (NodesService). */
export interface NodeSource {
  list(): Promise<readonly ExitNode[]>;
}

export interface ExitPoolOptions {
  readonly source: NodeSource;
  readonly policy: TargetPolicy;
  /** Per dial attempt (GatewayConfig.connectTimeoutMs). */
  readonly connectTimeoutMs: number;
  readonly logger: Logger;
  /** [0, 1); tests pass a seeded one. */
  readonly random?: () => number;
  readonly now?: () => number;
  /** Most sessions held (default 100,000). */
  readonly maxSessions?: number;
  /** Sessions shared with other gateways (cluster/); without them the table here is the only one. */
  readonly sharedSessions?: SharedSessions;
  /** Consecutive exit failures that take a node out (default 3). */
  readonly failuresBeforeDown?: number;
  /** How long such a node stays out unless a probe passes first (default 60 s). */
  readonly downCooldownMs?: number;
}

/** A node in the selection, with its health. */
export interface PoolMember {
  readonly node: ExitNode;
  readonly endpoint: NodeEndpoint;
  readonly healthy: boolean;
  /** Time to connect through the node at its last passing probe; undefined before one. */
  readonly latencyMs: number | undefined;
  /** When it was last probed (epoch ms); 0 before any probe. */
  readonly probedAt: number;
}

interface Entry {
  readonly node: ExitNode;
  readonly endpoint: NodeEndpoint;
  /** The last active probe failed. */
  probeFailed: boolean;
  /** Consecutive dials that failed through the exit's own fault. */
  failures: number;
  /** Epoch ms until which passive health keeps the node out; 0 when not. */
  downUntil: number;
  latencyMs?: number | undefined;
  probedAt?: number;
}

export class ExitPool implements ExitPicker {
  #entries: ReadonlyMap<number, Entry> = new Map();
  #reloading: Promise<void> = Promise.resolve();
  readonly #sessions: SessionTable;
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #failuresBeforeDown: number;
  readonly #downCooldownMs: number;
  readonly #logger: Logger;

  constructor(private readonly options: ExitPoolOptions) {
    this.#sessions = new SessionTable(options.maxSessions ?? 100_000);
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
    this.#failuresBeforeDown = options.failuresBeforeDown ?? 3;
    this.#downCooldownMs = options.downCooldownMs ?? 60_000;
    this.#logger = options.logger;
  }

  /** Re-reads the nodes (at start, and on each exit_node change). Health survives for nodes left unchanged. */
  reload(): Promise<void> {
    // One load at a time, in call order, so an older list never replaces a newer one.
    const run = this.#reloading.then(() => this.#load());
    this.#reloading = run.catch(() => undefined);
    return run;
  }

  /** The enabled, usable nodes with their health. */
  members(): PoolMember[] {
    const now = this.#now();
    return [...this.#entries.values()].map((e) => ({
      node: e.node,
      endpoint: e.endpoint,
      healthy: this.#healthy(e, now),
      latencyMs: e.latencyMs,
      probedAt: e.probedAt ?? 0,
    }));
  }

  /** Whether the node is in the selection now; undefined when the pool does not hold it (disabled, unknown). */
  isHealthy(nodeId: number): boolean | undefined {
    const entry = this.#entries.get(nodeId);
    return entry && this.#healthy(entry, this.#now());
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  /**
   * The node for this route: the session's node while it lasts and stays eligible, else a weighted random
   * eligible node (binding the session, if any). `avoid` excludes one node. Throws TG_ERR_PROXY_NO_EXIT.
   */
  pick(route: RouteRequest, avoid?: number): ExitNode {
    const now = this.#now();
    const eligible = this.#eligible(route, now);
    const key = route.session === undefined ? undefined : `${route.accountId}:${route.session}`;
    const binding = key === undefined ? undefined : this.#sessions.get(key, now);
    if (binding && binding.nodeId !== avoid) {
      const bound = eligible.find((n) => n.id === binding.nodeId);
      if (bound) return bound;
    }
    const chosen = this.#weighted(eligible, avoid);
    if (!chosen) throw noExit(`no other healthy exit for ${describe(route)}`);
    if (key !== undefined) {
      this.#sessions.bind(key, chosen.id, binding?.expiresAt ?? now + route.lifeMinutes * 60_000, now);
      if (binding) {
        this.#logger.info(
          { accountId: route.accountId, session: route.session, from: binding.nodeId, to: chosen.id },
          'session moved to another exit node',
        );
      }
    }
    return chosen;
  }

  /**
   * Picks and dials. Without a session, a failed first attempt is retried once on another node; with one,
   * a failure of the exit moves the session for the next connections and this one fails. Policy refusals
   * and aborts are never retried.
   */
  async connect(route: RouteRequest, target: ProxyTarget, signal: DialSignal): Promise<ExitConnection> {
    const first = this.options.sharedSessions && route.session !== undefined ? await this.#pickShared(route) : this.pick(route);
    try {
      return await this.#dialThrough(first, target, signal, route.sharedRead);
    } catch (err) {
      if (signal.aborted || !(err instanceof AppError) || err.key === 'TG_ERR_PROXY_TARGET_BLOCKED') throw err;
      if (route.session !== undefined) {
        if (isExitFault(err)) this.#moveSession(route, first.id);
        throw err;
      }
      let second: ExitNode;
      try {
        second = this.pick(route, first.id);
      } catch {
        throw err;
      }
      return this.#dialThrough(second, target, signal, route.sharedRead);
    }
  }

  /**
   * Dials through node `nodeId` (the exit an extraction lease is bound to) while the pool holds it and it is
   * healthy. When it is not, or it fails through its own fault, the connection goes through another node
   * matching the route (the lease's location) and the move is logged; the next connection tries the
   * lease's node again. Policy refusals and aborts are never retried.
   */
  async connectVia(nodeId: number, route: RouteRequest, target: ProxyTarget, signal: DialSignal): Promise<ExitConnection> {
    const entry = this.#entries.get(nodeId);
    let failure: unknown;
    if (entry && this.#healthy(entry, this.#now())) {
      try {
        return await this.#dialThrough(entry.node, target, signal, route.sharedRead);
      } catch (err) {
        if (signal.aborted || !(err instanceof AppError) || !isExitFault(err)) throw err;
        failure = err;
      }
    }
    let other: ExitNode;
    try {
      other = this.pick({ ...route, session: undefined }, nodeId);
    } catch (err) {
      throw failure ?? err;
    }
    this.#logger.info({ from: nodeId, to: other.id, accountId: route.accountId }, 'lease exit unavailable: using another node');
    return this.#dialThrough(other, target, signal, route.sharedRead);
  }

  /**
   * A UDP relay for the route (SOCKS5 UDP ASSOCIATE) through a direct exit: the session's node when it is one,
   * else a weighted random direct node among those matching the route. Upstream exits (http, socks5) carry TCP
   * only and are never chosen; when only they match, TG_ERR_PROXY_NO_EXIT says so. Sessions are not bound by UDP.
   */
  udpExit(route: RouteRequest, events: UdpExitEvents): UdpExit {
    const now = this.#now();
    const direct = this.#eligible(route, now).filter((n) => this.#entries.get(n.id)?.endpoint.kind === 'direct');
    if (direct.length === 0) {
      throw noExit(`no exit that relays UDP for ${describe(route)} (upstream HTTP and SOCKS5 exits carry TCP only)`);
    }
    const key = route.session === undefined ? undefined : `${route.accountId}:${route.session}`;
    const bound = key === undefined ? undefined : this.#sessions.get(key, now);
    const node = direct.find((n) => n.id === bound?.nodeId) ?? this.#weighted(direct, undefined)!;
    const endpoint = this.#entries.get(node.id)!.endpoint;
    if (endpoint.kind !== 'direct') throw noExit(`exit node ${node.id} cannot relay UDP`);
    return new DirectUdpExit(node.id, endpoint, this.options.policy, events, this.#now);
  }

  /** An active probe's result (health.ts). */
  reportProbe(nodeId: number, ok: boolean, reason?: string, latencyMs?: number): void {
    const entry = this.#entries.get(nodeId);
    if (!entry) return;
    const now = this.#now();
    const before = this.#healthy(entry, now);
    entry.probedAt = now;
    if (ok && latencyMs !== undefined) entry.latencyMs = latencyMs;
    if (ok) {
      entry.probeFailed = false;
      entry.failures = 0;
      entry.downUntil = 0;
    } else {
      entry.probeFailed = true;
    }
    this.#logChange(entry, before, now, reason);
  }

  async #load(): Promise<void> {
    const nodes = await this.options.source.list();
    const next = new Map<number, Entry>();
    for (const node of nodes) {
      if (!node.enabled) continue;
      if (!node.endpoint) {
        this.#logger.error(
          { nodeId: node.id, url: node.urlDisplay },
          'exit node URL cannot be decrypted (TOLLGATE_SECRET changed?); node left out',
        );
        continue;
      }
      const previous = this.#entries.get(node.id);
      next.set(
        node.id,
        previous && previous.node.updatedAt === node.updatedAt
          ? { ...previous, node, endpoint: node.endpoint }
          : { node, endpoint: node.endpoint, probeFailed: false, failures: 0, downUntil: 0 },
      );
    }
    this.#entries = next;
  }

  async #dialThrough(node: ExitNode, target: ProxyTarget, signal: DialSignal, sharedRead = false): Promise<ExitConnection> {
    const endpoint = this.#entries.get(node.id)?.endpoint ?? node.endpoint;
    if (!endpoint) throw noExit(`exit node ${node.id} is unusable`);
    // Health is recorded on the entry current when the dial ends: a reload may have replaced it meanwhile.
    const current = () => {
      const entry = this.#entries.get(node.id);
      return entry?.node.updatedAt === node.updatedAt ? entry : undefined;
    };
    try {
      const socket = await dial(endpoint, target, {
        signal,
        timeoutMs: this.options.connectTimeoutMs,
        policy: this.options.policy,
        sharedRead,
      });
      const entry = current();
      if (entry) entry.failures = 0;
      return { socket, nodeId: node.id };
    } catch (err) {
      const entry = current();
      if (entry && !signal.aborted && isExitFault(err)) this.#exitFailed(entry, err as AppError);
      throw err;
    }
  }

  #exitFailed(entry: Entry, err: AppError): void {
    const now = this.#now();
    const before = this.#healthy(entry, now);
    entry.failures += 1;
    if (entry.failures >= this.#failuresBeforeDown && entry.downUntil <= now) entry.downUntil = now + this.#downCooldownMs;
    this.#logChange(entry, before, now, `${entry.failures} consecutive failures, the last: ${err.message}`);
  }

  #moveSession(route: RouteRequest, failedNodeId: number): void {
    try {
      this.pick(route, failedNodeId);
    } catch {
      // No other node: the session stays where it is and is tried again next time.
      return;
    }
    const shared = this.options.sharedSessions;
    const key = `${route.accountId}:${route.session}`;
    const binding = this.#sessions.get(key, this.#now());
    if (shared && binding) {
      shared.move(key, binding).catch((err: unknown) => this.#logger.warn({ err }, 'shared session move not recorded'));
    }
  }

  /**
   * pick() for a session shared with other gateways: a session this gateway has not bound yet takes the binding
   * another gateway made, or claims its own pick for all. While the shared store is unreachable the local table
   * alone decides (a session may then get another exit through another gateway).
   */
  async #pickShared(route: RouteRequest): Promise<ExitNode> {
    const shared = this.options.sharedSessions!;
    const key = `${route.accountId}:${route.session}`;
    const now = this.#now();
    if (this.#sessions.get(key, now) !== undefined) return this.pick(route);
    try {
      const known = await shared.get(key);
      if (known && known.expiresAt > this.#now()) {
        this.#sessions.bind(key, known.nodeId, known.expiresAt, this.#now());
        return this.pick(route);
      }
      const chosen = this.pick(route);
      const mine = this.#sessions.get(key, this.#now());
      if (mine) {
        const held = await shared.claim(key, mine);
        if (held.nodeId !== chosen.id) {
          this.#sessions.bind(key, held.nodeId, held.expiresAt, this.#now());
          return this.pick(route);
        }
      }
      return chosen;
    } catch (err) {
      if (err instanceof AppError) throw err;
      this.#logger.warn({ err }, 'shared sessions unreachable: this gateway binds on its own');
      return this.pick(route);
    }
  }

  #eligible(route: RouteRequest, now: number): ExitNode[] {
    const serving = [...this.#entries.values()].filter((e) => e.node.productTypes.includes(route.productType));
    if (serving.length === 0) throw noExit(`no exit for product type ${route.productType}`);
    const country = route.country?.toUpperCase();
    const state = route.state?.toLowerCase();
    const city = route.city?.toLowerCase();
    const matching = serving.filter(
      (e) =>
        (country === undefined || e.node.country === country) &&
        (state === undefined || e.node.state === state) &&
        (city === undefined || e.node.city === city),
    );
    if (matching.length === 0) throw noExit(`no exit for ${describe(route)}`);
    const healthy = matching.filter((e) => this.#healthy(e, now)).map((e) => e.node);
    if (healthy.length === 0) throw noExit(`no healthy exit for ${describe(route)}`);
    return healthy;
  }

  #weighted(nodes: readonly ExitNode[], avoid: number | undefined): ExitNode | undefined {
    let total = 0;
    for (const n of nodes) if (n.id !== avoid) total += n.weight;
    if (total === 0) return undefined;
    let point = this.#random() * total;
    let last: ExitNode | undefined;
    for (const n of nodes) {
      if (n.id === avoid) continue;
      last = n;
      point -= n.weight;
      if (point < 0) return n;
    }
    return last;
  }

  #healthy(entry: Entry, now: number): boolean {
    return !entry.probeFailed && entry.downUntil <= now;
  }

  #logChange(entry: Entry, before: boolean, now: number, reason: string | undefined): void {
    const after = this.#healthy(entry, now);
    if (before === after) return;
    const fields = { nodeId: entry.node.id, url: entry.node.urlDisplay, reason };
    if (after) this.#logger.info(fields, 'exit node back in the selection');
    else this.#logger.warn(fields, 'exit node left the selection');
  }
}

/** What a route asked for, for refusals: `country US, state ca`, or the product type when no place was named. */
function describe(route: RouteRequest): string {
  const parts: string[] = [];
  if (route.country !== undefined) parts.push(`country ${route.country.toUpperCase()}`);
  if (route.state !== undefined) parts.push(`state ${route.state.toLowerCase()}`);
  if (route.city !== undefined) parts.push(`city ${route.city.toLowerCase()}`);
  return parts.length > 0 ? parts.join(', ') : `product type ${route.productType}`;
}

function noExit(reason: string): AppError {
  return new AppError('TG_ERR_PROXY_NO_EXIT', { params: { reason } });
}
