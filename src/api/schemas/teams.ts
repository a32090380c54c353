/**
 * Route schemas of teams (`team/*`) and API keys (`api-keys*`), the newer release's endpoints, and of the
 * operator's team routes. Where the newer release shows no answer, the shapes follow the documents' style
 * (snake_case, `list` with page fields, times as Y-m-d H:i:s); docs/newer-api.md records each choice.
 */
import { Type } from '@sinclair/typebox';
import { API_KEY_NAME_MAX, API_KEY_PAGE_SIZE_MAX } from '../../accounts/index.js';
import { TEAM_NAME_MAX, TEAM_PAGE_SIZE_DEFAULT, TEAM_PAGE_SIZE_MAX, TEAM_PERMISSIONS } from '../../teams/index.js';
import { CustomerCommon, Envelope, Id, NullData, PageNo } from './common.js';
import { UserProductItem } from './packages.js';

const Time = (description: string) => Type.String({ description, examples: ['2026-12-03 10:00:00'] });

export const TeamIdField = Type.String({
  maxLength: 32,
  description: 'The team: 6-12 letters and digits, starting with a letter',
  examples: ['A12345'],
});

const Permission = Type.Unsafe<string>({ type: 'string', enum: [...TEAM_PERMISSIONS] });
const Permissions = Type.Array(Permission, {
  description: `What the member may do beyond reading: ${TEAM_PERMISSIONS.join(', ')} (the owner holds all)`,
});
const Role = Type.Unsafe<'owner' | 'member'>({ type: 'string', enum: ['owner', 'member'] });
const Status = Type.Integer({ description: '1 active, 0 disabled by the operator' });

const PageSize = Type.Integer({
  minimum: 1,
  maximum: TEAM_PAGE_SIZE_MAX,
  default: TEAM_PAGE_SIZE_DEFAULT,
  description: `Page size, default ${TEAM_PAGE_SIZE_DEFAULT}, at most ${TEAM_PAGE_SIZE_MAX}`,
});

const PageFields = {
  page: Type.Integer(),
  page_size: Type.Integer(),
  total: Type.Integer({ description: 'Rows in all' }),
};

const TeamItem = Type.Object({
  team_id: Type.String({ description: 'Public team id (what `team_id` takes)' }),
  name: Type.String(),
  role: Role,
  permissions: Permissions,
  status: Status,
  created_at: Time('Created at'),
});

export const TeamList = {
  summary: 'Teams you are a member of',
  tags: ['teams'],
  querystring: Type.Object({ ...CustomerCommon, page: PageNo(), page_size: PageSize }),
  response: { 200: Envelope(Type.Object({ list: Type.Array(TeamItem), ...PageFields })) },
};

const TeamQuery = Type.Object({ ...CustomerCommon, team_id: TeamIdField });

export const TeamDetail = {
  summary: 'One team: its members and your role',
  tags: ['teams'],
  querystring: TeamQuery,
  response: {
    200: Envelope(
      Type.Object({
        team_id: Type.String(),
        name: Type.String(),
        status: Status,
        role: Role,
        permissions: Permissions,
        owner: Type.String({ description: 'The owner’s email' }),
        member_count: Type.Integer(),
        members: Type.Array(
          Type.Object({
            email: Type.String(),
            role: Role,
            permissions: Permissions,
            joined_at: Time('Member since'),
          }),
        ),
        created_at: Time('Created at'),
      }),
    ),
  },
};

