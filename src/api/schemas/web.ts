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
  description: 'As auth/login (throttling, code 348). Needs `X-CSRF-Token` = the `tg_csrf` cookie.',
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
  summary: 'Portal sign-up (TOLLGATE_SIGNUP=open), rules of `tollgate users create`',
  tags: ['web'],
  body: Type.Object({
    email: Type.String({ maxLength: 254 }),
    password: Type.String({ maxLength: 256 }),
  }),
  response: { 200: Envelope(WebSessionData) },
};

export const WebUsage = {
  summary: 'Traffic series: 24 hours by hour or 30 days by day (days of `time_zone`)',
  tags: ['web'],
  querystring: Type.Object({
    range: Type.Union([Type.Literal('24h'), Type.Literal('30d')], { default: '30d' }),
    time_zone: Type.Optional(Type.String({ maxLength: 64 })),
    username: Type.Optional(Type.String({ maxLength: 64, description: 'One sub-account only' })),
    team_id: Type.Optional(
      Type.String({
        maxLength: 32,
        description: 'The series of this team’s space (you must be a member); empty or absent: your own',
      }),
    ),
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

const AppKeyLast4 = Type.String({
  description: 'The last 4 characters of the current app_key; empty when it was issued before they were kept',
  examples: ['x9Qa'],
});

export const WebAppKey = {
  summary: 'Your app_key as the portal shows it: its last 4 characters only',
  tags: ['web'],
  response: { 200: Envelope(Type.Object({ app_key_last4: AppKeyLast4 })) },
};

export const WebRotateAppKey = {
  summary: 'Rotate your app_key: a new key, shown in this answer only; the old one stops working at once',
  description:
    'Needs the session’s `X-CSRF-Token`. As `tollgate users rotate-key` and the admin API’s rotate-key, and recorded in the audit log (actor kind `customer`).',
  tags: ['web'],
  response: {
    200: Envelope(
      Type.Object({
        app_key: Type.String({ description: 'The new app_key: shown now and never again' }),
        app_key_last4: AppKeyLast4,
      }),
    ),
  },
};
