import { Type } from '@sinclair/typebox';
import { rules } from '../../accounts/index.js';
import { DEFAULT_TYPE, describeTypes, SUB_ACCOUNT_TYPES } from '../../products/index.js';
import { CustomerCommon, Envelope, INT_MAX, NullData, ProductType, VerifyCodeField, VerifyTypeField } from './common.js';

const AccountName = Type.String({ description: 'Proxy account name: letters and digits only', maxLength: 256 });

export const SubAccountItem = Type.Object({
  id: Type.Integer({ description: 'Account id' }),
  username: Type.String({ description: 'Proxy account name' }),
  password: Type.String({ description: 'Proxy account password' }),
  created_at: Type.String({ description: 'Added at, Y-m-d H:i:s in the platform time zone', examples: ['2022-05-13 12:14:15'] }),
  remark: Type.String(),
  product_type: Type.Integer({ description: `Product type: ${describeTypes(SUB_ACCOUNT_TYPES)}` }),
  usage_flow: Type.Integer({ description: 'Traffic used, KB' }),
  limit_flow: Type.Integer({ description: 'Traffic limit, GB; 0 = unlimited' }),
  status: Type.Integer({ description: '1 enabled, 0 disabled' }),
  daily_limit: Type.Integer({ description: 'Traffic limit per day (TOLLGATE_TZ), GB; 0 = none (newer release)' }),
  udp: Type.Integer({ description: '1: SOCKS5 UDP ASSOCIATE allowed; 0: refused (newer release)' }),
});

export const WhitelistList = {
  summary: 'List proxy accounts',
  tags: ['proxy accounts'],
  querystring: Type.Object({
    ...CustomerCommon,
    product_type: Type.Optional(ProductType()),
    username: Type.Optional(Type.String({ description: 'Only the account with this name (extension)' })),
  }),
  response: { 200: Envelope(Type.Object({ list: Type.Array(SubAccountItem) })) },
};

const BatchNames = Type.String({
  description: 'Comma-separated account names, e.g. user01,user02 (at most TOLLGATE_BATCH_MAX)',
  examples: ['user01,user02'],
});

const writeResponse = { 200: Envelope(NullData) };

export const WhitelistAdd = {
  summary: 'Add proxy accounts (batch, all or none)',
  tags: ['proxy accounts'],
  body: Type.Object({
    ...CustomerCommon,
    accounts: Type.String({
      description: `username:password pairs, comma-separated; letters and digits only (name ${rules.NAME_MIN}-${rules.NAME_MAX}, password ${rules.PASSWORD_MIN}-${rules.PASSWORD_MAX} characters)`,
      examples: ['user01:pass,user02:pass,user03:pass'],
    }),
    remark: Type.String({ default: '', description: 'At most 32 Chinese or 64 Latin characters' }),
    product_type: Type.Optional(ProductType({ default: DEFAULT_TYPE })),
  }),
  response: writeResponse,
};

const batchBody = Type.Object({
  ...CustomerCommon,
  accounts: BatchNames,
  product_type: Type.Optional(
    ProductType({ description: 'Only accounts of this product type (default: all of the user’s accounts with these names)' }),
  ),
});

export const WhitelistDelete = {
  summary: 'Delete proxy accounts (batch)',
  tags: ['proxy accounts'],
  body: batchBody,
  response: writeResponse,
};
export const WhitelistDisable = {
  summary: 'Disable proxy accounts (batch)',
  tags: ['proxy accounts'],
  body: batchBody,
  response: writeResponse,
};
export const WhitelistEnable = {
  summary: 'Enable proxy accounts (batch)',
  tags: ['proxy accounts'],
  body: batchBody,
  response: writeResponse,
};

const single = {
  ...CustomerCommon,
  account: AccountName,
  product_type: Type.Optional(
    ProductType({ description: 'Only the account of this product type (default: every product type)' }),
  ),
};

export const WhitelistChangePassword = {
  summary: 'Change a proxy account’s password',
  tags: ['proxy accounts'],
  body: Type.Object({
    ...single,
    password: Type.String({ description: 'New password: letters and digits only', maxLength: 256 }),
  }),
  response: writeResponse,
};

export const WhitelistChangeRemark = {
  summary: 'Change a proxy account’s remark',
  tags: ['proxy accounts'],
  body: Type.Object({
    ...single,
    remark: Type.String({ default: '', description: 'At most 32 Chinese or 64 Latin characters' }),
  }),
  response: writeResponse,
};

export const WhitelistChangeLimit = {
  summary: 'Change a proxy account’s traffic limit',
  tags: ['proxy accounts'],
  body: Type.Object({
    ...single,
    limit: Type.Integer({ minimum: 0, maximum: rules.LIMIT_MAX_GB, description: 'GB, 0 = unlimited' }),
  }),
  response: writeResponse,
};