export const TeamAssets = {
  summary: 'What a team holds: counts, and its packages (as user-product/list)',
  tags: ['teams'],
  querystring: Type.Object({ ...CustomerCommon, team_id: TeamIdField, page: PageNo(), page_size: PageSize }),
  response: {
    200: Envelope(
      Type.Object({
        team_id: Type.String(),
        summary: Type.Object({
          sub_accounts: Type.Integer({ description: 'Proxy accounts' }),
          white_ips: Type.Integer({ description: 'Whitelisted IPs' }),
          packages: Type.Integer({ description: 'Packages in force now' }),
          static_ips: Type.Integer({ description: 'Static IPs held now (ip/get-static-ip lists them)' }),
          orders: Type.Integer({ description: 'Orders of any status (order/list lists them)' }),
        }),
        list: Type.Array(UserProductItem, { description: 'The team’s packages, newest first' }),
        ...PageFields,
      }),
    ),
  },
};

export const TeamWalletDetail = {
  summary: 'A team’s wallet (its own balance); needs view_billing',
  tags: ['teams'],
  querystring: TeamQuery,
  response: {
    200: Envelope(
      Type.Object({
        team_id: Type.String(),
        balance: Type.Number({ description: 'The team’s balance, platform currency (apart from every member’s own)' }),
        total_recharge_fee: Type.Number({ description: 'Everything recharged into the team’s wallet' }),
      }),
    ),
  },
};

export const TeamWalletRecords = {
  summary: 'A team’s wallet records, newest first; needs view_billing',
  tags: ['teams'],
  querystring: Type.Object({ ...CustomerCommon, team_id: TeamIdField, page: PageNo(), page_size: PageSize }),
  response: {
    200: Envelope(
      Type.Object({
        list: Type.Array(
          Type.Object({
            id: Type.Integer(),
            amount: Type.Number({ description: 'Always positive; `direction` says which way' }),
            direction: Type.Unsafe<'credit' | 'debit'>({ type: 'string', enum: ['credit', 'debit'] }),
            reason: Type.String({ description: 'recharge, gift, order, refund or adjust' }),
            trade_no: Type.String({ description: 'The order it belongs to; empty when none' }),
            balance_after: Type.Number(),
            created_at: Time('When'),
          }),
        ),
        ...PageFields,
      }),
    ),
  },
};

const ApiKeyItem = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  key: Type.String({
    description: 'Masked: only the last 4 characters show',
    examples: ['************************************a1B2'],
  }),
  team_id: Type.String({ description: 'The team a team-bound key acts for; empty for a personal key' }),
  creator: Type.String({ description: 'The email of who created it (and whom it authenticates as)' }),
  created_at: Time('Created at'),
  last_used_at: Time('Last authenticated (to the minute); empty when never'),
});

export const ApiKeyList = {
  summary: 'Your API keys (or, with team_id, the team’s), masked',
  tags: ['api keys'],
  querystring: Type.Object({
    ...CustomerCommon,
    page: PageNo(),
    pageSize: Type.Integer({
      minimum: 1,
      maximum: API_KEY_PAGE_SIZE_MAX,
      default: 20,
      description: 'Page size (the newer release’s name)',
    }),
  }),
  response: { 200: Envelope(Type.Object({ list: Type.Array(ApiKeyItem), ...PageFields })) },
};

const KeyName = Type.String({ maxLength: API_KEY_NAME_MAX, description: `At most ${API_KEY_NAME_MAX} characters` });

export const ApiKeyCreate = {
  summary: 'Create an API key (shown only now); with team_id, a key bound to the team',
  description:
    'The key authenticates wherever `app_key` does. A team-bound key acts for its team on every call (no `team_id` needed), with its creator’s permissions there at the time of the call, and never for a personal space.',
  tags: ['api keys'],
  body: Type.Object({ ...CustomerCommon, name: Type.Optional(KeyName) }),
  response: {
    200: Envelope(
      Type.Object({
        id: Type.Integer(),
        name: Type.String(),
        key: Type.String({ description: 'The key itself: shown only now, stored as a hash' }),
        team_id: Type.String(),
        created_at: Time('Created at'),
      }),
    ),
  },
};

