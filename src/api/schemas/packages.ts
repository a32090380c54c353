/** Traffic package routes: the customer's `user-product/*` and the operator's grants. Rules live in packages/. */
import { Type } from '@sinclair/typebox';
import {
  BANDWIDTH_MBPS_MAX,
  CONCURRENCY_MAX,
  LIST_PAGE_SIZE_DEFAULT,
  LIST_PAGE_SIZE_MAX,
  PACKAGE_DAYS_MAX,
  TITLE_MAX,
  TRADE_NO_MAX,
} from '../../packages/index.js';
import { DEFAULT_TYPE, describeTypes, HELD_TYPES, PACKAGE_TYPES, TRAFFIC_PACKAGE_TYPES } from '../../products/index.js';
import { CustomerCommon, Envelope, IdParams, PageNo } from './common.js';

const Time = (description: string) => Type.String({ description, examples: ['2022-05-13 12:14:15'] });

const ListedProductType = Type.Unsafe<number>({
  type: 'integer',
  enum: [...HELD_TYPES],
  description: `Package type: ${describeTypes(HELD_TYPES)}`,
});

const TrafficProductType = Type.Unsafe<number>({
  type: 'integer',
  enum: [...TRAFFIC_PACKAGE_TYPES],
  default: DEFAULT_TYPE,
  description: `Package type, a traffic one: ${describeTypes(TRAFFIC_PACKAGE_TYPES)}`,
});

const GrantProductType = Type.Unsafe<number>({
  type: 'integer',
  enum: [...PACKAGE_TYPES],
  default: DEFAULT_TYPE,
  description: `Package type: ${describeTypes(PACKAGE_TYPES)}`,
});

const Bandwidth = Type.Integer({
  description: 'Time packages (11): Mbit/s for all of the owner’s traffic of the type; 0 otherwise',
});
const Concurrency = Type.Integer({
  description: 'Time packages (11): open connections across the owner’s accounts; 0 otherwise',
});

const TradeNo = Type.String({
  maxLength: TRADE_NO_MAX,
  description: 'The complete order number (exact match, no partial search)',
  examples: ['2022051312134339861461465434'],
});

export const UserProductItem = Type.Object({
  id: Type.Integer({ description: 'Package id' }),
  created_at: Time('Effective from, Y-m-d H:i:s in the platform time zone'),
  expired_at: Time('Expires at; the traffic left cannot be used after it'),
  product_type: Type.Integer({ description: `Package type: ${describeTypes(HELD_TYPES)}` }),
  trade_no: Type.String({ description: 'Order number' }),
  total: Type.Integer({ description: 'Size, KB (extension); 0 for a time package' }),
  used: Type.Integer({ description: 'Used, KB, at most the size (extension)' }),
  bandwidth_mbps: Bandwidth,
  concurrency: Concurrency,
  order: Type.Object({
    created_at: Time('Order created at; empty when unknown'),
    pay_at: Time('Order paid at; empty when unknown'),
    title: Type.String({ description: 'Order description', examples: ['入门级'] }),
  }),
});

export const UserProductList = {
  summary: 'Packages bought or granted',
  tags: ['packages'],
  querystring: Type.Object({
    ...CustomerCommon,
    trade_no: Type.Optional(TradeNo),
    page: PageNo('Page, default 1'),
    size: Type.Integer({
      minimum: 1,
      maximum: LIST_PAGE_SIZE_MAX,
      default: LIST_PAGE_SIZE_DEFAULT,
      description: `Page size, default ${LIST_PAGE_SIZE_DEFAULT}, at most ${LIST_PAGE_SIZE_MAX}`,
    }),
    product_type: Type.Optional(ListedProductType),
  }),
  response: {
    200: Envelope(
      Type.Object({
        list: Type.Array(UserProductItem),
        page: Type.Integer(),
        page_size: Type.Integer(),
        total_count: Type.Integer(),
        total_page: Type.Integer(),
      }),
    ),
  },
};

const Kb = (description: string) => Type.Integer({ description: `${description} (KB)` });
const Count = (description: string) => Type.Integer({ description });

