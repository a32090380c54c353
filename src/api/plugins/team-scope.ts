/**
 * Acting for a team: THE place that decides whose space a customer call works on.
 *
 * Every customer (and dashboard) route declares, in its route `config`, what a team member needs to call it
 * for a team:
 *
 *     app.post('/whitelist-account/add', { schema, config: { write: true, team: 'manage_accounts' } }, handler)
 *
 * `team` is 'view' (membership is enough), 'manage_accounts', 'view_billing' or 'pay', or `false` when the
 * route only ever acts for the caller (it then refuses `team_id`). A call carrying `team_id` (query or body,
 * 6-12 characters, a letter first; `""` means the personal space) on a route that declares nothing is refused
 * too: fail closed. For a team call the hook checks the caller is a member with the permission, then the acting
 * customer — what `customerOf(request)` returns, whose id every service is called with — is the team's space
 * (a users row of kind 'team' that owns the team's sub-accounts, packages, white IPs, orders and wallet). The
 * person calling stays available as `callerOf(request)`, the membership as `teamOf(request)`.
 *
 * A team-bound API key acts for its team on every call (no `team_id` needed) and for nothing else.
 */
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { User, UsersService } from '../../accounts/index.js';
import { AppError, invalidParams } from '../../errors/index.js';
import { hasRequirement, type Membership, normalizeTeamId, type TeamRequirement, type TeamsService } from '../../teams/index.js';

/** What a route needs of a member acting for a team; false: the route never acts for a team. */
export type TeamScope = TeamRequirement | false;

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * What a team member needs to call this route for a team (see plugins/team-scope.ts). Every customer and
     * dashboard route declares it; a route without it refuses `team_id`.
     */
    team?: TeamScope;
  }
  interface FastifyRequest {
    /** The authenticated person; differs from `customer` when the call acts for a team. */
    caller: User | null;
    /** The caller's membership when the call acts for a team; null otherwise. */
    teamMembership: Membership | null;
    /** `team_id` as sent, read before empty fields are dropped: undefined when absent, '' for the personal space. */
    teamIdParam: string | undefined;
  }
}

/** The authenticated person calling (for a team call, the member; `customerOf` gives the team's space). */
export function callerOf(request: FastifyRequest): User {
  if (!request.caller) throw new Error('customer route reached without authentication');
  return request.caller;
}

/** The team the call acts for, with the caller's role and permissions there; undefined for a personal call. */
export function teamOf(request: FastifyRequest): Membership | undefined {
  return request.teamMembership ?? undefined;
}

/** The team the call must act for (team/* endpoints): TG_ERR_PARAM_INVALID when no team_id was given. */
export function requiredTeamOf(request: FastifyRequest): Membership {
  const membership = teamOf(request);
  if (!membership) throw invalidParams({ team_id: 'is required' });
  return membership;
}

/** A malformed team_id (an array, an object): refused by name rather than taken for another team. */
const MALFORMED = '\u0000';

/** preValidation, before dropEmptyFields: keeps `team_id` as sent, the empty string included. */
export async function captureTeamId(request: FastifyRequest): Promise<void> {
  request.teamIdParam = undefined;
  for (const source of [request.body, request.query]) {
    if (!source || typeof source !== 'object' || Array.isArray(source)) continue;
    if (!Object.hasOwn(source, 'team_id')) continue;
    const value = (source as Record<string, unknown>).team_id;
    if (value === null || value === undefined) request.teamIdParam = '';
    else if (typeof value === 'string') request.teamIdParam = value.trim();
    else if (typeof value === 'number') request.teamIdParam = String(value);
    else request.teamIdParam = MALFORMED;
    return;
  }
}

export interface TeamScopeDeps {
  readonly teams: TeamsService;
  readonly users: UsersService;
}

function declaredScope(request: FastifyRequest): TeamScope | undefined {
  return (request.routeOptions.config as { team?: TeamScope } | undefined)?.team;
}

