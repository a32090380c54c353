/** Static IP routes: the customer's `static-ip-region` and `ip/get-static-ip`, and the operator's inventory. */
import { Type } from '@sinclair/typebox';
import { NODE_URL_MAX, PLACE_MAX } from '../../pool/index.js';
import { describeTypes, STATIC_IP_TYPES } from '../../products/index.js';
import {
  ALLOCATE_COUNT_MAX,
  ASN_MAX,
  DAYS_MAX,
  type StaticIpProductType,
  type StaticIpStatus,
  TRADE_NO_MAX,
} from '../../static-ips/index.js';
import { CustomerCommon, Envelope, IdParams, NullData, PageNo } from './common.js';

/** A static-IP product type (14 or 25). */
function StaticProductType(options: { description?: string } = {}) {
  return Type.Unsafe<StaticIpProductType>({
    type: 'integer',
    enum: [...STATIC_IP_TYPES],
    description: `Product type: ${describeTypes(STATIC_IP_TYPES)}`,
    ...options,
  });
}

const Times = { description: 'Y-m-d H:i:s in the platform time zone', examples: ['2022-05-13 12:14:15'] };

export const StaticIpRegion = {
  summary: 'Static IPs on sale per country',
  description:
    'Unallocated static IPs (not in maintenance) per country; countries with none left are not listed. `isp` 1 (the default) counts static residential IPs (product type 25), 0 static datacenter IPs (14). The newer release’s flags: `asn: 1` counts per country and autonomous system (each item then has `asn`, 0 for IPs whose ASN the operator has not recorded); `exclusive: 1` counts only IPs no customer has ever held (allocation hands those out first).',
  tags: ['static IPs'],
  querystring: Type.Object({
    ...CustomerCommon,
    isp: Type.Optional(
      Type.Unsafe<0 | 1>({
        type: 'integer',
        enum: [0, 1],
        default: 1,
        description: 'IP type: 1 static residential (default), 0 static datacenter',
      }),
    ),
    asn: Type.Optional(
      Type.Unsafe<0 | 1>({
        type: 'integer',
        enum: [0, 1],
        description: '1: one item per country and autonomous system, each with `asn`; 0 (the default): per country',
      }),
    ),
    exclusive: Type.Optional(
      Type.Unsafe<0 | 1>({
        type: 'integer',
        enum: [0, 1],
        description: '1: only IPs no customer has ever held; 0 (the default): every free IP',
      }),
    ),
  }),
  response: {
    200: Envelope(
      Type.Object({
        list: Type.Array(
          Type.Object({
            code: Type.String({ description: 'ISO 3166-1 alpha-2 country code', examples: ['US'] }),
            asn: Type.Optional(
              Type.Integer({ description: 'With `asn: 1`: the autonomous system; 0 = not recorded', examples: [7922] }),
            ),
            number: Type.Integer({ description: 'Static IPs available', examples: [55] }),
          }),
        ),
      }),
    ),
  },
};

export const CustomerStaticIpItem = Type.Object({
  id: Type.Integer({ description: 'The allocation id (renewals name it in `upids`)' }),
  ip: Type.String(),
  port: Type.Integer(),
  country_code: Type.String({ description: 'ISO 3166-1 alpha-2' }),
  product_type: Type.Integer({ description: '25 static residential IP, 14 static datacenter IP' }),
  asn: Type.Integer({ description: 'The autonomous system announcing the IP; 0 = not recorded' }),
  trade_no: Type.String({ description: "The order that bought it; '' when granted by the operator" }),
  status: Type.Integer({ description: '1 valid, 2 invalid (expired or released), 3 expiring within 3 days, 4 in maintenance' }),
  created_at: Type.String(Times),
  expired_at: Type.String(Times),
});

export const GetStaticIp = {
  summary: 'The static IPs the user has bought',
  description:
    'Every allocation the user has had, current and past, oldest first. `status` of an item: 2 once expired or released, else 4 while the IP is in maintenance, 3 within 3 days of expiry, 1 otherwise; the `status` filter selects by the same rule.',
  tags: ['static IPs'],
  querystring: Type.Object({
    ...CustomerCommon,
    country_code: Type.Optional(Type.String({ maxLength: 8, description: 'Country or region code, e.g. US' })),
    product_type: Type.Optional(StaticProductType()),
    trade_no: Type.Optional(Type.String({ maxLength: TRADE_NO_MAX, description: 'Only IPs of this order (exact)' })),
    page: PageNo(),
    size: Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Items per page, at most 100 (default 20)' }),
    status: Type.Optional(
      Type.Unsafe<StaticIpStatus>({
        type: 'integer',
        enum: [1, 2, 3, 4],
        description: '1 valid, 2 invalid, 3 expiring within 3 days, 4 in maintenance',
      }),
    ),
  }),
  response: {
    200: Envelope(
      Type.Object({
        list: Type.Array(CustomerStaticIpItem),
        page: Type.Integer(),
        page_size: Type.Integer(),
        total_count: Type.Integer(),
        total_page: Type.Integer(),
      }),
    ),
  },
};

// Admin

const IsoTime = Type.String({ format: 'date-time' });

