/** The admin and customer API as a test or benchmark calls them over HTTP, answers parsed as `{ code, data }`. */
export interface ApiCalls {
  /** `/admin{path}` with the admin token. */
  adminCall(method: string, path: string, body?: unknown): Promise<{ code: number; data: any }>;
  /** POST `/gateway/{path}?app_key=…` (the customer API). */
  customer(appKey: string, path: string, body: Record<string, unknown>): Promise<{ code: number; data: any }>;
}

/** Calls for the API at `apiUrl()` (read at each call: a test's server starts after the calls are made). */
export function apiCalls(apiUrl: () => string | undefined, adminToken: () => string): ApiCalls {
  return {
    async adminCall(method, path, body) {
      const res = await fetch(`${apiUrl()}/admin${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken()}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return (await res.json()) as { code: number; data: any };
    },
    async customer(appKey, path, body) {
      const res = await fetch(`${apiUrl()}/gateway/${path}?app_key=${appKey}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return (await res.json()) as { code: number; data: any };
    },
  };
}
