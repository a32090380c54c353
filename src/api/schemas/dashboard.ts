/**
 * The dashboard API under /web_v1 (the newer release's, Bearer tokens): sign-in with a second factor, the
 * caller, one order, paying it from the balance, extraction, and enrolling second factors.
 */
import { Type } from '@sinclair/typebox';
import { Envelope, Id, NullData, VerifyCodeField, VerifyTypeField } from './common.js';
import { UserInfoData } from './customer.js';
import { OrderDetail, TradeNo } from './order.js';

const Language = { language: Type.Optional(Type.String({ description: 'zh (default) or en' })) };

export const DashboardLogin = {
  summary: 'Sign in: email (type=1) or agent username (type=2) and password; answers access_token',
  description:
    'Throttled as auth/login (TOLLGATE_LOGIN_*, code 1005). A user with a second factor is answered code 348 with `data.verify_type` (and, for `email`, a code is mailed): repeat the call with `verify_type` and `verify_code`. Phone sign-in (`phone`, `ted`) is refused with code 1008: phone numbers are unverified contact details here.',
  tags: ['dashboard'],
  body: Type.Object({
    type: Type.Optional(Type.Union([Type.Literal(1), Type.Literal(2)], { description: '1 email, 2 agent username' })),
    email: Type.Optional(Type.String({ maxLength: 254 })),
    username: Type.Optional(Type.String({ maxLength: 64, description: 'Agent username (type=2)' })),
    phone: Type.Optional(Type.String({ maxLength: 32, description: 'Refused (code 1008)' })),
    code: Type.Optional(Type.String({ maxLength: 8, description: 'Country calling code of `phone` (refused with it)' })),
    ted: Type.Optional(Type.Integer({ minimum: 0, maximum: 9, description: 'Phone sign-in marker (refused)' })),
    password: Type.String({ minLength: 1, maxLength: 256 }),
    verify_type: Type.Optional(VerifyTypeField),
    verify_code: Type.Optional(VerifyCodeField),
    remember_me: Type.Optional(Type.Boolean({ description: 'Accepted; tokens last TOLLGATE_JWT_TTL either way' })),
    ...Language,
  }),
  response: {
    200: Envelope(
      Type.Object({
        access_token: Type.String({ description: 'Send as Authorization: Bearer <access_token>' }),
        token_type: Type.Literal('Bearer'),
        expires_in: Type.Integer({ description: 'Seconds' }),
        expired_at: Type.String({ format: 'date-time' }),
      }),
    ),
  },
};

export const DashboardUserInfo = {
  summary: 'The signed-in user, with openid and total_recharge_fee',
  tags: ['dashboard'],
  querystring: Type.Object({ ...Language }),
  response: { 200: Envelope(UserInfoData) },
};

/** An order as the dashboard shows it (directly in `data`): the same shape as the customer API's order/info. */
export const DashboardOrder = OrderDetail;

export const DashboardOrderInfo = {
  summary: 'One of your orders',
  tags: ['dashboard'],
  body: Type.Object({ trade_no: TradeNo, ...Language }),
  response: { 200: Envelope(DashboardOrder) },
};

export const DashboardPay = {
  summary: 'Pay a pending order from the balance (pay_method 7)',
  description:
    'All or nothing: the balance is debited and what the order buys is provisioned in one transaction (code 7007 when the balance is short; the order stays pending). Other pay methods are paid where order/create’s pay_url points.',
  tags: ['dashboard'],
  body: Type.Object({
    trade_no: TradeNo,
    pay_method: Type.Integer({ minimum: 0, maximum: 100, description: '7: the balance (the only one accepted here)' }),
    ...Language,
  }),
  response: { 200: Envelope(DashboardOrder) },
};

const FactorStatus = Type.Object({
  verify_type: Type.Array(Type.String(), { description: 'The factors a sign-in asks for now: totp, email' }),
  totp: Type.Boolean(),
  email: Type.Boolean(),
  email_available: Type.Boolean({ description: 'Whether the platform can mail codes (TOLLGATE_SMTP_URL)' }),
});

export const MfaStatus = {
  summary: 'Your second factors',
  tags: ['dashboard'],
  querystring: Type.Object({ ...Language }),
  response: { 200: Envelope(FactorStatus) },
};

export const MfaTotpSetup = {
  summary: 'Start TOTP enrolment: a new secret for your authenticator app',
  description: 'Confirm with user/mfa/totp/enable and a code from the app; until then sign-in is unchanged.',
  tags: ['dashboard'],
  body: Type.Object({ ...Language }),
  response: {
    200: Envelope(
      Type.Object({
        secret: Type.String({ description: 'Base32 secret (shown only now)' }),
        otpauth_url: Type.String({ description: 'otpauth://totp/… for a QR code' }),
      }),
    ),
  },
};

const CodeBody = Type.Object({ verify_code: VerifyCodeField, ...Language });

export const MfaTotpEnable = {
  summary: 'Turn TOTP on with a code from the app',
  tags: ['dashboard'],
  body: CodeBody,
  response: { 200: Envelope(FactorStatus) },
};

export const MfaEmailSend = {
  summary: 'Mail yourself a code: to turn email codes on (enrol) or to confirm an operation (confirm)',
  description:
    'One per purpose per minute (code 1013 sooner); codes are valid 10 minutes, once. Needs TOLLGATE_SMTP_URL (code 1010).',
  tags: ['dashboard'],
  body: Type.Object({
    purpose: Type.Union([Type.Literal('enrol'), Type.Literal('confirm')], { default: 'enrol' }),
    ...Language,
  }),
  response: {
    200: Envelope(
      Type.Object({
        email: Type.String({ description: 'Where it went, masked' }),
        expires_in: Type.Integer({ description: 'Seconds the code is valid' }),
      }),
    ),
  },
};

export const MfaEmailEnable = {
  summary: 'Turn email codes on with a code mailed for enrol',
  tags: ['dashboard'],
  body: CodeBody,
  response: { 200: Envelope(FactorStatus) },
};

export const MfaDisable = {
  summary: 'Turn a second factor off, proven by a code of it',
  description: 'TOTP: a current code from the app. Email: a code mailed with purpose confirm.',
  tags: ['dashboard'],
  body: Type.Object({ verify_type: VerifyTypeField, verify_code: VerifyCodeField, ...Language }),
  response: { 200: Envelope(FactorStatus) },
};

export { Id, NullData };
