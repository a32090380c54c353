/**
 * Runs auto-renewal: every `intervalMs` (and once at start), the renewals due are attempted (see
 * AutoRenewalService). What is due is stored (the packages' expiries, each row's next attempt), so a restart
 * loses nothing; runs do not overlap, and two processes running it renew nothing twice (each attempt is claimed
 * by a guarded update, and the renewal's transaction moves the mark).
 */
import type { Logger } from 'pino';
import { PeriodicRun } from '../../time/periodic-run.js';
import type { AutoRenewalService } from './auto-renewal.service.js';
import type { RenewalRun } from './auto-renewal.types.js';

export const AUTO_RENEWAL_INTERVAL_MS = 30_000;

export interface AutoRenewalSchedulerOptions {
  readonly logger?: Logger | undefined;
  readonly intervalMs?: number | undefined;
}

export class AutoRenewalScheduler {
  readonly #job: PeriodicRun<RenewalRun>;

  constructor(renewals: AutoRenewalService, options: AutoRenewalSchedulerOptions = {}) {
    this.#job = new PeriodicRun(() => renewals.runDue(), options.intervalMs ?? AUTO_RENEWAL_INTERVAL_MS, {
      logger: options.logger,
      message: 'auto-renewal run failed; will retry',
    });
  }

  /** Runs once now, then every interval, until stop(). */
  start(): void {
    this.#job.start();
  }

  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void> {
    return this.#job.stop();
  }

  /** Attempts what is due now; a run in progress is joined rather than doubled. */
  runOnce(): Promise<RenewalRun> {
    return this.#job.runOnce();
  }
}
