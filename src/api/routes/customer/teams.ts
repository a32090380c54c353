import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ApiKey, ApiKeysService, KeySpace, UsersService } from '../../../accounts/index.js';
import { maskedKey } from '../../../accounts/index.js';
import { moneyNumber } from '../../../billing/money.js';
import type { OrdersService } from '../../../billing/orders/index.js';
import { AppError } from '../../../errors/index.js';
import type { PackagesService } from '../../../packages/index.js';
import { hasRequirement, type TeamsService } from '../../../teams/index.js';
import type { TimeFormatter } from '../../../time/time-format.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import { callerOf, requiredTeamOf, teamOf } from '../../plugins/team-scope.js';
import * as S from '../../schemas/teams.js';
import { customerOf } from './context.js';
import { packageView } from './user-product.js';

export interface TeamRoutesDeps {
  readonly teams: TeamsService;
  readonly apiKeys: ApiKeysService;
  readonly users: UsersService;
  readonly packages: PackagesService;
  readonly orders: OrdersService;
  readonly time: TimeFormatter;
}

/** The newer release's `team/*` and `api-keys*`. */
export const teamRoutes: FastifyPluginAsyncTypebox<TeamRoutesDeps> = async (app, deps) => {
  const { teams, apiKeys, users, packages, orders, time } = deps;
  const when = (ms: number | null) => (ms === null ? '' : time.format(ms));
  const packageItem = packageView(time);

  // The caller's teams: personal by nature, so never for a team (nor with a team-bound key).
  app.get('/team/list', { schema: S.TeamList, config: { team: false } }, async (request) => {
    const { items, total, page, size } = await teams.listFor(callerOf(request).id, request.query.page, request.query.page_size);
    const list = items.map((m) => ({
      team_id: m.team.publicId,
      name: m.team.name,
      role: m.role,
      permissions: [...m.permissions],
      status: m.team.status,
      created_at: time.format(m.team.createdAt),
    }));
    return ok({ list, page, page_size: size, total }, languageOf(request));
  });

  app.get('/team/detail', { schema: S.TeamDetail, config: { team: 'view' } }, async (request) => {
    const m = requiredTeamOf(request);
    const members = await teams.members(m.team.publicId);
    const owner = members.find((x) => x.role === 'owner');
    return ok(
      {
        team_id: m.team.publicId,
        name: m.team.name,
        status: m.team.status,
        role: m.role,
        permissions: [...m.permissions],
        owner: owner?.email ?? '',
        member_count: members.length,
        members: members.map((x) => ({
          email: x.email,
          role: x.role,
          permissions: [...x.permissions],
          joined_at: time.format(x.createdAt),
        })),
        created_at: time.format(m.team.createdAt),
      },
      languageOf(request),
    );
  });

  app.get('/team/assets', { schema: S.TeamAssets, config: { team: 'view' } }, async (request) => {
    const m = requiredTeamOf(request);
    const q = request.query;
    const [counts, held] = await Promise.all([
      teams.assetCounts(m.team),
      packages.list(customerOf(request).id, { page: q.page, size: q.page_size }),
    ]);
    return ok(
      {
        team_id: m.team.publicId,
        summary: {
          sub_accounts: counts.subAccounts,
          white_ips: counts.whiteIps,
          packages: counts.packages,
          static_ips: counts.staticIps,
          orders: counts.orders,
        },
        list: held.items.map(packageItem),
        page: held.page,
        page_size: held.size,
        total: held.total,
      },
      languageOf(request),
    );
  });

  app.get('/team/wallet/detail', { schema: S.TeamWalletDetail, config: { team: 'view_billing' } }, async (request) => {
    const m = requiredTeamOf(request);
    const space = customerOf(request);
    return ok(
      {
        team_id: m.team.publicId,
        balance: moneyNumber(space.balanceCents),
        total_recharge_fee: moneyNumber(await orders.totalRechargeCents(space.id)),
      },
      languageOf(request),
    );
  });

  app.get('/team/wallet/records', { schema: S.TeamWalletRecords, config: { team: 'view_billing' } }, async (request) => {
    const m = requiredTeamOf(request);
    const { items, total, page, size } = await teams.walletRecords(m.team, request.query.page, request.query.page_size);
    const list = items.map((r) => ({
      id: r.id,
      amount: moneyNumber(r.amountCents),
      direction: r.direction,
      reason: r.reason,
      trade_no: r.tradeNo ?? '',
      balance_after: moneyNumber(r.balanceAfterCents),
      created_at: time.format(r.createdAt),
    }));
    return ok({ list, page, page_size: size, total }, languageOf(request));
  });

  // API keys: the caller's personal keys, or with team_id (or a team-bound key) the team's.
  const spaceOf = (request: Parameters<typeof teamOf>[0]): KeySpace => {
    const m = teamOf(request);
    return m ? { kind: 'team', teamId: m.team.id } : { kind: 'personal', userId: callerOf(request).id };
  };
  /** Keys as listed, their creators' emails read once each. */
  const keyViews = async (keys: readonly ApiKey[], teamPublicId: string) => {
    const emails = new Map<number, string>();
    for (const id of new Set(keys.map((k) => k.userId))) emails.set(id, (await users.get(id)).email);
    return keys.map((k) => ({
      id: k.id,
      name: k.name,
      key: maskedKey(k.last4),
      team_id: teamPublicId,
      creator: emails.get(k.userId) ?? '',
      created_at: time.format(k.createdAt),
      last_used_at: when(k.lastUsedAt),
    }));
  };
  /** A key the caller may change: their own, or (manage_accounts in the team) any of the team's. */
  const changeable = async (request: Parameters<typeof teamOf>[0], id: number): Promise<ApiKey> => {
    const key = await apiKeys.get(spaceOf(request), id);
    const m = teamOf(request);
    if (key.userId !== callerOf(request).id && !(m && hasRequirement(m, 'manage_accounts'))) {
      throw new AppError('TG_ERR_API_KEY_NOT_FOUND');
    }
    return key;
  };

  app.get('/api-keys', { schema: S.ApiKeyList, config: { team: 'view' } }, async (request) => {
    const { items, total, page, size } = await apiKeys.list(spaceOf(request), request.query.page, request.query.pageSize);
    const list = await keyViews(items, teamOf(request)?.team.publicId ?? '');
    return ok({ list, page, page_size: size, total }, languageOf(request));
  });

  app.post('/api-keys/create', { schema: S.ApiKeyCreate, config: { write: true, team: 'view' } }, async (request) => {
    const m = teamOf(request);
    const { apiKey, key } = await apiKeys.create({
      userId: callerOf(request).id,
      teamId: m?.team.id ?? null,
      name: request.body.name,
    });
    return ok(
      { id: apiKey.id, name: apiKey.name, key, team_id: m?.team.publicId ?? '', created_at: time.format(apiKey.createdAt) },
      languageOf(request),
    );
  });

  app.post('/api-keys/update', { schema: S.ApiKeyUpdate, config: { write: true, team: 'view' } }, async (request) => {
    const key = await changeable(request, request.body.id);
    const renamed = await apiKeys.rename(spaceOf(request), key.id, request.body.name);
    const views = await keyViews([renamed], teamOf(request)?.team.publicId ?? '');
    return ok(views[0] as (typeof views)[number], languageOf(request));
  });

  app.post('/api-keys/revoke', { schema: S.ApiKeyRevoke, config: { write: true, team: 'view' } }, async (request) => {
    const key = await changeable(request, request.body.id);
    await apiKeys.revoke(spaceOf(request), key.id);
    return ok(null, languageOf(request));
  });
};
