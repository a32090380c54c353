/**
 * The product registry: the one place that knows each product type the published documents number (order/list
 * `product_type`): its names, whether the platform sells it, what a purchase provisions, whether sub-accounts of
 * it exist, which gateway entry serves them, through which exits, and how their use is limited. Accounts,
 * packages, billing, the pool, the gateway, the API schemas and the CLI read it; none keeps a list of its own.
 *
 * A type is sold only when every step works end to end: buy → provision → (sub-account → traffic through the
 * gateway → usage → limits). The documented types the platform does not serve are here too, unsold, so order
 * listings can name them and the catalogue can refuse them by name.
 *
 * This module imports nothing: it is data and pure functions.
 */

/** What a paid order of the type gives. */
export type Provision =
  /** A traffic package (`unit_bytes` × amount, valid `unit_days`): user_packages with total_bytes. */
  | 'traffic-package'
  /** A time package (valid `unit_days` × amount) with the bandwidth and concurrency of its SKUs. */
  | 'time-package'
  /** Static IPs from the inventory (`region_list`), each valid `unit_days`. */
  | 'static-ip'
  /** More days on static IPs the user holds (`upids`, `renew_duration`). */
  | 'static-renewal'
  /** Money on the balance (`recharge_amount`). */
  | 'balance'
  /** Nothing: the type is not sold. */
  | 'none';

/** How the use of a type's sub-accounts is limited. */
export type UseLimit =
  /** Bytes: the owner's valid traffic packages of the type, and the account's own `limit_flow`. */
  | 'traffic'
  /** Time: while the owner holds a valid time package; its bandwidth and concurrency bound the traffic. */
  | 'time'
  /** The owner's valid static IPs of the type (and the account's own `limit_flow`). */
  | 'static-ip';

/** The gateway entry that serves a type's sub-accounts. */
export type GatewayEntry =
  /** TOLLGATE_PROXY_PORT: username targeting (country, state, city, session) over the exit pool. */
  | 'main'
  /** TOLLGATE_STATIC_PORT: the owner's static IPs. */
  | 'static';

/** Where a type's traffic leaves: exit-pool nodes marked with the type, or the static-IP inventory. */
export type Exits = 'residential-pool' | 'datacenter-pool' | 'static-datacenter' | 'static-residential';

export interface ProductKind {
  readonly type: number;
  readonly name: { readonly zh: string; readonly en: string };
  /** The catalogue may create products of it and customers may order them. */
  readonly sold: boolean;
  readonly provisions: Provision;
  /** Sub-accounts (`whitelist-account/*`) of this type may be created. */
  readonly subAccounts: boolean;
  /** The entry serving its sub-accounts (when it has them). */
  readonly entry: GatewayEntry | undefined;
  /** Where its traffic exits (when it has sub-accounts). */
  readonly exits: Exits | undefined;
  readonly limit: UseLimit | undefined;
  /** `ip/v3` extraction leases are metered to (and need) the owner's packages of this type. */
  readonly extraction: boolean;
}

interface Row {
  readonly zh: string;
  readonly en: string;
  readonly provisions: Provision;
  readonly sub?: { readonly entry: GatewayEntry; readonly exits: Exits; readonly limit: UseLimit };
  readonly extraction?: boolean;
}

const UNSOLD = 'none' as const;

/** The documents' product types, by number (002 order/list, names in Simplified Chinese). */
const ROWS: Readonly<Record<number, Row>> = {
  3: { zh: '余额充值', en: 'Balance top-up', provisions: 'balance' },
  9: {
    zh: '动态住宅流量套餐',
    en: 'Dynamic residential traffic',
    provisions: 'traffic-package',
    sub: { entry: 'main', exits: 'residential-pool', limit: 'traffic' },
    extraction: true,
  },
  11: {
    zh: '动态全球包时套餐',
    en: 'Dynamic residential by time (bandwidth and concurrency)',
    provisions: 'time-package',
    sub: { entry: 'main', exits: 'residential-pool', limit: 'time' },
  },
  12: {
    zh: '长效IDC流量套餐',
    en: 'Long-term IDC (datacenter) traffic',
    provisions: 'traffic-package',
    sub: { entry: 'main', exits: 'datacenter-pool', limit: 'traffic' },
  },
  13: { zh: '住宅静态IP流量套餐', en: 'Static residential IP traffic', provisions: UNSOLD },
  14: {
    zh: '数据中心静态IP套餐',
    en: 'Static datacenter IP',
    provisions: 'static-ip',
    sub: { entry: 'static', exits: 'static-datacenter', limit: 'static-ip' },
  },
  15: { zh: '长效ISP流量套餐', en: 'Long-term ISP traffic', provisions: UNSOLD },
  16: { zh: '静态流量套餐', en: 'Static traffic', provisions: UNSOLD },
  17: { zh: '动态IP数量套餐', en: 'Dynamic IP count', provisions: UNSOLD },
  18: { zh: '网页抓取', en: 'Web scraper', provisions: UNSOLD },
  19: { zh: '静态IP续费', en: 'Static IP renewal', provisions: 'static-renewal' },
  20: { zh: '静态IP更换配额', en: 'Static IP replacement quota', provisions: UNSOLD },
  21: { zh: '静态流量套餐v2', en: 'Static traffic v2', provisions: UNSOLD },
  24: { zh: '静态流量附加包套餐', en: 'Static traffic add-on', provisions: UNSOLD },
  25: {
    zh: '住宅静态IP套餐',
    en: 'Static residential IP',
    provisions: 'static-ip',
    sub: { entry: 'static', exits: 'static-residential', limit: 'static-ip' },
  },
  26: { zh: '补单', en: 'Make-up payment', provisions: 'balance' },
  27: { zh: 'SERP 接口', en: 'SERP API', provisions: UNSOLD },
  28: { zh: '视频', en: 'Video', provisions: UNSOLD },
};

