/**
 * The product registry (src/products/product-types.ts: pure data, no imports) as the console reads it, so its
 * type pickers and names come from the one list the API validates against, never from a copy.
 */
import { useTranslation } from 'react-i18next';
import type { paths } from '../shared/api/schema.js';
import {
  PACKAGE_TYPES,
  productKind,
  productName,
  SOLD_TYPES,
  STATIC_IP_TYPES,
  SUB_ACCOUNT_TYPES,
  TIME_PACKAGE_TYPES,
  TRAFFIC_PACKAGE_TYPES,
} from '../../src/products/product-types.js';

export { PACKAGE_TYPES, productKind, SOLD_TYPES, STATIC_IP_TYPES, SUB_ACCOUNT_TYPES, TIME_PACKAGE_TYPES, TRAFFIC_PACKAGE_TYPES };

/** A product type as the API's bodies type it (the registry's documented numbers). */
export type ProductType = paths['/admin/products']['post']['requestBody']['content']['application/json']['product_type'];

/** `9 — Dynamic residential traffic` in the page's language. */
export function useTypeName(): (type: number) => string {
  const { i18n } = useTranslation();
  const language = (i18n.resolvedLanguage ?? i18n.language ?? 'en').startsWith('zh') ? 'zh' : 'en';
  return (type: number) => `${type} — ${productName(type, language)}`;
}

/** Options of a type picker. */
export function TypeOptions(props: { types: readonly number[] }) {
  const name = useTypeName();
  return (
    <>
      {props.types.map((type) => (
        <option key={type} value={type}>
          {name(type)}
        </option>
      ))}
    </>
  );
}
