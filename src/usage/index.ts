export { AccountDirectory, type AccountDirectoryDeps, type AccountDirectoryOptions } from './account-directory.js';
export { AccountState, limitFromGb } from './account-state.js';
export { type Change, ChangeFeed } from './change-feed.js';
export { type FlushRecord, Meter, type MeterOptions, type MeterSource, type PackageDraw } from './meter.js';
export { PackageQuota, QuotaBook, type QuotaBookOptions, type QuotaLink, type QuotaReading, quotaOf } from './package-quota.js';
export { mbpsToBytesPerSecond, TokenBucket } from './token-bucket.js';
export { UsageRepository } from './usage.repository.js';
export { MAX_RANGE_DAYS, type UsageQuery, UsageService } from './usage.service.js';
export {
  ACCOUNT_LIMIT,
  type ConnectionCloser,
  type QuotaLeases,
  type SharedDailyUsage,
  type SharedTunnels,
} from './usage.types.js';
export { bucketSeries, isTimeZone, type SeriesPoint, type SeriesRange, seriesFrom } from './usage-series.js';