/**
 * Called by the surface's auth hook once the caller is known (and allowed): sets `caller`, `customer` and
 * `teamMembership`. `keyTeamId` is the team a team-bound API key acts for, or null.
 */
export async function applyTeamScope(
  request: FastifyRequest,
  deps: TeamScopeDeps,
  caller: User,
  keyTeamId: number | null,
): Promise<void> {
  request.caller = caller;
  request.customer = caller;
  request.teamMembership = null;
  const declared = declaredScope(request);
  const param = request.teamIdParam;

  let publicId: string;
  if (keyTeamId !== null) {
    const bound = await deps.teams.byId(keyTeamId);
    const scopeError = new AppError('TG_ERR_TEAM_KEY_SCOPE', { params: { team_id: bound.publicId } });
    if (param !== undefined && normalizeTeamId(param) !== bound.publicId) throw scopeError;
    if (declared === undefined || declared === false) throw scopeError;
    publicId = bound.publicId;
  } else {
    if (param === undefined || param === '') return;
    if (declared === undefined || declared === false) throw new AppError('TG_ERR_TEAM_NOT_ACCEPTED');
    if (normalizeTeamId(param) === undefined) throw invalidParams({ team_id: '6-12 letters and digits, starting with a letter' });
    publicId = param;
  }

  const membership = await deps.teams.resolve(publicId, caller.id);
  if (!hasRequirement(membership, declared)) {
    throw new AppError('TG_ERR_TEAM_PERMISSION_DENIED', {
      params: { team_id: membership.team.publicId, permission: declared },
      data: { permission: declared },
    });
  }
  const space = await deps.users.get(membership.team.backingUserId);
  if (space.status !== 1 || space.kind !== 'team') {
    throw new AppError('TG_ERR_TEAM_DISABLED', { params: { team_id: membership.team.publicId } });
  }
  request.customer = space;
  request.teamMembership = membership;
}

const TEAM_ID_FIELD = {
  type: 'string',
  maxLength: 32,
  description:
    'Act for this team (6-12 letters and digits, a letter first) instead of your personal space; empty: the personal space',
  examples: ['A12345'],
};

const NEEDS: Record<TeamRequirement, string> = {
  view: 'membership',
  manage_accounts: 'the manage_accounts permission',
  view_billing: 'the view_billing permission',
  pay: 'the pay permission',
};

interface ObjectSchema {
  readonly type?: unknown;
  readonly properties?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** Routes registered without a `team` declaration (`METHOD /url`): they refuse team_id; tests require none. */
export const ROUTES_WITHOUT_TEAM_SCOPE = new Set<string>();

/**
 * Registers, in a surface's context: decorations, and the OpenAPI side of team scopes. Every route that acts
 * for teams gets `team_id` among its parameters (query for GET, body otherwise, unless its schema already has
 * one) and a line saying what a member needs.
 */
export function registerTeamScope(app: FastifyInstance): void {
  app.decorateRequest('caller', null);
  app.decorateRequest('teamMembership', null);
  app.decorateRequest('teamIdParam', undefined);
  app.addHook('onRoute', (route: RouteOptions) => {
    const scope = (route.config as { team?: TeamScope } | undefined)?.team;
    if (scope === undefined) ROUTES_WITHOUT_TEAM_SCOPE.add(`${String(route.method)} ${route.url}`);
    if (scope === undefined || scope === false || !route.schema) return;
    const schema = route.schema as Record<string, unknown>;
    const part = route.method === 'GET' || (Array.isArray(route.method) && route.method.includes('GET')) ? 'querystring' : 'body';
    const target = schema[part] as ObjectSchema | undefined;
    const copy: Record<string, unknown> = { ...schema };
    if (target?.type === 'object' && !target.properties?.team_id) {
      copy[part] = { ...target, properties: { ...target.properties, team_id: TEAM_ID_FIELD } };
    }
    const note = `Teams: with \`team_id\`, acts for the team; needs ${NEEDS[scope]} there.`;
    copy.description = typeof schema.description === 'string' ? `${schema.description}\n\n${note}` : note;
    route.schema = copy;
  });
}
