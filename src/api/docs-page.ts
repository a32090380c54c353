/**
 * /docs: Swagger UI over the OpenAPI document, built when the page is first opened (src/api/lazy-app.ts):
 * @fastify/swagger-ui and what it requires (@fastify/static, yaml, glob) cost about 70 ms of start-up that a
 * server answering the API need not pay.
 *
 * The page, its assets, /docs/json and /docs/yaml are exactly the plugin's: its document is this server's
 * (`app.swagger()`), its Content-Security-Policy is the one it ships for its inline styles, minus
 * upgrade-insecure-requests, which would break it on http.
 */
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { mountLazily } from './lazy-app.js';

export const DOCS_PREFIX = '/docs';

/** Registers /docs and /docs/* on `app`, answered by Swagger UI built on first use. */
export function registerDocsPage(app: FastifyInstance): void {
  mountLazily(app, {
    paths: [DOCS_PREFIX, `${DOCS_PREFIX}/*`],
    build: async (docs) => {
      const { default: swaggerUi } = await import('@fastify/swagger-ui');
      // The plugin needs @fastify/swagger beside it; the document it shows is the outer server's, given below.
      await docs.register(swagger, {
        mode: 'static',
        specification: { document: { openapi: '3.0.3', info: { title: 'Tollgate API', version: '0.1.0' }, paths: {} } },
      });
      await docs.register(swaggerUi, {
        routePrefix: DOCS_PREFIX,
        staticCSP: true,
        transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, ''),
        transformSpecification: () => app.swagger() as unknown as Record<string, unknown>,
        transformSpecificationClone: false,
      });
    },
  });
}
