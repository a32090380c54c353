/** Traffic packages: operator grants, the customer's list and summary (`user-product/*`), revocation. */
export { drawTraffic } from './draw.js';
export { packageView } from './package-view.js';
export { type PackageSums, PackagesRepository, type ValidPackage, validAt } from './packages.repository.js';
export { PackagesService, type PackagesServiceOptions, shownUsedBytes, toKb } from './packages.service.js';
export {
  BANDWIDTH_MBPS_MAX,
  CONCURRENCY_MAX,
  DEFAULT_GRANT_TITLE,
  LIST_PAGE_SIZE_DEFAULT,
  LIST_PAGE_SIZE_MAX,
  PACKAGE_BYTES_MAX,
  PACKAGE_DAYS_MAX,
  type PackageFilter,
  type PackageGrant,
  type PackagePage,
  type PackageStatus,
  type PackageSummary,
  TEMPORARY_WINDOW_MS,
  TITLE_MAX,
  TRADE_NO_MAX,
  type TrafficPackage,
  type TrafficTotals,
} from './packages.types.js';
