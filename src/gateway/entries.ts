/**
 * Which product types may use which proxy entry, in one place. The main port
 * serves dynamic residential traffic (type 9); other product types get their
 * own entries (extraction ports, static IPs) later.
 */
export const MAIN_ENTRY_PRODUCT_TYPES: readonly number[] = Object.freeze([9]);
