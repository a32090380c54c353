/**
 * Route schemas of the newer release's account endpoints (issue 17): quotas (`whitelist-account/quota(s)`,
 * `white-ip/quota(s)`), white IPs by product type (`proxy-ip/*`), package traffic (`user-usage-flow/flow-total`).
 */
import { Type } from '@sinclair/typebox';
import { describeTypes, SUB_ACCOUNT_TYPES, TIME_PACKAGE_TYPES } from '../../products/index.js';
import { CustomerCommon, Envelope, Id, NullData, ProductType, VerifyCodeField, VerifyTypeField } from './common.js';

const QuotaItem = Type.Object({
  product_type: Type.Integer(),
  used: Type.Integer({ description: 'Held of this product type' }),
  allowed: Type.Integer({ description: 'The cap: one per user, shared by every product type' }),
  remaining: Type.Integer({ description: 'What may still be added, of this type or any other (allowed − held of every type)' }),
});

const Quotas = Type.Object({
  allowed: Type.Integer(),
  used: Type.Integer({ description: 'Held of every type together' }),
  remaining: Type.Integer(),
  list: Type.Array(QuotaItem, {
    description: `One entry per product type with sub-accounts: ${describeTypes(SUB_ACCOUNT_TYPES)}`,
  }),
});

function quotaSchemas(what: string, cap: string, tag: string) {
  return {
    one: {
      summary: `The ${what} quota of one product type`,
      description: `How many ${what} the space holds of the type and may hold (${cap}, or the operator's override for the user; one cap shared by every type).`,
      tags: [tag],
      querystring: Type.Object({ ...CustomerCommon, product_type: ProductType({ description: 'Product type (required)' }) }),
      response: { 200: Envelope(QuotaItem) },
    },
    all: {
      summary: `The ${what} quotas of every product type`,
      tags: [tag],
      querystring: Type.Object({ ...CustomerCommon }),
      response: { 200: Envelope(Quotas) },
    },
  };
}

const accountQuotas = quotaSchemas('proxy accounts', 'TOLLGATE_SUB_ACCOUNT_MAX', 'proxy accounts');
export const AccountQuota = accountQuotas.one;
export const AccountQuotas = accountQuotas.all;
const whiteIpQuotas = quotaSchemas('whitelisted IPs', 'TOLLGATE_WHITE_IP_MAX', 'white IPs');
export const WhiteIpQuota = whiteIpQuotas.one;
export const WhiteIpQuotas = whiteIpQuotas.all;

export const ProxyIpItem = Type.Object({
  id: Type.Integer(),
  ip: Type.String({ examples: ['203.0.113.7'] }),
  product_type: Type.Integer(),
  user_product_id: Type.Integer({ description: 'Type 11: the time package it is bound to; 0 otherwise' }),
  remark: Type.String(),
  created_at: Type.String({ examples: ['2022-05-13 12:14:15'] }),
});

export const ProxyIpList = {
  summary: 'List whitelisted IPs (newest first), of one product type when asked',
  tags: ['white IPs'],
  querystring: Type.Object({
    ...CustomerCommon,
    product_type: Type.Optional(ProductType({ description: 'Only addresses whitelisted for this product type' })),
  }),
  response: { 200: Envelope(Type.Object({ list: Type.Array(ProxyIpItem) })) },
};

export const ProxyIpAdd = {
  summary: 'Whitelist client IPs for a product type (batch, all or none)',
  description:
    'The same whitelist as white-ip/*: an address has one owner platform-wide and counts against TOLLGATE_WHITE_IP_MAX.',
  tags: ['white IPs'],
  body: Type.Object({
    ...CustomerCommon,
    ips: Type.String({ description: 'Comma-separated IPv4/IPv6 addresses', examples: ['203.0.113.7,2001:db8::1'] }),
    product_type: ProductType({ description: 'Product type the addresses are for (required)' }),
    user_product_id: Type.Optional(
      Id(`Required for ${describeTypes(TIME_PACKAGE_TYPES)}: one of your valid packages of it (user-product/list id)`),
    ),
    remark: Type.String({ default: '', description: 'At most 32 Chinese or 64 Latin characters' }),
  }),
  response: { 200: Envelope(Type.Object({ list: Type.Array(ProxyIpItem) }), 'Success: data.list the entries added') },
};

export const ProxyIpDelete = {
  summary: 'Remove whitelisted IPs by address (batch, all or none)',
  description:
    'When the caller has a second factor, the call must carry `verify_type` and `verify_code` (a TOTP code, or an email code sent with `purpose: confirm`); code 8321 otherwise.',
  tags: ['white IPs'],
  body: Type.Object({
    ...CustomerCommon,
    ips: Type.String({ description: 'Comma-separated addresses', examples: ['203.0.113.7'] }),
    verify_type: Type.Optional(VerifyTypeField),
    verify_code: Type.Optional(VerifyCodeField),
  }),
  response: { 200: Envelope(NullData) },
};

export const FLOW_UNITS = ['KB', 'MB', 'GB', 'TB', 'PB'] as const;
export type FlowUnit = (typeof FLOW_UNITS)[number];

const Amounts = {
  total: Type.Number({ description: 'Traffic of the valid packages, in `unit`' }),
  used: Type.Number({ description: 'Used of it' }),
  remaining: Type.Number({ description: 'Left of it' }),
};

export const FlowTotal = {
  summary: 'Total and remaining traffic of the valid packages',
  description:
    'Over every valid traffic package (started, not expired, not used up, not withdrawn), in `unit` (1024-based), rounded down to 2 decimals.',
  tags: ['traffic'],
  querystring: Type.Object({
    ...CustomerCommon,
    unit: Type.Optional(
      Type.Union(
        FLOW_UNITS.map((u) => Type.Literal(u)),
        { default: 'KB', description: 'KB (default), MB, GB, TB or PB' },
      ),
    ),
  }),
  response: {
    200: Envelope(
      Type.Object({
        unit: Type.String(),
        ...Amounts,
        list: Type.Array(Type.Object({ product_type: Type.Integer(), package_count: Type.Integer(), ...Amounts })),
      }),
    ),
  },
};
