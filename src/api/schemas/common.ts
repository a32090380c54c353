/**
 * Schema building blocks shared by every route. Route schemas are the single
 * source for validation, handler types and the OpenAPI document.
 */
import { type TSchema, Type } from '@sinclair/typebox';
import { describeTypes, SUB_ACCOUNT_TYPES } from '../../products/index.js';

/** `{code, msg, message, data}` around `data`. */
export function Envelope<T extends TSchema>(data: T, description = 'Success: code 200') {
  return Type.Object(
    {
      code: Type.Integer({ description: '200 on success; see the error catalogue for the rest', examples: [200] }),
      msg: Type.String({ description: 'Message (Simplified Chinese by default, English on request)' }),
      message: Type.String({ description: 'Same text as msg' }),
      data,
    },
    { description },
  );
}

export const NullData = Type.Null();

/**
 * Bounds of the integers a request may carry. Every integer and number of a request schema has a maximum (and
 * a minimum) that is a safe integer, so a 20-digit page number or `Infinity` is refused by validation instead
 * of overflowing an offset or a column further in. Ids fit a 32-bit integer column; pages stop at a million.
 */
export const INT_MAX = 2_147_483_647;
export const PAGE_MAX = 1_000_000;
/** Money in the platform currency, whole units: 13 digits, as recharge_amount's pattern. */
export const MONEY_MAX = 9_999_999_999_999;

/** A row id (≥ 1). */
export function Id(description?: string) {
  return Type.Integer({ minimum: 1, maximum: INT_MAX, ...(description ? { description } : {}) });
}

/** `{id}` in a path. */
export const IdParams = Type.Object({ id: Id() });

/** A page number from 1, default 1. */
export function PageNo(description = 'Page, from 1 (default 1)') {
  return Type.Integer({ minimum: 1, maximum: PAGE_MAX, default: 1, description });
}

/** The error envelope (any code other than 200). */
export const ErrorEnvelope = Type.Object(
  {
    code: Type.Integer({ description: 'Error code from the catalogue', examples: [3, 400] }),
    msg: Type.String(),
    message: Type.String(),
    data: Type.Unknown({ description: 'Detail, e.g. the offending account names' }),
    errors: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Per-field reasons (code 400)' })),
  },
  { description: 'Error' },
);

/** A sub-account product type: one the product registry gives sub-accounts. */
export function ProductType(options: { default?: number; description?: string } = {}) {
  return Type.Unsafe<number>({
    type: 'integer',
    enum: [...SUB_ACCOUNT_TYPES],
    description: `Product type: ${describeTypes(SUB_ACCOUNT_TYPES)}`,
    ...options,
  });
}

export const AppKeyField = Type.String({ description: 'Auth key; may also be sent in the query string' });

export const LanguageField = Type.String({ description: 'Message language: zh (default) or en' });

/** Fields every customer request may carry: credentials and language. */
export const CustomerCommon = {
  app_key: Type.Optional(AppKeyField),
  language: Type.Optional(LanguageField),
};

/** A second factor's type, as the newer release's clients send it (only `totp` and `email` exist here). */
export const VerifyTypeField = Type.Union(
  [Type.Literal('totp'), Type.Literal('email'), Type.Literal('phone'), Type.Literal('wechat')],
  { description: 'Second factor: totp or email (phone and wechat are refused with code 1007)' },
);

export const VerifyCodeField = Type.String({ maxLength: 16, description: 'The 6-digit code of that factor' });
