/** Route schemas of the whitelisted-IP endpoints (`white-ip/*`, the documents' WhiteIp object). */
import { Type } from '@sinclair/typebox';
import { CustomerCommon, Envelope, NullData } from './common.js';

export const WhiteIpItem = Type.Object({
  id: Type.Integer({ description: 'Entry id (for white-ip/delete)' }),
  ip: Type.String({
    description: 'IPv4, or IPv6 in RFC 5952 short form; IPv4-mapped IPv6 is stored as IPv4',
    examples: ['203.0.113.7', '2001:db8::1'],
  }),
  remark: Type.String(),
  created_at: Type.String({ description: 'Added at, Y-m-d H:i:s in the platform time zone', examples: ['2022-05-13 12:14:15'] }),
});

const list = Type.Object({ list: Type.Array(WhiteIpItem) });

export const WhiteIpList = {
  summary: 'List whitelisted IPs (newest first)',
  tags: ['white IPs'],
  querystring: Type.Object({ ...CustomerCommon }),
  response: { 200: Envelope(list) },
};

export const WhiteIpAdd = {
  summary: 'Whitelist client IPs (batch, all or none)',
  tags: ['white IPs'],
  body: Type.Object({
    ...CustomerCommon,
    ips: Type.String({
      description:
        'Comma-separated IPv4/IPv6 addresses (no ranges or hostnames); at most TOLLGATE_WHITE_IP_MAX per user; an address has one owner platform-wide',
      examples: ['203.0.113.7,2001:db8::1'],
    }),
    remark: Type.String({
      default: '',
      description: 'At most 32 Chinese or 64 Latin characters; applies to every address added',
    }),
  }),
  response: { 200: Envelope(list, 'Success: code 200, data.list the entries added') },
};

export const WhiteIpDelete = {
  summary: 'Remove whitelisted IPs by id and/or address (batch, all or none)',
  tags: ['white IPs'],
  body: Type.Object({
    ...CustomerCommon,
    ids: Type.Optional(Type.String({ description: 'Comma-separated entry ids', examples: ['1,2'] })),
    ips: Type.Optional(Type.String({ description: 'Comma-separated addresses', examples: ['203.0.113.7'] })),
  }),
  response: { 200: Envelope(NullData) },
};
