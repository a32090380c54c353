/**
 * Who is calling a customer route: `app_key` in the query or the body (JSON
 * or form) — the user's app_key or one of their API keys — or
 * `Authorization: Bearer <JWT>` from a sign-in, or the portal's session cookie
 * (with its CSRF header on state-changing calls). Then the account-level gates:
 * disabled user, per-key rate, and real-name verification for write routes
 * when the platform requires it. Last, whose space the call acts on: the
 * caller's, or a team's (plugins/team-scope.ts).
 */
import type { FastifyRequest } from 'fastify';
import {
  type ApiKeysService,
  csrfMatches,
  csrfTokenOf,
  type TokenService,
  type User,
  type UsersService,
  type WebSessionsService,
} from '../../accounts/index.js';
import { csrfHeaderOf, isStateChanging, sessionTokenOf } from '../web/cookies.js';
import { AppError } from '../../errors/index.js';
import type { TeamsService } from '../../teams/index.js';
import type { KeyRateLimiter } from './key-rate-limit.js';
import { applyTeamScope } from './team-scope.js';

export interface CustomerAuthOptions {
  readonly users: UsersService;
  readonly tokens: TokenService;
  readonly apiKeys: ApiKeysService;
  readonly teams: TeamsService;
  readonly keyLimiter: KeyRateLimiter;
  readonly requireRealName: boolean;
  /** The portal's sessions: the session cookie authenticates like a Bearer token. */
  readonly webSessions: WebSessionsService;
}

/** Route config: `write` routes are refused to unverified users when real-name is required; `public` routes need no auth. */
export interface CustomerRouteConfig {
  readonly write?: boolean;
  readonly public?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Whose space a customer route acts on: the caller, or the space of the team the call acts for. */
    customer: User | null;
  }
}

function appKeyOf(request: FastifyRequest): string | undefined {
  const fromQuery = (request.query as Record<string, unknown> | undefined)?.app_key;
  if (typeof fromQuery === 'string' && fromQuery !== '') return fromQuery;
  const body = request.body;
  if (body && typeof body === 'object') {
    const fromBody = (body as Record<string, unknown>).app_key;
    if (typeof fromBody === 'string' && fromBody !== '') return fromBody;
  }
  return undefined;
}

export function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

/** The person a login token names, when the token is valid and not revoked; undefined otherwise. */
export async function userOfToken(
  options: Pick<CustomerAuthOptions, 'tokens' | 'users'>,
  token: string,
): Promise<User | undefined> {
  const claims = await options.tokens.verify(token);
  const found = claims && (await options.users.personById(claims.userId));
  return found && claims && found.tokenVersion === claims.version ? found : undefined;
}

/**
 * The person a portal session cookie names, for a call from the portal: a state-changing call must carry the
 * session's CSRF token. Refuses with TG_ERR_WEB_SESSION_REQUIRED when the session is gone (signed out, expired,
 * password changed).
 */
export async function userOfSession(
  options: Pick<CustomerAuthOptions, 'webSessions' | 'users'>,
  request: FastifyRequest,
  token: string,
): Promise<User> {
  const session = await options.webSessions.resume(token);
  const found = session && (await options.users.personById(session.userId));
  if (!session || !found || found.tokenVersion !== session.tokenVersion) throw new AppError('TG_ERR_WEB_SESSION_REQUIRED');
  if (isStateChanging(request) && !csrfMatches(csrfHeaderOf(request), csrfTokenOf(token))) {
    throw new AppError('TG_ERR_WEB_CSRF_INVALID');
  }
  return found;
}

export function customerAuthHook(options: CustomerAuthOptions) {
  return async function authenticate(request: FastifyRequest): Promise<void> {
    const config = request.routeOptions.config as CustomerRouteConfig;
    // An unknown path under a prefix answers "no such endpoint" whoever asks, as at the root.
    if (config.public || request.is404) return;

    let user: User | undefined;
    let keyTeamId: number | null = null;
    const appKey = appKeyOf(request);
    if (appKey !== undefined) {
      user = await options.users.authenticateAppKey(appKey);
      if (!user) {
        const identity = await options.apiKeys.authenticate(appKey);
        user = identity && (await options.users.personById(identity.userId));
        keyTeamId = identity?.teamId ?? null;
      }
      if (!user) throw new AppError('TG_ERR_AUTH_APP_KEY_INVALID');
    } else if (bearerOf(request) !== undefined) {
      user = await userOfToken(options, bearerOf(request) as string);
      if (!user) throw new AppError('TG_ERR_AUTH_TOKEN_INVALID');
    } else {
      const session = sessionTokenOf(request);
      if (session === undefined) throw new AppError('TG_ERR_AUTH_APP_KEY_INVALID');
      user = await userOfSession(options, request, session);
    }

    checkCaller(request, options, user);
    await applyTeamScope(request, options, user, keyTeamId);
  };
}

/** The account-level gates every authenticated caller passes: active, within its rate, real-name when required. */
export function checkCaller(
  request: FastifyRequest,
  options: Pick<CustomerAuthOptions, 'keyLimiter' | 'requireRealName'>,
  user: User,
): void {
  const config = request.routeOptions.config as CustomerRouteConfig;
  if (user.status !== 1) throw new AppError('TG_ERR_AUTH_USER_DISABLED');
  options.keyLimiter.hit(`u${user.id}`);
  if (config.write && options.requireRealName && !user.isRealName) throw new AppError('TG_ERR_AUTH_REAL_NAME_REQUIRED');
}

/**
 * Clients send optional fields empty (`remark: ""`, `product_type: ""`) or null:
 * treat those as absent so defaults apply and types validate.
 */
export async function dropEmptyFields(request: FastifyRequest): Promise<void> {
  for (const source of [request.query, request.body]) {
    if (!source || typeof source !== 'object' || Array.isArray(source)) continue;
    const record = source as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (record[key] === '' || record[key] === null) delete record[key];
    }
  }
}

/**
 * Public clients put parameters in the query string even on a POST — all of them, with no body at all, or
 * some beside a JSON body. A POST's parameters are the body's, with each query parameter the body lacks
 * added, so the same route schema validates either way. Runs before dropEmptyFields.
 */
export async function mergeQueryIntoBody(request: FastifyRequest): Promise<void> {
  if (request.method !== 'POST') return;
  const query = request.query;
  if (!query || typeof query !== 'object') return;
  const entries = Object.entries(query as Record<string, unknown>);
  if (entries.length === 0) return;
  if (request.body === undefined || request.body === null) request.body = {};
  const body = request.body;
  if (typeof body !== 'object' || Array.isArray(body)) return;
  const record = body as Record<string, unknown>;
  for (const [key, value] of entries) if (!(key in record)) record[key] = value;
}
