/**
 * A job run once at start and then every `intervalMs` until stopped, the way the billing sweeps run (order
 * expiry, auto-renewal): runs never overlap (a run asked for while one is in progress joins it), a failed run is
 * logged and the next tick tries again, and stop() waits for the run in progress. The timer is unref'd, so it
 * never keeps a process alive on its own.
 */
import type { Logger } from 'pino';

export class PeriodicRun<T> {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<T> | undefined;

  constructor(
    private readonly run: () => Promise<T>,
    private readonly intervalMs: number,
    private readonly failure: { readonly logger?: Logger | undefined; readonly message: string },
  ) {}

  /** Runs once now, then every interval, until stop(). */
  start(): void {
    if (this.#timer) return;
    const tick = () => {
      this.runOnce().catch((err: unknown) => this.failure.logger?.error({ err }, this.failure.message));
    };
    this.#timer = setInterval(tick, this.intervalMs);
    this.#timer.unref();
    tick();
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** Runs now; a run in progress is joined rather than doubled. */
  runOnce(): Promise<T> {
    this.#running ??= this.run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }
}
