/**
 * Active health: every `intervalMs`, each node in the pool is probed by
 * connecting through it to the probe target (GatewayConfig.healthTarget). A
 * failed probe takes the node out of the selection; a passing one brings it
 * back. Rounds never overlap; the timer does not keep the process alive.
 */
import type { Logger } from 'pino';
import { AppError } from '../errors/index.js';
import type { ProxyTarget } from '../gateway/gateway.types.js';
import { dial } from './dialers.js';
import type { ExitPool } from './selection.js';
import { TargetPolicy } from './target-policy.js';

export interface HealthCheckerOptions {
  readonly pool: ExitPool;
  /** `host:port` (IPv6 in brackets); '' turns active probing off. */
  readonly target: string;
  readonly intervalMs: number;
  /** Per probe. */
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** Probes in flight at once (default 16). */
  readonly concurrency?: number;
  /** Called after each round, with the number of nodes probed. */
  readonly onRound?: (probed: number) => void;
}

/** Parses `host:port` / `[v6]:port`; undefined when malformed. */
export function parseProbeTarget(text: string): ProxyTarget | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) return undefined;
  return { host: (match[1] ?? match[2])!, port };
}

export class HealthChecker {
  readonly #target: ProxyTarget | undefined;
  // The operator chose the probe target; it may well be on a private network.
  readonly #policy = TargetPolicy.unrestricted();
  #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(private readonly options: HealthCheckerOptions) {
    this.#target = options.target === '' ? undefined : parseProbeTarget(options.target);
    if (options.target !== '' && !this.#target) throw new Error(`bad health probe target "${options.target}"`);
  }

  /** True when a probe target is configured. */
  get active(): boolean {
    return this.#target !== undefined;
  }

  /** Probes now, then every interval, until stop(). Does nothing without a probe target. */
  start(): void {
    if (!this.#target || this.#running) return;
    this.#running = true;
    this.#abort = new AbortController();
    const round = (): void => {
      void this.runOnce().finally(() => {
        if (!this.#running) return;
        this.#timer = setTimeout(round, this.options.intervalMs);
        this.#timer.unref();
      });
    };
    round();
  }

  /** Stops the timer and abandons probes in flight (their sockets are destroyed). */
  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#abort.abort();
  }

  /** One round: probes every node in the pool and reports each result to it. */
  async runOnce(): Promise<void> {
    const target = this.#target;
    if (!target) return;
    const members = this.options.pool.members();
    const signal = this.#abort.signal;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < members.length && !signal.aborted) {
        const member = members[next++]!;
        const started = performance.now();
        try {
          const socket = await dial(member.endpoint, target, { signal, timeoutMs: this.options.timeoutMs, policy: this.#policy });
          // The time to a connected tunnel through the node: what the console shows as its latency.
          const latencyMs = Math.round(performance.now() - started);
          socket.destroy();
          this.options.pool.reportProbe(member.node.id, true, undefined, latencyMs);
        } catch (err) {
          if (signal.aborted) return;
          const reason = err instanceof AppError ? err.message : String(err);
          this.options.logger.debug({ nodeId: member.node.id, url: member.node.urlDisplay, reason }, 'health probe failed');
          this.options.pool.reportProbe(member.node.id, false, reason);
        }
      }
    };
    const workers = Math.max(1, Math.min(this.options.concurrency ?? 16, members.length));
    await Promise.all(Array.from({ length: workers }, worker));
    this.options.onRound?.(members.length);
  }
}