export const ProxyAccountChange = {
  summary: 'Change any of a proxy account’s password, remark, limit, daily limit, status and udp at once (newer release)',
  tags: ['proxy accounts'],
  body: Type.Object({
    ...CustomerCommon,
    account: Type.Optional(AccountName),
    username: Type.Optional({ ...AccountName, description: 'Same as account (either names the proxy account)' }),
    product_type: Type.Optional(
      ProductType({ description: 'Only the account of this product type (default: every product type)' }),
    ),
    password: Type.Optional(
      Type.String({
        description: `New password: letters and digits only, ${rules.CHANGE_PASSWORD_MIN}-${rules.CHANGE_PASSWORD_MAX} characters`,
        maxLength: 256,
      }),
    ),
    remark: Type.Optional(Type.String({ description: 'At most 32 Chinese or 64 Latin characters (empty: unchanged)' })),
    limit: Type.Optional(Type.Integer({ minimum: 0, maximum: rules.LIMIT_MAX_GB, description: 'GB, 0 = unlimited' })),
    daily_limit: Type.Optional(
      Type.Integer({ minimum: 0, maximum: rules.LIMIT_MAX_GB, description: 'GB per day in TOLLGATE_TZ, 0 = none' }),
    ),
    status: Type.Optional(Type.Integer({ minimum: 0, maximum: 1, description: '1 enabled, 0 disabled' })),
    udp: Type.Optional(Type.Integer({ minimum: 0, maximum: 1, description: '1: SOCKS5 UDP ASSOCIATE allowed, 0: refused' })),
  }),
  response: writeResponse,
};

export const UserInfoData = Type.Object({
  id: Type.Integer(),
  email: Type.String({ format: 'email' }),
  phone: Type.String(),
  balance: Type.Number({ description: 'Balance in the platform currency' }),
  status: Type.Integer({ description: '1 active, 0 disabled' }),
  is_real_name: Type.Boolean(),
  created_at: Type.String({ format: 'date-time', examples: ['2019-08-24T14:15:22Z'] }),
  openid: Type.String({ description: 'Stable public user id (never a credential)', examples: ['k3v9x0q2m8d1c7b4a6e5f2g1'] }),
  username: Type.String({ description: 'Agent username (sign-in name, /web_v1/user/login type=2); empty when none' }),
  total_recharge_fee: Type.Number({ description: 'Everything recharged (paid top-up orders), platform currency' }),
});

export const UserInfo = {
  summary: 'The calling user',
  tags: ['user'],
  querystring: Type.Object({ ...CustomerCommon }),
  response: { 200: Envelope(UserInfoData) },
};

export const AuthLogin = {
  summary: 'Sign in with email and password; returns a Bearer JWT (extension)',
  description:
    'Wrong passwords are budgeted per email and per client address (TOLLGATE_LOGIN_*): past the budget every attempt, the right password included, answers code 1005 with a Retry-After header until the block ends. An address that signed in to the email before is held to its own budget only. A user with a second factor is answered code 348 (`data.verify_type`): repeat the call with `verify_type` and `verify_code`.',
  tags: ['auth'],
  body: Type.Object({
    email: Type.String({ maxLength: 254 }),
    password: Type.String({ maxLength: 256 }),
    verify_type: Type.Optional(VerifyTypeField),
    verify_code: Type.Optional(VerifyCodeField),
    language: Type.Optional(Type.String()),
  }),
  response: {
    200: Envelope(
      Type.Object({
        token: Type.String({ description: 'Send as Authorization: Bearer <token>' }),
        token_type: Type.Literal('Bearer'),
        expires_in: Type.Integer({ description: 'Seconds' }),
        expired_at: Type.String({ format: 'date-time' }),
      }),
    ),
  },
};

export const UsageFlowTotal = {
  summary: 'Traffic used per day',
  tags: ['traffic'],
  querystring: Type.Object({
    ...CustomerCommon,
    start_time: Type.Optional(
      Type.String({ description: 'Y-m-d H:i:s in the platform time zone; default 7 days before end_time' }),
    ),
    end_time: Type.Optional(Type.String({ description: 'Y-m-d H:i:s in the platform time zone; default now' })),
    username: Type.Optional(
      Type.String({ description: 'Only accounts of this name (every account of that name the user has had)' }),
    ),
    product_type: Type.Optional(Type.Integer({ minimum: 0, maximum: INT_MAX, description: 'Only this product type' })),
  }),
  response: {
    200: Envelope(
      Type.Object({
        list: Type.Array(
          Type.Object({
            day: Type.String({ examples: ['2022-08-01'] }),
            flow: Type.Integer({ description: 'Traffic, KB' }),
          }),
        ),
      }),
    ),
  },
};
