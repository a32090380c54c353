/**
 * The console's API client: the /admin routes with the operator's session cookie (sent by the browser) and the
 * session's CSRF token (the readable `tollgate_console_csrf` cookie) on every write.
 */
import { createContext, useContext } from 'react';
import { type ApiClient, createApiClient, readCookie } from '../shared/api/client.js';

export const CSRF_COOKIE = 'tollgate_console_csrf';

export function createConsoleApi(language: () => string): ApiClient {
  return createApiClient({ csrfCookie: CSRF_COOKIE, language });
}

/** Whether a session may exist (its readable CSRF cookie is there): only then is GET /admin/session asked. */
export function maySignedIn(): boolean {
  return Boolean(readCookie(CSRF_COOKIE));
}

export const ApiContext = createContext<ApiClient | null>(null);

export function useApi(): ApiClient {
  const api = useContext(ApiContext);
  if (!api) throw new Error('no API client');
  return api;
}

export interface Me {
  readonly id: number;
  readonly email: string;
  readonly role: 'admin' | 'support';
}

export const MeContext = createContext<Me | null>(null);

export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error('not signed in');
  return me;
}

/** Money in cents as the platform shows it. */
export function money(cents: number): string {
  return (cents / 100).toFixed(2);
}

/** Bytes in binary units. */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}
