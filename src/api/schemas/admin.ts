import { type TSchema, Type } from '@sinclair/typebox';
import { LIMITS, type LimitName } from '../../accounts/index.js';
import { Envelope, IdParams, NullData, PageNo } from './common.js';

export const AdminUser = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  phone: Type.String(),
  balance: Type.Number({ description: 'Read-only here; billing changes it' }),
  status: Type.Integer({ description: '1 active, 0 disabled' }),
  is_real_name: Type.Boolean(),
  created_at: Type.String({ format: 'date-time' }),
  openid: Type.String({ description: 'Stable public id' }),
  username: Type.String({ description: 'Agent username (sign-in name); empty when none' }),
  kind: Type.Unsafe<'person' | 'team'>({
    type: 'string',
    enum: ['person', 'team'],
    description: 'team: a team’s space (it never signs in; change it through the team)',
  }),
});

const Email = Type.String({ format: 'email', maxLength: 254 });
const Password = Type.String({ minLength: 8, maxLength: 256, description: 'At least 8 characters' });
const Phone = Type.String({ maxLength: 32, pattern: '^[0-9+()\\- ]*$' });
const Status = Type.Union([Type.Literal(0), Type.Literal(1)], { description: '1 active, 0 disabled' });

export const AdminCreateUser = {
  summary: 'Create a user; the app_key is shown once',
  tags: ['admin'],
  body: Type.Object({
    email: Email,
    password: Type.Optional(Password),
    phone: Type.Optional(Phone),
    status: Type.Optional(Status),
    is_real_name: Type.Optional(Type.Boolean()),
  }),
  response: { 200: Envelope(Type.Object({ user: AdminUser, app_key: Type.String({ description: 'Shown only now' }) })) },
};

export const AdminListUsers = {
  summary: 'List users',
  tags: ['admin'],
  querystring: Type.Object({
    page: PageNo(),
    size: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    email: Type.Optional(Type.String({ description: 'Exact email' })),
    q: Type.Optional(Type.String({ maxLength: 254, description: 'Search: part of the email, username or phone, or the id' })),
  }),
  response: {
    200: Envelope(
      Type.Object({
        list: Type.Array(AdminUser),
        page: Type.Integer(),
        page_size: Type.Integer(),
        total_count: Type.Integer(),
        total_page: Type.Integer(),
      }),
    ),
  },
};

export const AdminShowUser = {
  summary: 'Show a user',
  tags: ['admin'],
  params: IdParams,
  response: { 200: Envelope(AdminUser) },
};

export const AdminUpdateUser = {
  summary: 'Update a user (balance is read-only here)',
  tags: ['admin'],
  params: IdParams,
  body: Type.Object({
    email: Type.Optional(Email),
    phone: Type.Optional(Phone),
    password: Type.Optional(Password),
    status: Type.Optional(Status),
    is_real_name: Type.Optional(Type.Boolean()),
    username: Type.Optional(
      Type.Union([Type.String({ maxLength: 32 }), Type.Null()], {
        description: 'Agent username: 3-32 of a-z 0-9 _ . -, a letter first (case-insensitive); null removes it',
      }),
    ),
  }),
  response: { 200: Envelope(AdminUser) },
};

export const AdminResetMfa = {
  summary: 'Turn every second factor of a user off (a lost authenticator)',
  tags: ['admin'],
  params: IdParams,
  response: { 200: Envelope(NullData) },
};

export const AdminRotateKey = {
  summary: 'Issue a new app_key (the old one stops working at once); shown once',
  tags: ['admin'],
  params: IdParams,
  response: { 200: Envelope(Type.Object({ app_key: Type.String() })) },
};

const limitFields = <T extends TSchema>(field: (max: number, name: string) => T) =>
  Object.fromEntries(LIMITS.map((l) => [l.name, field(l.max, l.name)])) as Record<LimitName, T>;

const LimitValues = Type.Object(limitFields(() => Type.Integer({ minimum: 0 })));

export const AdminUserLimits = Type.Object({
  user_id: Type.Integer(),
  limits: Type.Object(
    limitFields(() => Type.Integer({ minimum: 0 })),
    { description: 'What applies to the user now' },
  ),
  overrides: Type.Object(
    limitFields(() => Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
    {
      description: 'The operator’s overrides; null where the platform default applies',
    },
  ),
  defaults: LimitValues,
});

export const AdminShowUserLimits = {
  summary: 'Show a user’s fair-share caps: effective, overridden, defaults',
  tags: ['admin'],
  params: IdParams,
  response: { 200: Envelope(AdminUserLimits) },
};

export const AdminSetUserLimits = {
  summary: 'Override a user’s fair-share caps (null: back to the default; caps not named keep their override)',
  description:
    'sub_accounts, white_ips and extract_leases are checked when the user adds or extracts; tunnels_per_user and tunnels_per_account when a connection authenticates (within a change-feed poll; open connections stay). 0 allows none.',
  tags: ['admin'],
  params: IdParams,
  body: Type.Object(
    Object.fromEntries(
      // OpenAPI 3.0's nullable, not a union: with type coercion on, a union's integer branch turns null into 0.
      LIMITS.map((l) => [
        l.name,
        Type.Optional(Type.Unsafe<number | null>({ type: 'integer', nullable: true, minimum: 0, maximum: l.max })),
      ]),
    ),
  ),
  response: { 200: Envelope(AdminUserLimits) },
};
