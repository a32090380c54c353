/**
 * Route schemas compiled when first needed instead of all while the server starts.
 *
 * Why: Fastify compiles every route's validators (Ajv) and response serializers (fast-json-stringify) before it
 * listens; with the customer API mounted under four prefixes that is several hundred schemas and most of the
 * API's start-up time (about 160 ms of CPU for validation alone on the development machines), spent before the
 * first request can be answered. Here each compiler Fastify asks for returns a stand-in that compiles the real
 * one on its first call (then calls only it), and once the server listens the rest compile in the background,
 * one per turn of the event loop, so requests are not held up behind them and a schema that cannot compile is
 * still reported within a few seconds of start-up. Behaviour is Fastify's own: the same Ajv options, the same
 * compilers (@fastify/ajv-compiler, @fastify/fast-json-stringify-compiler), the validator's `errors` passed on.
 *
 * Fastify treats a compilersFactory as a custom validator compiler, which only changes how header schemas are
 * handled (it no longer lower-cases their property names); no route declares headers.
 */
import ValidatorSelector from '@fastify/ajv-compiler';
import SerializerSelector from '@fastify/fast-json-stringify-compiler';
import type { FastifyInstance } from 'fastify';
import { projectingSerializer } from './projecting-serializer.js';

type Validator = ((data: unknown) => unknown) & { errors?: unknown };
/** A string, or UTF-8 bytes for answers holding long lists (src/api/projecting-serializer.ts); Fastify sends both. */
type Serializer = (data: unknown) => string | Buffer;

export interface LazySchemaCompilers {
  /** Fastify's `schemaController.compilersFactory`. */
  readonly factory: {
    readonly buildValidator: ValidatorSelector.BuildCompilerFromPool;
    readonly buildSerializer: SerializerSelector.SerializerFactory;
  };
  /** Compiles every schema not compiled yet (throwing the first failure) and answers how many that was. */
  compilePending(): number;
  /** How many are still waiting. */
  pending(): number;
  /** Once `app` listens, compiles what is pending in the background until done or `app` closes. */
  warmAfterListen(app: FastifyInstance<any, any, any, any, any>): void;
}

const byApp = new WeakMap<object, LazySchemaCompilers>();

/** How long after listening the background compilation starts. */
const WARM_DELAY_MS = 1000;

/** Compiles every schema of `app` not compiled yet (throwing the first failure); answers how many that was. */
export function compilePendingSchemas(app: FastifyInstance<any, any, any, any, any>): number {
  return byApp.get(app)?.compilePending() ?? 0;
}

/** How many schemas of `app` are still waiting to compile. */
export function pendingSchemas(app: FastifyInstance<any, any, any, any, any>): number {
  return byApp.get(app)?.pending() ?? 0;
}

export function lazySchemaCompilers(): LazySchemaCompilers {
  const pending = new Set<() => void>();
  const validators = ValidatorSelector();
  const serializers = SerializerSelector();

  /** A stand-in for `build()`'s result that builds it on first use (or when compilePending runs). */
  function lazy<F extends (data: any) => unknown>(build: () => F): F {
    let fn: F | undefined;
    const force = () => {
      fn ??= build();
      pending.delete(force);
    };
    pending.add(force);
    return ((data: unknown) => {
      if (!fn) force();
      return fn!(data);
    }) as F;
  }

  const buildValidator = (externalSchemas: any, options: any) => {
    // The Ajv instance too is made on first use: with its formats and keywords, about 10 ms of start-up.
    let compile: ReturnType<typeof validators> | undefined;
    return (route: ValidatorSelector.RouteDefinition) => {
      let compiled: Validator | undefined;
      const standIn = lazy<Validator>(() => (compiled = (compile ??= validators(externalSchemas, options))(route) as Validator));
      // Fastify reads `errors` off the function it called when that answered false.
      const validate: Validator = (data) => {
        const valid = standIn(data);
        validate.errors = compiled?.errors;
        return valid;
      };
      return validate;
    };
  };
  const buildSerializer = (externalSchemas: any, options: any) => {
    let compile: ReturnType<typeof serializers> | undefined;
    // Answers holding lists: projected onto the schema, then JSON.stringify (src/api/projecting-serializer.ts).
    return (route: SerializerSelector.RouteDefinition) =>
      lazy<Serializer>(() =>
        projectingSerializer(
          route.schema,
          (compile ??= serializers(externalSchemas, options))(route) as (data: unknown) => string,
        ),
      );
  };

  const compilers: LazySchemaCompilers = {
    // Fastify's types expect Ajv's own function objects; the stand-ins are called the same way.
    factory: { buildValidator, buildSerializer } as unknown as LazySchemaCompilers['factory'],
    compilePending() {
      let count = 0;
      for (const force of [...pending]) {
        force();
        count++;
      }
      return count;
    },
    pending: () => pending.size,
    warmAfterListen(app) {
      byApp.set(app, compilers);
      let closed = false;
      app.addHook('onClose', async () => {
        closed = true;
      });
      app.addHook('onListen', async () => {
        const step = () => {
          const next = pending.values().next();
          if (closed || next.done) return;
          try {
            next.value();
          } catch (err) {
            pending.delete(next.value);
            app.log.error({ err }, 'a route schema does not compile');
          }
          setImmediate(step);
        };
        // Not at once: the first requests after start-up (a health check, a client that was waiting) are answered
        // first, not behind Ajv compiling its meta-schema and the first schemas (npm run bench:startup).
        setTimeout(step, WARM_DELAY_MS).unref();
      });
    },
  };
  return compilers;
}
