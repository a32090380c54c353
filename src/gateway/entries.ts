/**
 * Which product types may use which proxy entry, as the product registry says: the main port serves the types
 * whose entry is 'main' (9 dynamic residential traffic, 11 by time, 12 long-term IDC traffic); the extraction
 * ports serve the `ip/v3` leases of the extraction type (9); the static-IP port serves the static types (14, 25).
 */
import { ENTRY_TYPES, EXTRACTION_TYPE } from '../products/index.js';

export const MAIN_ENTRY_PRODUCT_TYPES: readonly number[] = ENTRY_TYPES.main;
export const EXTRACTION_ENTRY_PRODUCT_TYPES: readonly number[] = Object.freeze([EXTRACTION_TYPE]);
export const STATIC_ENTRY_PRODUCT_TYPES: readonly number[] = ENTRY_TYPES.static;
