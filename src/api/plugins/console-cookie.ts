/**
 * The operator console's session cookie: one cookie, `tollgate_console`, httpOnly, SameSite=Strict, sent only to
 * /admin, Secure when the request came over HTTPS. Reading one named cookie and writing one fixed Set-Cookie is
 * all the console needs, so this is done here (RFC 6265 §4.1 syntax: the token is base64url, no quoting needed)
 * rather than through a cookie plugin.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export const CONSOLE_COOKIE = 'tollgate_console';
/**
 * The session's CSRF token, readable by the console's script (not httpOnly, Path=/) so its API client can send
 * it back as X-CSRF-Token; it is no credential by itself (the server compares it with the httpOnly session).
 */
export const CONSOLE_CSRF_COOKIE = 'tollgate_console_csrf';
const PATH = '/admin';

/** The console session token of the request's Cookie header, or undefined. */
export function consoleToken(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    if (part.slice(0, at).trim() !== CONSOLE_COOKIE) continue;
    const value = part.slice(at + 1).trim();
    return /^[A-Za-z0-9_-]{1,128}$/.test(value) ? value : undefined;
  }
  return undefined;
}

function attributes(request: FastifyRequest, maxAgeSeconds: number, path: string, httpOnly: boolean): string {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  return `Path=${path}; Max-Age=${maxAgeSeconds}${httpOnly ? '; HttpOnly' : ''}; SameSite=Strict${secure}`;
}

/** Sets the session cookie (httpOnly, /admin) and the CSRF cookie (readable, /). */
export function setConsoleCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  csrfToken: string,
  maxAgeSeconds: number,
): void {
  reply.header('set-cookie', [
    `${CONSOLE_COOKIE}=${token}; ${attributes(request, maxAgeSeconds, PATH, true)}`,
    `${CONSOLE_CSRF_COOKIE}=${csrfToken}; ${attributes(request, maxAgeSeconds, '/', false)}`,
  ]);
}

export function clearConsoleCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('set-cookie', [
    `${CONSOLE_COOKIE}=; ${attributes(request, 0, PATH, true)}`,
    `${CONSOLE_CSRF_COOKIE}=; ${attributes(request, 0, '/', false)}`,
  ]);
}
