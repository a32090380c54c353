/**
 * The portal's API clients: `web` for its own routes (/web: session, sign-up, usage series) and `api` for the
 * customer API under the platform's first brand prefix, both authenticated by the session cookie.
 */
import { createContext, useContext } from 'react';
import { type ApiClient, createApiClient } from '../shared/api/client.js';

export const CSRF_COOKIE = 'tg_csrf';

/** The page's language as the API names it. */
export function pageLanguage(): string {
  return document.documentElement.lang.startsWith('zh') ? 'zh' : 'en';
}

export const web: ApiClient = createApiClient({ csrfCookie: CSRF_COOKIE, language: pageLanguage });

export function customerClient(prefix: string): ApiClient {
  return createApiClient({ baseUrl: prefix, csrfCookie: CSRF_COOKIE, language: pageLanguage });
}

export interface PortalSession {
  readonly email: string;
  readonly userId: number;
  readonly prefixes: readonly string[];
  readonly proxyHost: string;
  readonly proxyPort: number;
  readonly platformTimeZone: string;
  /** The customer API under the first brand prefix. */
  readonly api: ApiClient;
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