/** Every documented product type, in order. */
export const PRODUCT_KINDS: readonly ProductKind[] = Object.freeze(
  Object.entries(ROWS)
    .map(([type, row]) =>
      Object.freeze({
        type: Number(type),
        name: Object.freeze({ zh: row.zh, en: row.en }),
        sold: row.provisions !== 'none',
        provisions: row.provisions,
        subAccounts: row.sub !== undefined,
        entry: row.sub?.entry,
        exits: row.sub?.exits,
        limit: row.sub?.limit,
        extraction: row.extraction === true,
      }),
    )
    .sort((a, b) => a.type - b.type),
);

const BY_TYPE = new Map(PRODUCT_KINDS.map((k) => [k.type, k]));

/** The registry's entry for a type; undefined for a number the documents do not know. */
export function productKind(type: number): ProductKind | undefined {
  return BY_TYPE.get(type);
}

/** The types matching `pred`, ascending, frozen. */
export function typesWhere(pred: (kind: ProductKind) => boolean): readonly number[] {
  return Object.freeze(PRODUCT_KINDS.filter(pred).map((k) => k.type));
}

/** The type's name in the language asked (numbers the documents do not know are named by their number). */
export function productName(type: number, language: 'zh' | 'en'): string {
  return productKind(type)?.name[language] ?? String(type);
}

/** The type the documents default to where `product_type` is optional (sub-accounts, summaries, exit nodes). */
export const DEFAULT_TYPE = 9;

/** Every documented type (order/list accepts each as a filter). */
export const DOCUMENTED_TYPES = typesWhere(() => true);
/** Types the catalogue may create and customers may order. */
export const SOLD_TYPES = typesWhere((k) => k.sold);
/** Types that may have sub-accounts (and exit nodes marked with them). */
export const SUB_ACCOUNT_TYPES = typesWhere((k) => k.subAccounts);
/** Types whose purchase is a package (user_packages): traffic or time. */
export const PACKAGE_TYPES = typesWhere((k) => k.provisions === 'traffic-package' || k.provisions === 'time-package');
/** Types whose packages hold traffic (bytes), drawn by the meter. */
export const TRAFFIC_PACKAGE_TYPES = typesWhere((k) => k.provisions === 'traffic-package');
/** Types whose packages hold time, with a bandwidth and a concurrency. */
export const TIME_PACKAGE_TYPES = typesWhere((k) => k.provisions === 'time-package');
/** Types whose purchase is static IPs from the inventory (and whose sub-accounts exit through them). */
export const STATIC_IP_TYPES = typesWhere((k) => k.provisions === 'static-ip');
/** Types paid as an amount of money (`recharge_amount`) instead of a unit price. */
export const BALANCE_TYPES = typesWhere((k) => k.provisions === 'balance');
/** Types `user-product/list` filters by: what a customer holds (packages and static IPs). */
export const HELD_TYPES = typesWhere(
  (k) => k.provisions === 'traffic-package' || k.provisions === 'time-package' || k.provisions === 'static-ip',
);
/** Types whose sub-accounts each gateway entry serves. */
export const ENTRY_TYPES: Readonly<Record<GatewayEntry, readonly number[]>> = Object.freeze({
  main: typesWhere((k) => k.entry === 'main'),
  static: typesWhere((k) => k.entry === 'static'),
});
/** Types whose exits are dynamic residential nodes of the pool (what the geo catalogue lists). */
export const RESIDENTIAL_POOL_TYPES = typesWhere((k) => k.exits === 'residential-pool');

/** The balance top-up: the only type the recharge gift tiers apply to (26 makes up a short payment, no gift). */
export const TOP_UP_TYPE = 3;

/** The type `ip/v3` extraction meters to: exactly one. */
export const EXTRACTION_TYPE: number = (() => {
  const types = typesWhere((k) => k.extraction);
  if (types.length !== 1) throw new Error('the product registry must name exactly one extraction type');
  return types[0] as number;
})();

/** The static-IP type of an `isp` flag as the documents use it: 1 residential (25), 0 datacenter (14). */
export function staticTypeOf(residential: boolean): number {
  const exits: Exits = residential ? 'static-residential' : 'static-datacenter';
  const kind = PRODUCT_KINDS.find((k) => k.exits === exits);
  if (!kind) throw new Error(`no product type exits through ${exits}`);
  return kind.type;
}

/** Whether sub-accounts of this type draw bytes from the owner's packages of the type. */
export function drawsTrafficPackages(type: number): boolean {
  const kind = productKind(type);
  return kind?.limit === 'traffic' && kind.provisions === 'traffic-package';
}

/** Whether sub-accounts of this type are limited by the owner's time packages (bandwidth, concurrency). */
export function usesTimePackages(type: number): boolean {
  return productKind(type)?.limit === 'time';
}

/** A short text listing types with their English names: "9 dynamic residential traffic, 12 …". */
export function describeTypes(types: readonly number[]): string {
  return types.map((t) => `${t} ${productName(t, 'en').toLowerCase()}`).join(', ');
}
