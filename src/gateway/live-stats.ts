/**
 * The live view of this process's gateway (the console's `GET /admin/live`): once a second it samples the
 * registry's byte totals, the open connections and the auth-failure count into a ring of the last hour, so
 * "throughput now" is the rate over the last few seconds and any window up to an hour can be read back without
 * touching the relay: the sample reads plain integers the relay already keeps (habit 8), never a chunk.
 */
import type { GatewayMetrics } from './metrics.js';
import type { ConnectionRegistry } from './registry.js';

export interface LiveSample {
  readonly at: number;
  readonly up: number;
  readonly down: number;
  readonly connections: number;
  readonly authFailures: number;
}

export interface LiveSnapshot {
  readonly at: number;
  readonly openConnections: number;
  /** Bytes per second over the last `windowSeconds`. */
  readonly throughput: { readonly up: number; readonly down: number; readonly windowSeconds: number };
  readonly authFailures: { readonly total: number; readonly lastMinute: number; readonly lastHour: number };
  /** Per-10-second points of the last 10 minutes, oldest first: bytes per second and open connections. */
  readonly series: readonly { at: number; up: number; down: number; connections: number }[];
}

export interface LiveSamplerOptions {
  readonly now?: () => number;
  readonly intervalMs?: number;
}

const HOUR_MS = 3_600_000;

export class LiveSampler {
  readonly #samples: LiveSample[] = [];
  readonly #now: () => number;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connections: ConnectionRegistry,
    private readonly metrics: GatewayMetrics,
    options: LiveSamplerOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
    this.#intervalMs = options.intervalMs ?? 1000;
  }

  start(): void {
    this.sample();
    this.#timer = setInterval(() => this.sample(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Takes one sample now (the timer's work; tests call it to step). */
  sample(): LiveSample {
    const { up, down } = this.connections.byteTotals();
    const s: LiveSample = {
      at: this.#now(),
      up,
      down,
      connections: this.connections.size,
      authFailures: this.metrics.authFailuresTotal,
    };
    this.#samples.push(s);
    // Keep an hour and one sample more, so the hour's difference has a start.
    while (this.#samples.length > 2 && this.#samples[1]!.at <= s.at - HOUR_MS) this.#samples.shift();
    return s;
  }

  /** The newest sample at or before `at`, else the oldest kept. */
  #at(at: number): LiveSample | undefined {
    let found = this.#samples[0];
    for (const s of this.#samples) {
      if (s.at > at) break;
      found = s;
    }
    return found;
  }

  /**
   * Open connections now and bytes per second (both directions) over the last `windowSeconds` of samples, without
   * taking a sample: what the gateway registry's heartbeat reports.
   */
  current(windowSeconds = 5): { connections: number; bytesPerSecond: number } {
    const last = this.#samples[this.#samples.length - 1];
    const from = last ? this.#at(last.at - windowSeconds * 1000) : undefined;
    if (!last || !from || from.at >= last.at) return { connections: this.connections.size, bytesPerSecond: 0 };
    const bytes = last.up + last.down - (from.up + from.down);
    return { connections: this.connections.size, bytesPerSecond: Math.round((bytes * 1000) / (last.at - from.at)) };
  }

  snapshot(windowSeconds = 5): LiveSnapshot {
    const now = this.sample();
    const from = this.#at(now.at - windowSeconds * 1000) ?? now;
    const seconds = Math.max(1, (now.at - from.at) / 1000);
    const minute = this.#at(now.at - 60_000) ?? now;
    const hour = this.#at(now.at - HOUR_MS) ?? now;
    const series: { at: number; up: number; down: number; connections: number }[] = [];
    for (let t = now.at - 600_000; t < now.at; t += 10_000) {
      const a = this.#at(t);
      const b = this.#at(t + 10_000);
      if (!a || !b || b.at <= a.at || a.at < t - 10_000) continue;
      const dt = (b.at - a.at) / 1000;
      series.push({
        at: b.at,
        up: Math.round((b.up - a.up) / dt),
        down: Math.round((b.down - a.down) / dt),
        connections: b.connections,
      });
    }
    return {
      at: now.at,
      openConnections: now.connections,
      throughput: {
        up: Math.round((now.up - from.up) / seconds),
        down: Math.round((now.down - from.down) / seconds),
        windowSeconds: Math.round(seconds),
      },
      authFailures: {
        total: now.authFailures,
        lastMinute: now.authFailures - minute.authFailures,
        lastHour: now.authFailures - hour.authFailures,
      },
      series,
    };
  }
}
