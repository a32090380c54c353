/**
 * The brands' path prefixes (TOLLGATE_API_PREFIXES) onto one registration of the customer API. The routes are
 * registered once, under the first prefix (the one the OpenAPI document is written from); a request under any
 * other configured prefix has that prefix replaced by the first before routing (Fastify's `rewriteUrl`), so it
 * reaches the same routes, hooks, error and not-found handlers. Registering the customer plugin once per prefix
 * cost about 140 ms of start-up for 5 prefixes (some 500 routes) and gave nothing the rewrite does not.
 *
 * `request.url` and `request.routeOptions.url` are under the first prefix; `request.originalUrl` is what the
 * client asked for (logs show it) and `request.brandPrefix` the prefix it came in under.
 */
import type { IncomingMessage } from 'node:http';

declare module 'fastify' {
  interface FastifyRequest {
    /** Inside the customer API: the configured prefix the client's URL began with. */
    brandPrefix: string;
  }
}

/**
 * The configured prefix `url` is under: its path is exactly the prefix, or starts with it followed by `/` or `?`.
 * The longest wins when one prefix begins another (`/api` and `/api/v2`), as separate registrations would route.
 */
export function prefixOf(url: string, longestFirst: readonly string[]): string | undefined {
  for (const prefix of longestFirst) {
    if (!url.startsWith(prefix)) continue;
    const next = url.charCodeAt(prefix.length);
    // End of the URL, '/' or '?'.
    if (Number.isNaN(next) || next === 47 || next === 63) return prefix;
  }
  return undefined;
}

/** The prefixes, longest first, for `prefixOf`. */
export function longestFirst(prefixes: readonly string[]): string[] {
  return [...prefixes].sort((a, b) => b.length - a.length);
}

/** The `rewriteUrl` of the configured prefixes: a URL under one of them gets the first in its place. */
export function brandPrefixRewriter(prefixes: readonly string[]): (req: IncomingMessage) => string {
  const [canonical] = prefixes;
  const ordered = longestFirst(prefixes);
  return (req) => {
    const url = req.url ?? '/';
    if (canonical === undefined || prefixes.length < 2) return url;
    const prefix = prefixOf(url, ordered);
    return prefix === undefined || prefix === canonical ? url : canonical + url.slice(prefix.length);
  };
}
