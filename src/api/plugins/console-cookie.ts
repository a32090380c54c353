/**
 * The operator console's session cookie: one cookie, `tollgate_console`, httpOnly, SameSite=Strict, sent only to
 * /admin, Secure when the request came over HTTPS. Reading one named cookie and writing one fixed Set-Cookie is
 * all the console needs, so this is done here (RFC 6265 §4.1 syntax: the token is base64url, no quoting needed)
 * rather than through a cookie plugin.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export const CONSOLE_COOKIE = 'tollgate_console';
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

function attributes(request: FastifyRequest, maxAgeSeconds: number): string {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  return `Path=${PATH}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure}`;
}

export function setConsoleCookie(request: FastifyRequest, reply: FastifyReply, token: string, maxAgeSeconds: number): void {
  reply.header('set-cookie', `${CONSOLE_COOKIE}=${token}; ${attributes(request, maxAgeSeconds)}`);
}

export function clearConsoleCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('set-cookie', `${CONSOLE_COOKIE}=; ${attributes(request, 0)}`);
}
