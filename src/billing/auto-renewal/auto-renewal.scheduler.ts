/**
 * Runs auto-renewal: every `intervalMs` (and once at start), the renewals due are attempted (see
 * AutoRenewalService). What is due is stored (the packages' expiries, each row's next attempt), so a restart
 * loses nothing; runs do not overlap, and two processes running it renew nothing twice (each attempt is claimed
 * by a guarded update, and the renewal's transaction moves the mark).
 */
import type { Logger } from 'pino';
import type { AutoRenewalService } from './auto-renewal.service.js';
import type { RenewalRun } from './auto-renewal.types.js';

export const AUTO_RENEWAL_INTERVAL_MS = 30_000;

export interface AutoRenewalSchedulerOptions {
  readonly logger?: Logger | undefined;
  readonly intervalMs?: number | undefined;
}

export class AutoRenewalScheduler {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<RenewalRun> | undefined;

  constructor(
    private readonly renewals: AutoRenewalService,
    private readonly options: AutoRenewalSchedulerOptions = {},
  ) {}

  /** Runs once now, then every interval, until stop(). */
  start(): void {
    if (this.#timer) return;
    const tick = () => {
      this.runOnce().catch((err: unknown) => this.options.logger?.error({ err }, 'auto-renewal run failed; will retry'));
    };
    this.#timer = setInterval(tick, this.options.intervalMs ?? AUTO_RENEWAL_INTERVAL_MS);
    this.#timer.unref();
    tick();
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** Attempts what is due now; a run in progress is joined rather than doubled. */
  runOnce(): Promise<RenewalRun> {
    this.#running ??= this.renewals.runDue().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }
}
