/** The portal's own routes (/web): sessions, sign-up, and usage series for its chart. */
import { Type } from '@sinclair/typebox';
import { Envelope, NullData, VerifyCodeField, VerifyTypeField } from './common.js';

export const WebSessionData = Type.Object({
  signed_in: Type.Boolean(),
  email: Type.String({ description: 'The signed-in user’s email; empty when signed out' }),
  user_id: Type.Integer({ description: '0 when signed out' }),
  signup_open: Type.Boolean({ description: 'TOLLGATE_SIGNUP=open: the sign-up page creates accounts' }),
  prefixes: Type.Array(Type.String(), { description: 'The brand prefixes the customer API answers under' }),
  proxy_host: Type.String({ description: 'The proxy entry customers connect to (HTTP and SOCKS5)' }),
  proxy_port: Type.Integer(),
  time_zone: Type.String({ description: 'The platform time zone (TOLLGATE_TZ)' }),
  client_ip: Type.String({ description: 'The address this request came from (for "add my current address")' }),
});

export const GetWebSession = {
  summary: 'The portal session: who is signed in, and what the portal needs to know about the platform',
  description: 'Also gives a browser without a session its CSRF cookie (`tg_csrf`), which sign-in and sign-up check.',
  tags: ['web'],
  response: { 200: Envelope(WebSessionData) },
};

export const SignInBody = Type.Object({
  email: Type.String({ maxLength: 254 }),
  password: Type.String({ maxLength: 256 }),
  verify_type: Type.Optional(VerifyTypeField),
  verify_code: Type.Optional(VerifyCodeField),
});

export const PostWebSession = {
  summary: 'Portal sign-in: sets the httpOnly, SameSite=Strict session cookie',
  description:
    'Throttled as auth/login (TOLLGATE_LOGIN_*). A user with a second factor is answered code 348 with `data.verify_type`; repeat with `verify_type` and `verify_code`. Needs `X-CSRF-Token` equal to the `tg_csrf` cookie (from GET /web/session).',
  tags: ['web'],
  body: SignInBody,
  response: { 200: Envelope(WebSessionData) },
};

export const EndWebSession = {
  summary: 'Portal sign-out: ends the session and clears its cookies',
  tags: ['web'],
  response: { 200: Envelope(NullData) },
};

export const SignUp = {
  summary: 'Portal sign-up (TOLLGATE_SIGNUP=open), with the rules of `tollgate users create`; signs the new user in',
  tags: ['web'],
  body: Type.Object({
    email: Type.String({ maxLength: 254 }),
    password: Type.String({ maxLength: 256 }),
  }),
  response: { 200: Envelope(WebSessionData) },
};

export const WebUsage = {
  summary: 'Traffic of the signed-in user as a chart series: the last 24 hours by hour, or the last 30 days by day',
  description: 'Days are the days of `time_zone` (the customer’s, an IANA name; default the platform’s).',
  tags: ['web'],
  querystring: Type.Object({
    range: Type.Union([Type.Literal('24h'), Type.Literal('30d')], { default: '30d' }),
    time_zone: Type.Optional(Type.String({ maxLength: 64 })),
    username: Type.Optional(Type.String({ maxLength: 64, description: 'One sub-account only' })),
  }),
  response: {
    200: Envelope(
      Type.Object({
        points: Type.Array(
          Type.Object({
            t: Type.Integer({ description: 'Start of the hour or day, Unix seconds' }),
            bytes: Type.Integer(),
          }),
        ),
        total_bytes: Type.Integer(),
      }),
    ),
  },
};

export const WebProducts = {
  summary: 'The product catalogue as customers see it: enabled products that can be ordered (order/create’s `pid`)',
  tags: ['web'],
  response: {
    200: Envelope(
      Type.Object({
        list: Type.Array(
          Type.Object({
            id: Type.Integer(),
            title: Type.String(),
            description: Type.String(),
            product_type: Type.Integer(),
            price: Type.Number({ description: 'Price of one unit, platform currency' }),
            unit_bytes: Type.Integer({ description: 'Traffic one unit gives (traffic packages), bytes' }),
            unit_days: Type.Integer({ description: 'Days one unit lasts' }),
            skus: Type.Array(
              Type.Object({
                id: Type.Integer(),
                kind: Type.String(),
                title: Type.String(),
                value: Type.Integer(),
                price: Type.Number(),
              }),
            ),
          }),
        ),
      }),
    ),
  },
};
