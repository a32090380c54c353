/**
 * The brands' path prefixes (TOLLGATE_API_PREFIXES) onto one registration of the customer API. The routes are
 * registered once, under the first prefix (the one the OpenAPI document is written from); a request under any
 * other configured prefix has that prefix replaced by the first before routing (Fastify's `rewriteUrl`), so it
 * reaches the same routes, hooks, error and not-found handlers. Registering the customer plugin once per prefix
 * cost about 140 ms of start-up for 5 prefixes (some 500 routes) and gave nothing the rewrite does not.
 *
 * `request.url` is the rewritten URL; `request.originalUrl` is what the client asked for (logs show it).
 */
import type { IncomingMessage } from 'node:http';

/**
 * The `rewriteUrl` of the configured prefixes: a URL whose path is exactly a prefix, or starts with it followed by
 * `/` or `?`, gets the first prefix in its place; any other URL is returned as it came. The longest prefix wins
 * when one prefix begins another (`/api` and `/api/v2`), as routing under separate registrations would pick.
 */
export function brandPrefixRewriter(prefixes: readonly string[]): (req: IncomingMessage) => string {
  const [canonical] = prefixes;
  // Nested under a longer one: /api/v2 must not be taken for /api followed by /v2 (nor the reverse).
  const longerFirst = [...prefixes].sort((a, b) => b.length - a.length);
  return (req) => {
    const url = req.url ?? '/';
    if (canonical === undefined || prefixes.length < 2) return url;
    for (const prefix of longerFirst) {
      if (!url.startsWith(prefix)) continue;
      const next = url.charCodeAt(prefix.length);
      // End of the URL, '/' or '?'.
      if (!(Number.isNaN(next) || next === 47 || next === 63)) continue;
      return prefix === canonical ? url : canonical + url.slice(prefix.length);
    }
    return url;
  };
}
