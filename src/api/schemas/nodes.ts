/** The admin API's exit node routes. Shapes here; the rules (URL forms, country codes) live in pool/. */
import { Type } from '@sinclair/typebox';
import { NODE_KINDS, NODE_URL_MAX, PLACE_MAX, WEIGHT_MAX, WEIGHT_MIN } from '../../pool/index.js';
import { DEFAULT_TYPE, SUB_ACCOUNT_TYPES } from '../../products/index.js';
import { Envelope, IdParams, NullData, ProductType } from './common.js';

export const AdminNode = Type.Object({
  id: Type.Integer(),
  url: Type.String({
    description: 'The node URL with any password masked',
    examples: ['http://alice:***@proxy.example.com:3128'],
  }),
  kind: Type.Union(
    NODE_KINDS.map((k) => Type.Literal(k)),
    { description: 'direct (egress from the gateway host), http or socks5 (chained through an upstream proxy)' },
  ),
  country: Type.String({ description: 'ISO 3166-1 alpha-2, upper case' }),
  state: Type.String({ description: "Lower case; '' when not set" }),
  city: Type.String({ description: "Lower case; '' when not set" }),
  types: Type.Array(Type.Integer(), { description: 'Product types served' }),
  weight: Type.Integer(),
  enabled: Type.Boolean(),
  healthy: Type.Optional(
    Type.Boolean({
      description:
        'Whether the gateway in this process has the node in its selection; absent when it does not hold the node (disabled) or runs no gateway',
    }),
  ),
  created_at: Type.String({ format: 'date-time' }),
});

const Url = Type.String({
  minLength: 1,
  maxLength: NODE_URL_MAX,
  description:
    'direct:// (egress from the gateway host), direct://LOCAL_IP (bound to that source address), http://[user:pass@]host:port or socks5://[user:pass@]host:port (chained through an upstream proxy); percent-encode special characters in credentials',
  examples: ['direct://', 'socks5://user:pass@203.0.113.5:1080'],
});
const Country = Type.String({ maxLength: 8, description: 'ISO 3166-1 alpha-2 code, e.g. US (any case)' });
const Place = Type.String({ maxLength: PLACE_MAX, description: "Letters, digits and _; stored lower case; '' for none" });
const Types = Type.Array(ProductType(), {
  minItems: 1,
  maxItems: SUB_ACCOUNT_TYPES.length,
  description: `Product types the node serves (default [${DEFAULT_TYPE}])`,
});
const Weight = Type.Integer({
  minimum: WEIGHT_MIN,
  maximum: WEIGHT_MAX,
  description: 'Relative share of new connections (default 1)',
});

export const AdminAddNode = {
  summary: 'Add an exit node',
  tags: ['admin'],
  body: Type.Object({
    url: Url,
    country: Country,
    state: Type.Optional(Place),
    city: Type.Optional(Place),
    types: Type.Optional(Types),
    weight: Type.Optional(Weight),
    enabled: Type.Optional(Type.Boolean({ description: 'Default true' })),
  }),
  response: { 200: Envelope(AdminNode) },
};

export const AdminListNodes = {
  summary: 'List exit nodes',
  tags: ['admin'],
  response: { 200: Envelope(Type.Object({ list: Type.Array(AdminNode) })) },
};

export const AdminShowNode = {
  summary: 'Show an exit node',
  tags: ['admin'],
  params: IdParams,
  response: { 200: Envelope(AdminNode) },
};

export const AdminUpdateNode = {
  summary: 'Change an exit node (given fields only)',
  tags: ['admin'],
  params: IdParams,
  body: Type.Object({
    url: Type.Optional(Url),
    country: Type.Optional(Country),
    state: Type.Optional(Place),
    city: Type.Optional(Place),
    types: Type.Optional(Types),
    weight: Type.Optional(Weight),
    enabled: Type.Optional(Type.Boolean()),
  }),
  response: { 200: Envelope(AdminNode) },
};

export const AdminRemoveNode = {
  summary: 'Remove an exit node',
  tags: ['admin'],
  params: IdParams,
  response: { 200: Envelope(NullData) },
};

export const AdminEnableNode = {
  summary: 'Put an exit node back into the selection',
  tags: ['admin'],
  params: IdParams,
  response: { 200: Envelope(AdminNode) },
};

export const AdminDisableNode = {
  summary: 'Take an exit node out of the selection (kept, not removed)',
  tags: ['admin'],
  params: IdParams,
  response: { 200: Envelope(AdminNode) },
};
