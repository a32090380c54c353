/** Route schema of IP extraction (`ip/v3`), as the documents show it. */
import { type Static, Type } from '@sinclair/typebox';
import { CustomerCommon, Envelope, INT_MAX } from './common.js';

const ExtractIpAnswer = Envelope(
  Type.Object({
    list: Type.Array(Type.Array(Type.String({ examples: ['gw.example.com:20001'] })), {
      description: 'One inner list holding every endpoint, as the documents nest it',
    }),
  }),
);

export const ExtractIp = {
  summary: 'Extract proxy endpoints',
  description:
    'Leases `num` ports of the extraction range to the caller for `life` minutes, each bound to the requested ' +
    'location and one exit chosen now. Connections to a leased port are accepted from the caller’s whitelisted IPs ' +
    '(no credentials) or with a product-9 sub-account of the caller, metered to the caller’s type-9 packages. ' +
    '`format=text` answers plain text, one `host:port` per `lb`; errors are always the JSON envelope.',
  tags: ['extraction'],
  querystring: Type.Object({
    ...CustomerCommon,
    cc: Type.Optional(Type.String({ maxLength: 2, description: 'Country, ISO 3166-1 alpha-2 (any case)', examples: ['US'] })),
    state: Type.Optional(Type.String({ maxLength: 64, description: 'State or province, e.g. ca' })),
    city: Type.Optional(Type.String({ maxLength: 64, description: 'City, e.g. losangeles (spaces ignored)' })),
    num: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: INT_MAX,
        description: 'How many endpoints (default 1; at most TOLLGATE_EXTRACT_NUM_MAX, 200)',
      }),
    ),
    life: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: INT_MAX,
        description:
          'Minutes each endpoint keeps its exit (default TOLLGATE_EXTRACT_LIFE_DEFAULT, 10; at most TOLLGATE_EXTRACT_LIFE_MAX, 1440)',
      }),
    ),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('text'), Type.Literal('txt')], { default: 'json' })),
    lb: Type.Optional(
      Type.String({ maxLength: 16, description: 'Separator for text: default \\r\\n; the escapes \\r \\n \\t are understood' }),
    ),
    ep: Type.Optional(Type.String({ maxLength: 32, description: 'Entry region (TOLLGATE_EXTRACT_ENTRIES), e.g. us, hk, de' })),
  }),
  response: {
    // format=text answers plain text (a string); the document shows the JSON form.
    200: Type.Unsafe<Static<typeof ExtractIpAnswer> | string>(ExtractIpAnswer),
  },
};
