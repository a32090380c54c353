import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { moneyNumber } from '../../../billing/money.js';
import type { Team, TeamsService } from '../../../teams/index.js';
import { isoTime } from '../../../time/time-format.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/teams.js';

/** The operator's teams: create them, manage members and permissions, rename, disable, transfer. */
export const adminTeamRoutes: FastifyPluginAsyncTypebox<{ teams: TeamsService }> = async (app, { teams }) => {
  const view = async (team: Team) => {
    const [members, balance] = await Promise.all([teams.members(team.publicId), teams.balanceCents(team)]);
    return {
      team_id: team.publicId,
      name: team.name,
      status: team.status,
      owner_user_id: team.ownerUserId,
      space_user_id: team.backingUserId,
      balance: moneyNumber(balance),
      members: members.map((m) => ({
        user_id: m.userId,
        email: m.email,
        role: m.role,
        permissions: [...m.permissions],
        joined_at: isoTime(m.createdAt),
      })),
      created_at: isoTime(team.createdAt),
    };
  };

  app.post('/teams', { schema: S.AdminCreateTeam }, async (request) => {
    const b = request.body;
    const team = await teams.create({ ownerUserId: b.owner_user_id, name: b.name, publicId: b.team_id });
    return ok(await view(team), languageOf(request));
  });

  app.get('/teams', { schema: S.AdminListTeams }, async (request) => {
    const q = request.query;
    // With user_id: the teams that user is a member of (the console's user page); otherwise every team.
    const { items, total, page, size } =
      q.user_id !== undefined
        ? await teams.listFor(q.user_id, q.page, q.page_size).then((p) => ({ ...p, items: p.items.map((m) => m.team) }))
        : await teams.list(q.page, q.page_size);
    const list = [];
    for (const team of items) list.push(await view(team));
    return ok({ list, page, page_size: size, total }, languageOf(request));
  });

  app.get('/teams/:team_id', { schema: S.AdminShowTeam }, async (request) =>
    ok(await view(await teams.get(request.params.team_id)), languageOf(request)),
  );

  app.patch('/teams/:team_id', { schema: S.AdminUpdateTeam }, async (request) => {
    const id = request.params.team_id;
    let team = await teams.get(id);
    if (request.body.name !== undefined) team = await teams.rename(id, request.body.name);
    if (request.body.status !== undefined) team = await teams.setActive(id, request.body.status === 1);
    return ok(await view(team), languageOf(request));
  });

  app.post('/teams/:team_id/members', { schema: S.AdminAddMember }, async (request) => {
    await teams.addMember(request.params.team_id, request.body.user_id, request.body.permissions);
    return ok(await view(await teams.get(request.params.team_id)), languageOf(request));
  });

  app.patch('/teams/:team_id/members/:user_id', { schema: S.AdminSetMember }, async (request) => {
    await teams.setPermissions(request.params.team_id, request.params.user_id, request.body.permissions);
    return ok(await view(await teams.get(request.params.team_id)), languageOf(request));
  });

  app.delete('/teams/:team_id/members/:user_id', { schema: S.AdminRemoveMember }, async (request) => {
    await teams.removeMember(request.params.team_id, request.params.user_id);
    return ok(await view(await teams.get(request.params.team_id)), languageOf(request));
  });

  app.post('/teams/:team_id/owner', { schema: S.AdminTransferTeam }, async (request) => {
    const team = await teams.transferOwnership(request.params.team_id, request.body.user_id);
    return ok(await view(team), languageOf(request));
  });
};