export const AdminStaticIp = Type.Object({
  id: Type.Integer(),
  ip: Type.String(),
  port: Type.Integer(),
  country: Type.String({ description: 'ISO 3166-1 alpha-2, upper case' }),
  state: Type.String({ description: "Lower case; '' when not set" }),
  city: Type.String({ description: "Lower case; '' when not set" }),
  product_type: Type.Integer({ description: '14 static datacenter, 25 static residential' }),
  url: Type.String({ description: 'The exit URL, any password masked', examples: ['direct://203.0.113.10'] }),
  maintenance: Type.Boolean(),
  asn: Type.Integer({ description: 'The autonomous system announcing it; 0 = not recorded' }),
  created_at: IsoTime,
  allocation: Type.Union(
    [
      Type.Object({
        id: Type.Integer(),
        user_id: Type.Integer(),
        trade_no: Type.String(),
        created_at: IsoTime,
        expired_at: IsoTime,
      }),
      Type.Null(),
    ],
    { description: 'The allocation holding the IP now, or null when it is free' },
  ),
});

export const AdminAllocation = Type.Object({
  id: Type.Integer({ description: 'Allocation id' }),
  static_ip_id: Type.Integer(),
  user_id: Type.Integer(),
  ip: Type.String(),
  port: Type.Integer(),
  country: Type.String(),
  product_type: Type.Integer(),
  asn: Type.Integer({ description: '0 = not recorded' }),
  trade_no: Type.String(),
  created_at: IsoTime,
  expired_at: IsoTime,
  released_at: Type.Union([IsoTime, Type.Null()]),
});

const Country = Type.String({ maxLength: 8, description: 'ISO 3166-1 alpha-2 code, e.g. US (any case)' });
const Place = Type.String({ maxLength: PLACE_MAX, description: "Letters, digits and _; stored lower case; '' for none" });
const Asn = Type.Integer({
  minimum: 0,
  maximum: ASN_MAX,
  description: 'The autonomous system announcing the IP (AS number; 0: not recorded; 23456 and 65535 are refused)',
  examples: [7922],
});

export const AdminAddStaticIp = {
  summary: 'Add a static IP to the inventory',
  tags: ['admin'],
  body: Type.Object({
    ip: Type.String({ maxLength: 45, description: 'The IPv4 or IPv6 address customers are sold' }),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    country: Country,
    state: Type.Optional(Place),
    city: Type.Optional(Place),
    product_type: StaticProductType(),
    asn: Type.Optional(Asn),
    url: Type.Optional(
      Type.String({
        maxLength: NODE_URL_MAX,
        description:
          'Where its traffic leaves: default direct://IP (egress bound to that local address); or http://[user:pass@]host:port / socks5://[user:pass@]host:port',
      }),
    ),
  }),
  response: { 200: Envelope(AdminStaticIp) },
};

export const AdminListStaticIps = {
  summary: 'List the static IP inventory with who holds each',
  tags: ['admin'],
  querystring: Type.Object({
    country: Type.Optional(Country),
    product_type: Type.Optional(StaticProductType()),
    asn: Type.Optional(Asn),
  }),
  response: { 200: Envelope(Type.Object({ list: Type.Array(AdminStaticIp) })) },
};

export const AdminRemoveStaticIp = {
  summary: 'Remove a static IP (refused while allocated)',
  tags: ['admin'],
  params: IdParams,
  response: { 200: Envelope(NullData) },
};

export const AdminUpdateStaticIp = {
  summary: 'Put a static IP in or out of maintenance, or record its ASN',
  description:
    'In maintenance an IP is not allocated and the gateway does not route through it; its holder keeps the allocation. `asn` is what `static-ip-region` with `asn: 1` groups by. Give either or both.',
  tags: ['admin'],
  params: IdParams,
  body: Type.Object({ maintenance: Type.Optional(Type.Boolean()), asn: Type.Optional(Asn) }, { minProperties: 1 }),
  response: { 200: Envelope(AdminStaticIp) },
};

export const AdminAllocateStaticIps = {
  summary: 'Give a user static IPs (all or none)',
  tags: ['admin'],
  params: IdParams,
  body: Type.Object({
    country: Country,
    product_type: StaticProductType(),
    count: Type.Integer({ minimum: 1, maximum: ALLOCATE_COUNT_MAX }),
    days: Type.Integer({ minimum: 1, maximum: DAYS_MAX }),
    trade_no: Type.Optional(Type.String({ maxLength: TRADE_NO_MAX })),
  }),
  response: { 200: Envelope(Type.Object({ list: Type.Array(AdminAllocation) })) },
};

export const AdminRenewAllocation = {
  summary: 'Extend a static IP allocation by `days` (from its expiry, or from now when it has expired and the IP is free)',
  tags: ['admin'],
  params: IdParams,
  body: Type.Object({ days: Type.Integer({ minimum: 1, maximum: DAYS_MAX, description: 'Days to add' }) }),
  response: { 200: Envelope(AdminAllocation) },
};

export const AdminReleaseAllocation = {
  summary: 'End a static IP allocation now (the IP is free again)',
  tags: ['admin'],
  params: IdParams,
  response: { 200: Envelope(AdminAllocation) },
};
