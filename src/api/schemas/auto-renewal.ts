/** Route schemas of auto-renewal (`user-product/get-auto-renewal`, `set-auto-renewal`, `auto-renewal-logs`). */
import { Type } from '@sinclair/typebox';
import { CustomerCommon, Envelope, Id, PageNo } from './common.js';

const Setting = Type.Object({
  user_product_id: Type.Integer(),
  status: Type.Integer({ description: '1 on, 0 off' }),
  renew_duration: Type.String({ description: 'Renewals left: `1m` one, `2m` two, `em` every period; empty when off' }),
  product_id: Type.Integer({ description: 'The product each renewal buys again (the package’s order); 0 when none' }),
  product_name: Type.String(),
  amount: Type.Integer({ description: 'Units each renewal buys' }),
  expired_at: Type.String({ description: 'When the package ends, Y-m-d H:i:s' }),
  next_renewal_at: Type.String({ description: 'When the next attempt is due; empty when off' }),
  last_attempt_at: Type.String({ description: 'The last attempt; empty when none' }),
  failures: Type.Integer({ description: 'Failed attempts since the last renewal' }),
});

export const GetAutoRenewal = {
  summary: 'A package’s auto-renewal setting',
  tags: ['packages'],
  body: Type.Object({ ...CustomerCommon, user_product_id: Id('The package (user-product/list id)') }),
  response: { 200: Envelope(Setting) },
};

export const SetAutoRenewal = {
  summary: 'Turn a package’s auto-renewal on or off',
  description:
    'On: from TOLLGATE_AUTO_RENEW_LEAD before the package ends, the same product (units, SKUs) is ordered and paid from the balance (a team’s wallet for a team’s package), the new package starting when this one ends; a failure (short of balance) is logged and retried every TOLLGATE_AUTO_RENEW_RETRY until the package ends. Only packages bought through an order can be renewed (8323).',
  tags: ['packages'],
  body: Type.Object({
    ...CustomerCommon,
    user_product_id: Id('The package (user-product/list id)'),
    status: Type.Union([Type.Literal(0), Type.Literal(1)], { description: '1 on, 0 off' }),
    renew_duration: Type.Optional(
      Type.Union([Type.Literal('1m'), Type.Literal('2m'), Type.Literal('em')], {
        default: 'em',
        description: 'How many renewals: `1m` one, `2m` two, `em` (default) every period until turned off',
      }),
    ),
  }),
  response: { 200: Envelope(Setting) },
};

export const AutoRenewalLogs = {
  summary: 'Auto-renewal attempts, newest first',
  tags: ['packages'],
  body: Type.Object({
    ...CustomerCommon,
    user_product_id: Type.Optional(Id('Only this package’s attempts (renewed from it, or renewing into it)')),
    page: Type.Optional(PageNo()),
    size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Page size, at most 100' })),
  }),
  response: {
    200: Envelope(
      Type.Object({
        list: Type.Array(
          Type.Object({
            id: Type.Integer(),
            user_product_id: Type.Integer({ description: 'The package renewed' }),
            new_user_product_id: Type.Integer({ description: 'The package the renewal bought; 0 when it failed' }),
            status: Type.Integer({ description: '1 renewed, 0 failed' }),
            trade_no: Type.String({ description: 'The renewal order; empty when it failed' }),
            pay_fee: Type.Number({ description: 'Paid from the balance' }),
            code: Type.Integer({ description: 'The failure’s error code; 200 when renewed' }),
            reason: Type.String({ description: 'Why it failed (English); empty when renewed' }),
            created_at: Type.String(),
          }),
        ),
        page: Type.Integer(),
        page_size: Type.Integer(),
        total: Type.Integer(),
      }),
    ),
  },
};
