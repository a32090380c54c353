/**
 * How each API surface appears in the OpenAPI document, and the rule that every documented route has a
 * response schema for 200 (it drives the serializer; the every-route test checks real answers against it).
 * Each surface plugin calls `documentSurface` in its own encapsulation context, so its routes are described
 * by where they are registered, not by their URLs.
 */
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';

type Security = readonly Readonly<Record<string, readonly string[]>>[];

export interface SurfaceDocs {
  /** The security requirement of the surface's routes; routes with `config.public` get none. */
  readonly security: Security;
  /**
   * The customer API, registered once under the first prefix and answering under every one
   * (src/api/brand-prefixes.ts): each route is documented with its path relative to a `{prefix}` server
   * variable listing every prefix.
   */
  readonly prefixes?: readonly string[];
}

interface DocumentedSchema {
  readonly hide?: boolean;
  readonly response?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

/** The servers entry of a customer operation: `{prefix}` enumerating the configured prefixes. */
export function prefixServers(prefixes: readonly string[]) {
  return [
    {
      url: '{prefix}',
      description: 'The brand path prefix; every customer route answers under each of them',
      variables: { prefix: { enum: [...prefixes], default: prefixes[0] ?? '' } },
    },
  ];
}

export function documentSurface(app: FastifyInstance, docs: SurfaceDocs): void {
  const servers = docs.prefixes ? prefixServers(docs.prefixes) : undefined;
  const prefixLength = docs.prefixes?.[0]?.length ?? 0;

  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = (route.schema ?? {}) as DocumentedSchema;
    if (schema.hide) return;
    if (!schema.response?.['200']) {
      throw new Error(`${String(route.method)} ${route.url}: an API route needs a response schema for 200`);
    }
    const isPublic = (route.config as { public?: boolean } | undefined)?.public === true;
    const swaggerTransform = ({ schema: s, url }: { schema: FastifySchema; url: string }) => ({
      schema: { ...s, ...(isPublic ? {} : { security: docs.security }), ...(servers ? { servers } : {}) } as FastifySchema,
      url: url.slice(prefixLength) || '/',
    });
    // A copy: route configs may be shared module constants.
    route.config = { ...route.config, swaggerTransform };
  });
}
