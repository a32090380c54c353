/** Traffic packages: operator grants, the customer's list and summary (`user-product/*`), revocation. */
export { packageView } from './package-view.js';
export { type PackageSums, PackagesRepository } from './packages.repository.js';
export { PackagesService, type PackagesServiceOptions, shownUsedBytes, toKb } from './packages.service.js';
export {
  DEFAULT_GRANT_TITLE,
  DEFAULT_PACKAGE_PRODUCT_TYPE,
  LIST_PAGE_SIZE_DEFAULT,
  LIST_PAGE_SIZE_MAX,
  LISTED_PRODUCT_TYPES,
  PACKAGE_BYTES_MAX,
  PACKAGE_DAYS_MAX,
  PACKAGE_PRODUCT_TYPES,
  type PackageFilter,
  type PackageGrant,
  type PackagePage,
  type PackageProductType,
  type PackageStatus,
  type PackageSummary,
  TEMPORARY_WINDOW_MS,
  TIME_BASED_PACKAGE_TYPE,
  TITLE_MAX,
  TRADE_NO_MAX,
  type TrafficPackage,
} from './packages.types.js';
