/**
 * The operator console's session cookie: one cookie, `tollgate_console`, httpOnly, SameSite=Strict, sent only to
 * /admin, Secure when the request came over HTTPS. Read and written through @fastify/cookie (registered once
 * for the whole API in server.ts, as the portal's cookies are).
 */
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const CONSOLE_COOKIE = 'tollgate_console';
/**
 * The session's CSRF token, readable by the console's script (not httpOnly, Path=/) so its API client can send
 * it back as X-CSRF-Token; it is no credential by itself (the server compares it with the httpOnly session).
 */
export const CONSOLE_CSRF_COOKIE = 'tollgate_console_csrf';
const PATH = '/admin';
/** A session token's shape (base64url); anything else is no session and is never looked up. */
const TOKEN = /^[A-Za-z0-9_-]{1,128}$/;

/** The console session token of the request's cookies, or undefined. */
export function consoleToken(request: FastifyRequest): string | undefined {
  const value = request.cookies?.[CONSOLE_COOKIE];
  return value !== undefined && TOKEN.test(value) ? value : undefined;
}

function write(request: FastifyRequest, reply: FastifyReply, values: { token: string; csrf: string }, maxAge: number): void {
  const common = { maxAge, sameSite: 'strict' as const, secure: request.protocol === 'https' };
  reply.setCookie(CONSOLE_COOKIE, values.token, { ...common, path: PATH, httpOnly: true });
  reply.setCookie(CONSOLE_CSRF_COOKIE, values.csrf, { ...common, path: '/', httpOnly: false });
}

/** Sets the session cookie (httpOnly, /admin) and the CSRF cookie (readable, /). */
export function setConsoleCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  csrfToken: string,
  maxAgeSeconds: number,
): void {
  write(request, reply, { token, csrf: csrfToken }, maxAgeSeconds);
}

/** Ends both cookies (empty, Max-Age=0, same paths and flags). */
export function clearConsoleCookie(request: FastifyRequest, reply: FastifyReply): void {
  write(request, reply, { token: '', csrf: '' }, 0);
}
