export { AccountDirectory, type AccountDirectoryOptions } from './account-directory.js';
export { AccountState, limitFromGb } from './account-state.js';
export { type Change, ChangeFeed } from './change-feed.js';
export { Meter, type MeterSource } from './meter.js';
export { MAX_RANGE_DAYS, type UsageQuery, UsageService } from './usage.service.js';
export { PACKAGE_METERED_TYPES, PackageQuota, QuotaBook } from './package-quota.js';