export const ApiKeyUpdate = {
  summary: 'Rename an API key',
  description: 'Your own keys; in a team, a member with manage_accounts may rename any of the team’s keys.',
  tags: ['api keys'],
  body: Type.Object({ ...CustomerCommon, id: Id('Key id (api-keys lists it)'), name: KeyName }),
  response: { 200: Envelope(ApiKeyItem) },
};

export const ApiKeyRevoke = {
  summary: 'Revoke an API key: it stops working at once',
  description: 'Your own keys; in a team, a member with manage_accounts may revoke any of the team’s keys.',
  tags: ['api keys'],
  body: Type.Object({ ...CustomerCommon, id: Id('Key id (api-keys lists it)') }),
  response: { 200: Envelope(NullData) },
};

// The operator's side.

const AdminMember = Type.Object({
  user_id: Type.Integer(),
  email: Type.String(),
  role: Role,
  permissions: Permissions,
  joined_at: Type.String({ format: 'date-time' }),
});

export const AdminTeam = Type.Object({
  team_id: Type.String(),
  name: Type.String(),
  status: Status,
  owner_user_id: Type.Integer(),
  space_user_id: Type.Integer({ description: 'The users row owning the team’s resources (limits, packages, orders)' }),
  balance: Type.Number(),
  members: Type.Array(AdminMember),
  created_at: Type.String({ format: 'date-time' }),
});

const TeamParams = Type.Object({ team_id: TeamIdField });
const MemberParams = Type.Object({ team_id: TeamIdField, user_id: Id() });

export const AdminCreateTeam = {
  summary: 'Create a team owned by a user',
  tags: ['admin'],
  body: Type.Object({
    owner_user_id: Id('The owner (a person)'),
    name: Type.String({ minLength: 1, maxLength: TEAM_NAME_MAX }),
    team_id: Type.Optional(Type.String({ maxLength: 12, description: 'A public id to use; generated when absent' })),
  }),
  response: { 200: Envelope(AdminTeam) },
};

export const AdminListTeams = {
  summary: 'List teams (with user_id: the teams that user is a member of)',
  tags: ['admin'],
  querystring: Type.Object({
    page: PageNo(),
    page_size: PageSize,
    user_id: Type.Optional(Id('Only the teams this user is a member of (owner included)')),
  }),
  response: { 200: Envelope(Type.Object({ list: Type.Array(AdminTeam), ...PageFields })) },
};

export const AdminShowTeam = {
  summary: 'Show a team with its members',
  tags: ['admin'],
  params: TeamParams,
  response: { 200: Envelope(AdminTeam) },
};

export const AdminUpdateTeam = {
  summary: 'Rename, disable (status 0) or enable a team',
  description: 'A disabled team refuses its members (code 8004) and its proxy accounts stop working at the gateway.',
  tags: ['admin'],
  params: TeamParams,
  body: Type.Object({
    name: Type.Optional(Type.String({ minLength: 1, maxLength: TEAM_NAME_MAX })),
    status: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)])),
  }),
  response: { 200: Envelope(AdminTeam) },
};

export const AdminAddMember = {
  summary: 'Add a member to a team',
  tags: ['admin'],
  params: TeamParams,
  body: Type.Object({ user_id: Id(), permissions: Type.Array(Permission, { default: [] }) }),
  response: { 200: Envelope(AdminTeam) },
};

export const AdminSetMember = {
  summary: 'Replace a member’s permissions',
  tags: ['admin'],
  params: MemberParams,
  body: Type.Object({ permissions: Type.Array(Permission) }),
  response: { 200: Envelope(AdminTeam) },
};

export const AdminRemoveMember = {
  summary: 'Remove a member from a team',
  tags: ['admin'],
  params: MemberParams,
  response: { 200: Envelope(AdminTeam) },
};

export const AdminTransferTeam = {
  summary: 'Make a member the team’s owner',
  tags: ['admin'],
  params: TeamParams,
  body: Type.Object({ user_id: Id('The new owner: a member') }),
  response: { 200: Envelope(AdminTeam) },
};
