/**
 * The web consoles, served on the API port from their build (dist/web, TOLLGATE_WEB_DIR): the customer portal
 * at `/` and the operator console at `/console`. Both are single-page apps: a browser asking for any other page
 * of an app (`/sub-accounts`, `/console/users`) gets the app's index.html and the app routes itself.
 *
 * Every API surface wins over a page: the brand prefixes, /admin and /web_v1 keep their own not-found answers
 * (their contexts' handlers), and the root fallback below answers only browsers navigating (GET or HEAD that
 * accepts text/html) to a path no surface claims. Hashed assets are cached for a year; index.html never is,
 * so a new build is picked up on the next visit.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { mountLazily } from '../lazy-app.js';

export interface WebApps {
  /** The root not-found fallback: sends an app's page and answers true, or answers false (an API 404 follows). */
  readonly fallback: (request: FastifyRequest, reply: FastifyReply) => boolean;
}

/** Paths that are never a page of the portal, whatever the browser asks for. */
const NOT_PAGES = ['/admin', '/web_v1', '/web', '/assets', '/openapi.json', '/docs', '/metrics', '/healthz'];

/** The apps whose build is in `dir`; undefined when nothing is built there (the API runs without consoles). */
export function loadWebApps(dir: string): { portal: Buffer; console: Buffer } | undefined {
  const portal = join(dir, 'portal', 'index.html');
  const consolePage = join(dir, 'console', 'index.html');
  if (!existsSync(portal) || !existsSync(consolePage)) return undefined;
  return { portal: readFileSync(portal), console: readFileSync(consolePage) };
}

function underAny(path: string, prefixes: readonly string[]): boolean {
  return prefixes.some((p) => path === p || path.startsWith(`${p}/`));
}

function sendPage(reply: FastifyReply, page: Buffer): FastifyReply {
  return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page);
}

/** Registers the assets and the apps' entry pages; returns the fallback for the root not-found handler. */
export async function registerWebApps(
  app: FastifyInstance,
  options: { dir: string; pages: { portal: Buffer; console: Buffer }; apiPrefixes: readonly string[] },
): Promise<WebApps> {
  const { pages } = options;
  // @fastify/static is loaded with the first asset asked for (src/api/lazy-app.ts), not at start-up.
  mountLazily(app, {
    paths: ['/assets/*'],
    build: async (assets) => {
      const { default: fastifyStatic } = await import('@fastify/static');
      await assets.register(fastifyStatic, {
        root: join(options.dir, 'assets'),
        prefix: '/assets/',
        index: false,
        // Names carry a content hash: a changed file is a new name.
        immutable: true,
        maxAge: '365d',
        decorateReply: false,
      });
    },
  });
  const hidden = { exposeHeadRoute: true, schema: { hide: true } };
  app.get('/', hidden, async (_request, reply) => sendPage(reply, pages.portal));
  app.get('/console', hidden, async (_request, reply) => sendPage(reply, pages.console));
  app.get('/console/*', hidden, async (_request, reply) => sendPage(reply, pages.console));

  const notPages = [...NOT_PAGES, ...options.apiPrefixes];
  return {
    fallback(request, reply) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return false;
      if (!String(request.headers.accept ?? '').includes('text/html')) return false;
      const path = request.url.split('?')[0] ?? '/';
      if (underAny(path, notPages) || /\.[A-Za-z0-9]+$/.test(path)) return false;
      sendPage(reply, pages.portal);
      return true;
    },
  };
}
