/** Auto-renewal of packages from the balance: the marks, the attempts' log, the scheduler. */
export { AutoRenewalRepository } from './auto-renewal.repository.js';
export { AUTO_RENEWAL_INTERVAL_MS, AutoRenewalScheduler, type AutoRenewalSchedulerOptions } from './auto-renewal.scheduler.js';
export { type AutoRenewalDeps, type AutoRenewalOptions, AutoRenewalService } from './auto-renewal.service.js';
export {
  type AutoRenewal,
  type AutoRenewalLog,
  type AutoRenewalLogPage,
  durationOf,
  LOG_PAGE_SIZE_DEFAULT,
  LOG_PAGE_SIZE_MAX,
  RENEW_DURATIONS,
  type RenewalRun,
  type RenewDuration,
  renewalsOf,
} from './auto-renewal.types.js';
