/**
 * The geo catalogue: which countries, states and cities the exit pool can serve now, with country
 * names and continents from maintained data packages (no hand-written tables):
 * - `name_en` and `continent_code` from countries-list (`countries[code].name`, `.continent`: the main
 *   continent of a transcontinental country, e.g. RU → AS, TR → AS);
 * - `name_zh_cn` from i18n-iso-countries' `zh` locale (Simplified Chinese, e.g. 美国).
 *
 * Nodes are read on every call (no cache), so a node added, changed or disabled through the admin API
 * or the CLI is seen by the next request.
 */
// The library without its locales (its main entry loads every language, about 0.7 MB at start-up): the two read
// here are registered below.
import countries from 'i18n-iso-countries/index.js';
import en from 'i18n-iso-countries/langs/en.json' with { type: 'json' };
import zh from 'i18n-iso-countries/langs/zh.json' with { type: 'json' };
import { countries as countryData } from 'countries-list';
import { AppError, invalidParams } from '../errors/index.js';
import { RESIDENTIAL_POOL_TYPES } from '../products/index.js';
import { COUNTRY_RULE, normalizeCountry } from './rules.js';

countries.registerLocale(en);
countries.registerLocale(zh);

/**
 * Product types whose exits the catalogue lists: those the product registry sends through dynamic
 * residential nodes of the pool (9 and 11). Datacenter exits (12) are not residential locations, and static
 * types (14, 25) are served from the static-IP inventory, not by geo-targeted exits.
 */
export const DYNAMIC_PRODUCT_TYPES: readonly number[] = RESIDENTIAL_POOL_TYPES;

/** What the catalogue needs of an exit node (NodesService.list() gives these). */
export interface GeoNode {
  /** ISO 3166-1 alpha-2, upper case. */
  readonly country: string;
  /** Lower case; '' when unknown. */
  readonly state: string;
  readonly city: string;
  readonly productTypes: readonly number[];
  readonly enabled: boolean;
}

/** Where the catalogue reads nodes from; NodesService is one. Called once per catalogue call. */
export interface GeoNodeSource {
  list(): Promise<readonly GeoNode[]>;
}

/** A country's names and continent, from the data packages. */
export interface CountryInfo {
  /** ISO 3166-1 alpha-2, upper case. */
  readonly code: string;
  readonly nameEn: string;
  readonly nameZhCn: string;
  /** AF, AN, AS, EU, NA, OC or SA. */
  readonly continent: string;
}

/** A served country with its served states and (state, city) places. */
export interface GeoCountry extends CountryInfo {
  /** Distinct non-empty states, sorted. */
  readonly states: readonly string[];
  /** Distinct places with a city, sorted by state then city; state is '' when the node names none. */
  readonly cities: readonly { readonly state: string; readonly city: string }[];
}

/** A requested location; each part optional, any case. */
export interface GeoQuery {
  readonly country?: string | undefined;
  readonly state?: string | undefined;
  readonly city?: string | undefined;
}

/** A location the pool serves, normalized as nodes store it: country upper case, state and city lower case. */
export interface ResolvedGeo {
  readonly country?: string;
  readonly state?: string;
  readonly city?: string;
}

/** Names and continent of an ISO 3166-1 alpha-2 code (any case); undefined when not a code. */
export function countryInfo(code: string): CountryInfo | undefined {
  const alpha2 = normalizeCountry(code);
  if (alpha2 === undefined) return undefined;
  const data = (countryData as Record<string, { name: string; continent: string } | undefined>)[alpha2];
  return {
    code: alpha2,
    nameEn: data?.name ?? countries.getName(alpha2, 'en') ?? alpha2,
    nameZhCn: countries.getName(alpha2, 'zh') ?? data?.name ?? alpha2,
    continent: data?.continent ?? '',
  };
}

/** A state or city as the gateway's username grammar writes it: lower case, no spaces. */
export function normalizeGeoPlace(input: string): string {
  return input.replace(/\s+/g, '').toLowerCase();
}

/** `US/ca/losangeles`: the parts given, `*` for a skipped one, for messages. */
export function formatGeo(geo: GeoQuery): string {
  const parts = [
    geo.country?.trim().toUpperCase(),
    geo.state && normalizeGeoPlace(geo.state),
    geo.city && normalizeGeoPlace(geo.city),
  ];
  while (parts.length > 0 && !parts[parts.length - 1]) parts.pop();
  return parts.map((p) => p || '*').join('/');
}

export interface GeoCatalogueOptions {
  /** Product types whose nodes count (default DYNAMIC_PRODUCT_TYPES). */
  readonly productTypes?: readonly number[];
}