export const UserProductSummary = {
  summary: 'Summary of the packages of one type: total, valid, expiring within 7 days, expired',
  tags: ['packages'],
  querystring: Type.Object({
    ...CustomerCommon,
    product_type: TrafficProductType,
  }),
  response: {
    200: Envelope(
      Type.Object({
        total: Kb('Size of every package'),
        total_count: Count('Packages'),
        effective: Kb('Left in valid packages (started, not expired, not used up)'),
        effective_count: Count('Valid packages'),
        effective_total: Kb('Size of the valid packages'),
        effective_used: Kb('Used of the valid packages'),
        temporary: Kb('Left in valid packages expiring within 7 days'),
        temporary_count: Count('Valid packages expiring within 7 days'),
        expired: Kb('Left unused in expired packages'),
        expired_count: Count('Expired packages'),
        used: Kb('Used of every package'),
      }),
    ),
  },
};

export const AdminPackage = Type.Object({
  id: Type.Integer(),
  user_id: Type.Integer(),
  product_type: Type.Integer(),
  total_bytes: Type.Integer({ description: '0 for a time package' }),
  used_bytes: Type.Integer({ description: 'As stored: may pass total_bytes by the gateway’s last flush' }),
  total: Type.Integer({ description: 'KB' }),
  used: Type.Integer({ description: 'KB' }),
  bandwidth_mbps: Bandwidth,
  concurrency: Concurrency,
  starts_at: Type.String({ format: 'date-time' }),
  expires_at: Type.String({ format: 'date-time' }),
  trade_no: Type.String(),
  title: Type.String(),
  status: Type.Integer({ description: '1 active, 0 withdrawn' }),
  order_created_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  order_pay_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  created_at: Type.String({ format: 'date-time' }),
});

export const AdminGrantPackage = {
  summary: 'Grant a package to a user: traffic (size in gb or kb) or time (bandwidth_mbps and concurrency)',
  tags: ['admin'],
  params: IdParams,
  body: Type.Object({
    product_type: GrantProductType,
    gb: Type.Optional(
      Type.Number({
        minimum: 0.000001,
        maximum: 1_048_576,
        description: 'Size in GB (1 GB = 1024³ bytes); may be fractional, e.g. 0.5',
      }),
    ),
    kb: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 ** 40, description: 'Size in KB (instead of gb)' })),
    bandwidth_mbps: Type.Optional(
      Type.Integer({ minimum: 1, maximum: BANDWIDTH_MBPS_MAX, description: 'Time packages: Mbit/s, both directions together' }),
    ),
    concurrency: Type.Optional(
      Type.Integer({ minimum: 1, maximum: CONCURRENCY_MAX, description: 'Time packages: open connections at once' }),
    ),
    days: Type.Integer({ minimum: 1, maximum: PACKAGE_DAYS_MAX, description: 'Validity from starts_at, days' }),
    title: Type.Optional(Type.String({ maxLength: TITLE_MAX, description: 'Order description; default "Granted by operator"' })),
    trade_no: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: TRADE_NO_MAX,
        pattern: '^[A-Za-z0-9_-]+$',
        description: 'Order number; a 28-digit one is generated when absent. Must not be used by another package',
      }),
    ),
    starts_at: Type.Optional(
      Type.String({
        description: 'Effective from: ISO 8601 (2026-12-01T00:00:00Z) or Y-m-d H:i:s in the platform time zone; default now',
      }),
    ),
  }),
  response: { 200: Envelope(AdminPackage) },
};

export const AdminListPackages = {
  summary: 'A user’s packages, newest first, withdrawn ones included',
  tags: ['admin'],
  params: IdParams,
  querystring: Type.Object({
    page: PageNo(),
    size: Type.Integer({ minimum: 1, maximum: LIST_PAGE_SIZE_MAX, default: LIST_PAGE_SIZE_DEFAULT }),
    product_type: Type.Optional(ListedProductType),
    trade_no: Type.Optional(TradeNo),
  }),
  response: {
    200: Envelope(
      Type.Object({
        list: Type.Array(AdminPackage),
        page: Type.Integer(),
        page_size: Type.Integer(),
        total_count: Type.Integer(),
        total_page: Type.Integer(),
      }),
    ),
  },
};

export const AdminRevokePackage = {
  summary: 'Withdraw a package (status 0): it stops counting at once',
  tags: ['admin'],
  params: IdParams,
  response: { 200: Envelope(AdminPackage) },
};
