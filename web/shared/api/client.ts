/**
 * The consoles' API client: openapi-fetch over the generated `paths` (schema.d.ts, from /openapi.json), so a
 * page cannot call a route or send a field the API does not have.
 *
 * - The session is an httpOnly cookie the browser sends by itself; JavaScript never sees it.
 * - Every state-changing call carries the CSRF token the server put in a readable cookie (`csrfCookie`) as the
 *   `X-CSRF-Token` header; the server compares the two (double submit, on top of SameSite=Strict).
 * - Every call carries the `Language` header, so error messages come back in the page's language.
 * - Customer routes answer HTTP 200 with `{code, msg, data}`: `unwrap` returns `data` on code 200 and throws an
 *   ApiError (code, message, per-field reasons) otherwise, which forms show next to the field concerned.
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from './schema.js';

export type { paths };
export type ApiClient = Client<paths>;

/** A refusal from the API: its catalogue code, its message in the page's language, reasons per field. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly errors: Readonly<Record<string, string>> = {},
    readonly data: unknown = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClientOptions {
  /** Path prefix of the routes called: a brand prefix (`/developers`) for the customer API, '' otherwise. */
  readonly baseUrl?: string;
  /** The readable cookie holding the CSRF token of this app's session. */
  readonly csrfCookie: string;
  /** The page's language now (`en` or `zh`). */
  readonly language: () => string;
  /** Sends a request (after the headers are set); `fetch` when not given. */
  readonly fetch?: (request: Request) => Promise<Response>;
}

export function readCookie(name: string): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function createApiClient(options: ApiClientOptions): ApiClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl ?? '',
    credentials: 'same-origin',
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const headers: Middleware = {
    onRequest({ request }) {
      request.headers.set('Language', options.language());
      if (!SAFE_METHODS.has(request.method)) {
        const token = readCookie(options.csrfCookie);
        if (token) request.headers.set('X-CSRF-Token', token);
      }
      return request;
    },
  };
  client.use(headers);
  return client;
}

/** The `data` of the success envelope of an openapi-fetch result. */
export type EnvelopeData<T> = T extends { data?: infer E } ? (E extends { data: infer D } ? D : never) : never;

interface EnvelopeLike {
  code?: number;
  msg?: string;
  message?: string;
  data?: unknown;
  errors?: Record<string, string>;
}

/**
 * The `data` of a successful envelope; throws ApiError for a refusal (an envelope with another code, or an HTTP
 * error carrying one), and for a network failure.
 */
export async function unwrap<T extends { data?: unknown; error?: unknown }>(call: Promise<T>): Promise<EnvelopeData<T>> {
  let result: T;
  try {
    result = await call;
  } catch (err) {
    throw new ApiError(0, err instanceof Error ? err.message : String(err));
  }
  const body = (result.data ?? result.error) as EnvelopeLike | undefined;
  if (!body || typeof body !== 'object') throw new ApiError(0, 'empty answer');
  if (body.code !== 200) {
    throw new ApiError(body.code ?? 0, body.msg ?? body.message ?? 'error', body.errors ?? {}, body.data ?? null);
  }
  return body.data as never;
}
