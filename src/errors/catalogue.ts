/**
 * The error catalogue: every error a client can see, with its stable key, the
 * numeric `code` of the customer API envelope, the HTTP status used by the
 * admin API (the customer API always answers HTTP 200, as its documents say),
 * and its message in Simplified Chinese and English. `{name}` placeholders are
 * filled from the error's params.
 *
 * Codes are stable: never change or reuse one. Retired codes go to RETIRED_CODES.
 * Ranges: 3 and 156 come from the published documents; 400-500 mirror HTTP;
 * 1xxx authentication, 2xxx sub-accounts, 3xxx users.
 */
export interface ErrorDefinition {
  readonly code: number;
  readonly httpStatus: number;
  readonly zh: string;
  readonly en: string;
}

export const ERRORS = {
  TG_ERR_AUTH_APP_KEY_INVALID: {
    code: 3,
    httpStatus: 401,
    zh: 'app_key 无效',
    en: 'Invalid or missing app_key',
  },
  TG_ERR_AUTH_REAL_NAME_REQUIRED: {
    code: 156,
    httpStatus: 403,
    zh: '账户未实名认证',
    en: 'Real-name verification is required for this operation',
  },
  TG_ERR_PARAM_INVALID: {
    code: 400,
    httpStatus: 400,
    zh: '参数错误',
    en: 'Invalid parameters',
  },
  TG_ERR_ROUTE_NOT_FOUND: {
    code: 404,
    httpStatus: 404,
    zh: '接口不存在',
    en: 'No such endpoint',
  },
  TG_ERR_BODY_TOO_LARGE: {
    code: 413,
    httpStatus: 413,
    zh: '请求体过大,最大 {limit} 字节',
    en: 'Request body too large; the limit is {limit} bytes',
  },
  TG_ERR_UNSUPPORTED_MEDIA_TYPE: {
    code: 415,
    httpStatus: 415,
    zh: '不支持的请求体类型,请使用 JSON 或表单',
    en: 'Unsupported body type; send JSON or a form',
  },
  TG_ERR_RATE_LIMITED: {
    code: 429,
    httpStatus: 429,
    zh: '请求过于频繁,请 {after} 后重试',
    en: 'Too many requests; retry in {after}',
  },
  TG_ERR_INTERNAL: {
    code: 500,
    httpStatus: 500,
    zh: '服务器内部错误',
    en: 'Internal server error',
  },
  TG_ERR_AUTH_LOGIN_FAILED: {
    code: 1001,
    httpStatus: 401,
    zh: '邮箱或密码错误',
    en: 'Wrong email or password',
  },
  TG_ERR_AUTH_USER_DISABLED: {
    code: 1002,
    httpStatus: 403,
    zh: '账户已被停用',
    en: 'This user is disabled',
  },
  TG_ERR_AUTH_TOKEN_INVALID: {
    code: 1003,
    httpStatus: 401,
    zh: '登录令牌无效或已过期',
    en: 'Bearer token invalid or expired',
  },
  TG_ERR_AUTH_ADMIN_TOKEN_INVALID: {
    code: 1004,
    httpStatus: 401,
    zh: '管理令牌无效',
    en: 'Invalid or missing admin token',
  },
  TG_ERR_ACCOUNT_NOT_FOUND: {
    code: 2001,
    httpStatus: 404,
    zh: '代理账户不存在:{names}',
    en: 'No such proxy account: {names}',
  },
  TG_ERR_ACCOUNT_NAME_TAKEN: {
    code: 2002,
    httpStatus: 409,
    zh: '代理账户名已被使用:{names}',
    en: 'Proxy account name already taken: {names}',
  },
  TG_ERR_ACCOUNT_BATCH_TOO_LARGE: {
    code: 2003,
    httpStatus: 400,
    zh: '单次最多操作 {max} 个代理账户,本次 {count} 个',
    en: 'At most {max} proxy accounts per request; got {count}',
  },
  TG_ERR_USER_NOT_FOUND: {
    code: 3001,
    httpStatus: 404,
    zh: '用户不存在',
    en: 'No such user',
  },
  TG_ERR_USER_EMAIL_TAKEN: {
    code: 3002,
    httpStatus: 409,
    zh: '邮箱已被使用:{email}',
    en: 'Email already in use: {email}',
  },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorKey = keyof typeof ERRORS;

/** Codes once used and retired; never reuse them. */
export const RETIRED_CODES: readonly number[] = [];

/** The success envelope's code and message. */
export const SUCCESS = { code: 200, zh: '操作成功', en: 'Success' } as const;
