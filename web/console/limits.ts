/**
 * The API's length and range limits the console's forms repeat as input constraints, imported from the modules
 * that define them (pure data, no imports) so a form never allows less or more than the API.
 */
export {
  COUPON_CODE_MAX,
  COUPON_KINDS,
  COUPON_NAME_MAX,
  PAYMENT_SORT_MAX,
  PAYMENT_TITLE_MAX,
  PAYMENT_URL_MAX,
  PRODUCT_DESCRIPTION_MAX,
  PRODUCT_TITLE_MAX,
  SKU_KINDS,
  UNIT_DAYS_MAX,
} from '../../src/billing/catalogue/catalogue.types.js';
export { BANDWIDTH_MBPS_MAX, CONCURRENCY_MAX, PACKAGE_DAYS_MAX } from '../../src/packages/packages.types.js';