/**
 * Countries, states and cities of the enabled exit nodes serving a dynamic product type, read fresh
 * from the node source on every call.
 */
export class GeoCatalogue {
  readonly #productTypes: readonly number[];

  constructor(
    private readonly source: GeoNodeSource,
    options: GeoCatalogueOptions = {},
  ) {
    this.#productTypes = options.productTypes ?? DYNAMIC_PRODUCT_TYPES;
  }

  /** Every served country in ISO code order, with its states and cities. */
  async countries(): Promise<GeoCountry[]> {
    const byCountry = new Map<string, { states: Set<string>; cities: Map<string, { state: string; city: string }> }>();
    for (const node of await this.#served()) {
      let entry = byCountry.get(node.country);
      if (!entry) byCountry.set(node.country, (entry = { states: new Set(), cities: new Map() }));
      if (node.state !== '') entry.states.add(node.state);
      if (node.city !== '') entry.cities.set(`${node.state}\n${node.city}`, { state: node.state, city: node.city });
    }
    const result: GeoCountry[] = [];
    for (const code of [...byCountry.keys()].sort()) {
      const info = countryInfo(code);
      const entry = byCountry.get(code);
      if (!info || !entry) continue; // a node row with a code the data packages no longer know
      result.push({
        ...info,
        states: [...entry.states].sort(),
        cities: [...entry.cities.values()].sort((a, b) => compare(a.state, b.state) || compare(a.city, b.city)),
      });
    }
    return result;
  }

  /**
   * Served states of a country, sorted. Throws TG_ERR_PARAM_INVALID naming `country_code` when the
   * code is not ISO 3166-1 alpha-2; a valid code the pool does not serve gives [].
   */
  async states(countryCode: string): Promise<string[]> {
    const country = checkCountry(countryCode);
    const states = new Set<string>();
    for (const node of await this.#served()) if (node.country === country && node.state !== '') states.add(node.state);
    return [...states].sort();
  }

  /** Served cities of a country's state (any case), sorted; errors as `states`. */
  async cities(countryCode: string, state: string): Promise<string[]> {
    const country = checkCountry(countryCode);
    const wanted = normalizeGeoPlace(state);
    const cities = new Set<string>();
    for (const node of await this.#served()) {
      if (node.country === country && node.state === wanted && node.city !== '') cities.add(node.city);
    }
    return [...cities].sort();
  }

  /**
   * Checks that some enabled node serving the product type (default: any dynamic type) matches every
   * given part, the way the gateway's selection matches (each part only when given; case-insensitive;
   * spaces in state and city ignored, `Los Angeles` = `losangeles`). Returns the normalized location;
   * throws TG_ERR_EXTRACT_GEO_UNKNOWN with `{geo: 'US/ca/losangeles'}` when no node matches, an invalid
   * country code included.
   */
  async resolve(geo: GeoQuery, options: { productType?: number } = {}): Promise<ResolvedGeo> {
    const given = {
      country: present(geo.country)?.trim().toUpperCase(),
      state: mapPresent(geo.state, normalizeGeoPlace),
      city: mapPresent(geo.city, normalizeGeoPlace),
    };
    const unknown = () => new AppError('TG_ERR_EXTRACT_GEO_UNKNOWN', { params: { geo: formatGeo(given) } });
    if (given.country !== undefined && normalizeCountry(given.country) === undefined) throw unknown();
    const nodes = await this.#served(options.productType === undefined ? this.#productTypes : [options.productType]);
    const found = nodes.some(
      (n) =>
        (given.country === undefined || n.country === given.country) &&
        (given.state === undefined || n.state === given.state) &&
        (given.city === undefined || n.city === given.city),
    );
    if (!found) throw unknown();
    return {
      ...(given.country !== undefined ? { country: given.country } : {}),
      ...(given.state !== undefined ? { state: given.state } : {}),
      ...(given.city !== undefined ? { city: given.city } : {}),
    };
  }

  /** Enabled nodes serving one of the types; one read of the source. */
  async #served(types: readonly number[] = this.#productTypes): Promise<GeoNode[]> {
    const nodes = await this.source.list();
    return nodes.filter((n) => n.enabled && n.productTypes.some((t) => types.includes(t)));
  }
}

function checkCountry(code: string): string {
  const country = normalizeCountry(code);
  if (country === undefined) throw invalidParams({ country_code: COUNTRY_RULE });
  return country;
}

/** The value, or undefined when absent or blank. */
function present(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function mapPresent(value: string | undefined, fn: (v: string) => string): string | undefined {
  const v = present(value);
  return v === undefined ? undefined : fn(v);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
