/**
 * Which product types may use which proxy entry, in one place: the main port
 * serves dynamic residential traffic (type 9); the extraction ports serve the
 * `ip/v3` leases of type-9 traffic; the static-IP port serves static
 * datacenter (14) and static residential (25) sub-accounts.
 */
export const MAIN_ENTRY_PRODUCT_TYPES: readonly number[] = Object.freeze([9]);
export const EXTRACTION_ENTRY_PRODUCT_TYPES: readonly number[] = Object.freeze([9]);
export const STATIC_ENTRY_PRODUCT_TYPES: readonly number[] = Object.freeze([14, 25]);
