/**
 * Rules for an exit node's fields, as pure functions: each check returns the
 * normalized value, or a reason (named per field) when the input is unfit.
 */
// The library without its locales (its main entry loads all of them, about 0.7 MB): only the codes are read here.
import countries from 'i18n-iso-countries/index.js';
import { DEFAULT_TYPE, SUB_ACCOUNT_TYPES } from '../products/index.js';
import { type NodeEndpoint, parseNodeUrl } from './node-url.js';

export const WEIGHT_MIN = 1;
export const WEIGHT_MAX = 1000;
export const DEFAULT_WEIGHT = 1;
export const PLACE_MAX = 64;
export const DEFAULT_NODE_TYPES: readonly number[] = [DEFAULT_TYPE];

const ALPHA2 = new Set(Object.keys(countries.getAlpha2Codes()));
const PLACE = new RegExp(`^[a-z0-9_]{1,${PLACE_MAX}}$`);

export const COUNTRY_RULE = 'an ISO 3166-1 alpha-2 country code, e.g. US';
export const PLACE_RULE = `lower case letters, digits and _ only, at most ${PLACE_MAX} characters`;
export const TYPES_RULE = `one or more of ${SUB_ACCOUNT_TYPES.join(', ')}`;
export const WEIGHT_RULE = `an integer from ${WEIGHT_MIN} to ${WEIGHT_MAX}`;

/** ISO 3166-1 alpha-2 code, upper case; undefined when not a code. */
export function normalizeCountry(input: string): string | undefined {
  const code = input.trim().toUpperCase();
  return ALPHA2.has(code) ? code : undefined;
}

/** A state or city: lower case letters, digits, underscore; '' for unknown. Undefined when unfit. */
export function normalizePlace(input: string): string | undefined {
  const place = input.trim().toLowerCase();
  return place === '' || PLACE.test(place) ? place : undefined;
}

/** Product types, deduplicated and sorted; undefined when empty or naming an unknown type. */
export function normalizeTypes(input: readonly number[]): number[] | undefined {
  if (input.length === 0 || !input.every((t) => SUB_ACCOUNT_TYPES.includes(t))) return undefined;
  return [...new Set(input)].sort((a, b) => a - b);
}

export function isValidWeight(weight: number): boolean {
  return Number.isInteger(weight) && weight >= WEIGHT_MIN && weight <= WEIGHT_MAX;
}

/** Fields of a node as given by an operator; absent fields are left alone (update) or defaulted (add). */
export interface NodeFieldsInput {
  readonly url?: string | undefined;
  readonly country?: string | undefined;
  readonly state?: string | undefined;
  readonly city?: string | undefined;
  readonly types?: readonly number[] | undefined;
  readonly weight?: number | undefined;
}

export interface NodeFields {
  endpoint?: NodeEndpoint;
  country?: string;
  state?: string;
  city?: string;
  types?: number[];
  weight?: number;
}

/** Checks every given field at once; `errors` names each bad field with its reason. */
export function checkNodeFields(input: NodeFieldsInput): { fields: NodeFields; errors: Record<string, string> } {
  const fields: NodeFields = {};
  const errors: Record<string, string> = {};
  if (input.url !== undefined) {
    const parsed = parseNodeUrl(input.url);
    if (parsed.ok) fields.endpoint = parsed.endpoint;
    else errors.url = parsed.problem;
  }
  if (input.country !== undefined) {
    const country = normalizeCountry(input.country);
    if (country === undefined) errors.country = COUNTRY_RULE;
    else fields.country = country;
  }
  for (const key of ['state', 'city'] as const) {
    const value = input[key];
    if (value === undefined) continue;
    const place = normalizePlace(value);
    if (place === undefined) errors[key] = PLACE_RULE;
    else fields[key] = place;
  }
  if (input.types !== undefined) {
    const types = normalizeTypes(input.types);
    if (types === undefined) errors.types = TYPES_RULE;
    else fields.types = types;
  }
  if (input.weight !== undefined) {
    if (isValidWeight(input.weight)) fields.weight = input.weight;
    else errors.weight = WEIGHT_RULE;
  }
  return { fields, errors };
}
