/**
 * Parts of the HTTP server that start-up need not pay for, built on their first request: a Fastify instance of
 * their own (routes cannot be added to one that listens), answering the paths it is mounted on through `inject`.
 * /docs (Swagger UI: about 70 ms of modules) and the web consoles' /assets (@fastify/static with send, mime and
 * glob: about as much) are mounted this way (npm run bench:startup).
 *
 * The inner answer is copied whole: status, headers (but for the framing ones, which the outer reply sets for
 * its own body) and body. A header the inner instance sets wins over the same header set by the outer server's
 * hooks (Swagger UI's Content-Security-Policy over the consoles' strict one); the outer server's other headers
 * stay. HEAD is forwarded as GET: the outer server strips the body and keeps its length. A 404 of the inner
 * instance is the outer server's own not-found answer.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

/** Headers of the inner answer not to copy: the outer reply frames its own body. */
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date']);

export interface LazyMount {
  /** Paths to answer from the inner instance, as route URLs of the outer one (`/docs`, `/docs/*`). */
  readonly paths: readonly string[];
  /** Registers the inner instance's routes, on the first request to one of `paths`. */
  readonly build: (inner: FastifyInstance) => Promise<void>;
}

export function mountLazily(app: FastifyInstance, mount: LazyMount): void {
  let inner: Promise<FastifyInstance> | undefined;
  const open = (): Promise<FastifyInstance> => {
    inner ??= (async () => {
      const instance = Fastify({ logger: false });
      await mount.build(instance);
      await instance.ready();
      return instance;
    })().catch((err: unknown) => {
      // A failed build (a module that would not load) is tried again on the next request.
      inner = undefined;
      throw err;
    });
    return inner;
  };

  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    const answer = await (await open()).inject({ method: 'GET', url: request.url, headers: request.headers });
    // Nothing there: the outer server's own not-found answer (its envelope), as when the plugin ran inside it.
    if (answer.statusCode === 404) return reply.callNotFound();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !FRAMING_HEADERS.has(name)) reply.header(name, value);
    }
    return reply.code(answer.statusCode).send(answer.rawPayload);
  };

  for (const path of mount.paths) app.get(path, { exposeHeadRoute: true, schema: { hide: true } }, forward);
  app.addHook('onClose', async () => {
    const instance = await inner?.catch(() => undefined);
    await instance?.close();
  });
}
