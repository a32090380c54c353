/**
 * /docs: Swagger UI over the OpenAPI document, loaded on its first request. @fastify/swagger-ui and what it
 * requires (@fastify/static, yaml, glob) cost about 70 ms of start-up that a server answering the API need not
 * pay; it is built the first time someone opens the page, in a Fastify instance of its own (routes cannot be added
 * to a listening one), and /docs and everything under it are answered by that instance through `inject`.
 *
 * The page, its assets, /docs/json and /docs/yaml are exactly the plugin's: its document is this server's
 * (`app.swagger()`), its Content-Security-Policy is the one it ships for its inline styles, minus
 * upgrade-insecure-requests, which would break it on http.
 */
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

export const DOCS_PREFIX = '/docs';

/** Headers of the inner answer not to copy: the outer reply frames its own body. */
const HOP_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date']);

async function buildDocsApp(document: () => Record<string, unknown>): Promise<FastifyInstance> {
  const { default: swaggerUi } = await import('@fastify/swagger-ui');
  const docs = Fastify({ logger: false });
  // The plugin needs @fastify/swagger beside it; the document it shows is the outer server's, given below.
  await docs.register(swagger, {
    mode: 'static',
    specification: { document: { openapi: '3.0.3', info: { title: '', version: '' }, paths: {} } },
  });
  await docs.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    staticCSP: true,
    transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, ''),
    transformSpecification: () => document(),
    transformSpecificationClone: false,
  });
  await docs.ready();
  return docs;
}

/** Registers /docs and /docs/* on `app`, answered by Swagger UI built on first use. */
export function registerDocsPage(app: FastifyInstance): void {
  let docs: Promise<FastifyInstance> | undefined;
  const document = () => app.swagger() as unknown as Record<string, unknown>;

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    docs ??= buildDocsApp(document).catch((err: unknown) => {
      docs = undefined;
      throw err;
    });
    const inner = await (
      await docs
    ).inject({
      method: request.method as 'GET' | 'HEAD',
      url: request.url,
      headers: request.headers,
    });
    for (const [name, value] of Object.entries(inner.headers)) {
      if (value !== undefined && !HOP_HEADERS.has(name)) reply.header(name, value);
    }
    return reply.code(inner.statusCode).send(inner.rawPayload);
  };

  app.get(DOCS_PREFIX, { schema: { hide: true } }, handler);
  app.get(`${DOCS_PREFIX}/*`, { schema: { hide: true } }, handler);
  app.addHook('onClose', async () => {
    if (docs) await (await docs.catch(() => undefined))?.close();
  });
}
