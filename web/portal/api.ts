/**
 * The portal's API clients: `web` for its own routes (/web: session, sign-up, usage series, app_key) and the
 * customer API under the platform's first brand prefix, both authenticated by the session cookie.
 *
 * The portal acts in a space: the customer's own (personal) or a team they are a member of. In a team, every
 * call of the customer client carries `team_id` (the newer API's convention), so the API acts on the team's
 * sub-accounts, packages, white IPs, orders and wallet with the member's permissions, and refuses what they
 * lack; the pages only disable what the API would refuse anyway.
 *
 * Start-up is one round trip shorter on the pages that list sub-accounts: early.ts, a script of its own that runs
 * before the rest of the portal is compiled, asks for the session and, when the last session of this browser left
 * its prefix and space behind, for the sub-account list at once; `prefetchAtStart` files those answers under their
 * queries, and the clients take them instead of asking again.
 */
import { createContext, useContext } from 'react';
import type { Middleware } from 'openapi-fetch';
import type { QueryClient } from '@tanstack/react-query';
import { type ApiClient, createApiClient, unwrap } from '../shared/api/client.js';
import { earlyList, PREFIX_STORE, stored, takeEarly, TEAM_STORE } from './early.js';

export const CSRF_COOKIE = 'tg_csrf';
export const SESSION_KEY = ['web-session'];
export const SUB_ACCOUNTS_KEY = ['sub-accounts'];
/** Queries that belong to the signed-in person whatever space the portal shows (kept on a space switch). */
export const PERSON_KEYS = new Set(['web-session', 'teams', 'app-key']);

/** The page's language as the API names it. */
export function pageLanguage(): string {
  return document.documentElement.lang.startsWith('zh') ? 'zh' : 'en';
}

/** The answer early.ts already asked for, or the network. */
const sendOrTakeEarly = (request: Request) => takeEarly(request) ?? fetch(request);

export const web: ApiClient = createApiClient({ csrfCookie: CSRF_COOKIE, language: pageLanguage, fetch: sendOrTakeEarly });

/** Adds `team_id` to every call's query string (the API reads it there for GET and POST alike). */
function teamParam(teamId: string): Middleware {
  return {
    async onRequest({ request }) {
      const url = new URL(request.url);
      url.searchParams.set('team_id', teamId);
      // A new Request with the body read out: one built from another Request would carry a stream body,
      // which fetch refuses without `duplex`.
      const body = request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer();
      return new Request(url, {
        method: request.method,
        headers: request.headers,
        body,
        credentials: request.credentials,
        signal: request.signal,
      });
    },
  };
}

/** The customer API under `prefix`, acting for `teamId` when given (else the personal space). */
export function customerClient(prefix: string, teamId = ''): ApiClient {
  const client = createApiClient({ baseUrl: prefix, csrfCookie: CSRF_COOKIE, language: pageLanguage, fetch: sendOrTakeEarly });
  if (teamId !== '') client.use(teamParam(teamId));
  return client;
}

function store(key: string, value: string): void {
  try {
    if (value === '') localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Storage refused (private mode): the portal works, only without the head start.
  }
}

/** The team the portal showed last in this browser ('' for the personal space). */
export function rememberedTeam(): string {
  return stored(TEAM_STORE);
}

export function rememberTeam(teamId: string): void {
  store(TEAM_STORE, teamId);
}

/** After a session starts: the prefix to ask early next time. On sign-out both are forgotten. */
export function rememberPrefix(prefix: string): void {
  store(PREFIX_STORE, prefix);
}

export function forgetBrowserState(): void {
  store(PREFIX_STORE, '');
  store(TEAM_STORE, '');
}

export function sessionQueryFn() {
  return unwrap(web.GET('/web/session'));
}

export function subAccountsQueryFn(api: ApiClient) {
  return () => unwrap(api.GET('/whitelist-account/list', { params: { query: {} } }));
}

/**
 * At start-up, before React renders: files the session, and the sub-account list when early.ts asked for it,
 * under their queries (the clients take early.ts's answers). The App drops the list if the session then names
 * another prefix or space, or is signed out.
 */
export function prefetchAtStart(queryClient: QueryClient): { prefix: string; teamId: string } | undefined {
  void queryClient.prefetchQuery({ queryKey: SESSION_KEY, queryFn: sessionQueryFn });
  if (earlyList === undefined) return undefined;
  const { prefix, teamId } = earlyList;
  void queryClient.prefetchQuery({ queryKey: SUB_ACCOUNTS_KEY, queryFn: subAccountsQueryFn(customerClient(prefix, teamId)) });
  return { prefix, teamId };
}

/** A team membership as /team/list gives it. */
export interface TeamMembership {
  readonly team_id: string;
  readonly name: string;
  readonly role: string;
  readonly permissions: readonly string[];
  readonly status: number;
}

export type TeamNeed = 'manage_accounts' | 'view_billing' | 'pay';

export interface PortalSession {
  readonly email: string;
  readonly userId: number;
  readonly prefixes: readonly string[];
  readonly proxyHost: string;
  readonly proxyPort: number;
  readonly platformTimeZone: string;
  /** The customer API under the first brand prefix, in the space shown (with `team_id` in a team). */
  readonly api: ApiClient;
  /** The customer API for the signed-in person's own space (their profile, their teams). */
  readonly personalApi: ApiClient;
  /** The team shown, or null for the personal space. */
  readonly team: TeamMembership | null;
  /** Whether the person may do what needs `need` in the space shown (always in the personal space). */
  can(need: TeamNeed): boolean;
}

/** May a member with this role and these permissions do what needs `need`? (src/teams hasRequirement) */
export function membershipAllows(team: TeamMembership | null, need: TeamNeed): boolean {
  return team === null || team.role === 'owner' || team.permissions.includes(need);
}

export const SessionContext = createContext<PortalSession | null>(null);

export function useSession(): PortalSession {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

/** The customer's own time zone (the browser's). */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
