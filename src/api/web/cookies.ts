/**
 * The portal session's two cookies. `tg_session` holds the session token: httpOnly (no script reads it),
 * SameSite=Strict (no other site's page sends it), Secure when the request came over HTTPS. `tg_csrf` holds the
 * CSRF token, readable by the page, which sends it back as `X-CSRF-Token` on every state-changing call.
 */
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'tg_session';
export const CSRF_COOKIE = 'tg_csrf';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isStateChanging(request: FastifyRequest): boolean {
  return !SAFE_METHODS.has(request.method);
}

function secure(request: FastifyRequest): boolean {
  return request.protocol === 'https';
}

export function sessionTokenOf(request: FastifyRequest): string | undefined {
  const value = request.cookies?.[SESSION_COOKIE];
  return value === undefined || value === '' ? undefined : value;
}

export function csrfCookieOf(request: FastifyRequest): string | undefined {
  const value = request.cookies?.[CSRF_COOKIE];
  return value === undefined || value === '' ? undefined : value;
}

export function csrfHeaderOf(request: FastifyRequest): string | undefined {
  const value = request.headers[CSRF_HEADER];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Sets the session cookie (until `expiresAt`, extended by use server-side) and its CSRF cookie. */
export function setSessionCookies(request: FastifyRequest, reply: FastifyReply, token: string, csrf: string): void {
  const common = { path: '/', sameSite: 'strict' as const, secure: secure(request) };
  reply.setCookie(SESSION_COOKIE, token, { ...common, httpOnly: true });
  reply.setCookie(CSRF_COOKIE, csrf, { ...common, httpOnly: false });
}

/** A CSRF cookie for a browser without a session (sign-in and sign-up need it). */
export function setCsrfCookie(request: FastifyRequest, reply: FastifyReply, csrf: string): void {
  reply.setCookie(CSRF_COOKIE, csrf, { path: '/', sameSite: 'strict', secure: secure(request), httpOnly: false });
}

export function clearSessionCookies(request: FastifyRequest, reply: FastifyReply): void {
  const common = { path: '/', sameSite: 'strict' as const, secure: secure(request) };
  reply.clearCookie(SESSION_COOKIE, { ...common, httpOnly: true });
  reply.clearCookie(CSRF_COOKIE, common);
}
