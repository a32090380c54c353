/**
 * Turns every failure into the envelope. Only catalogued errors reach clients
 * as themselves; anything else is logged in full and answered as TG_ERR_INTERNAL.
 * Customer routes answer HTTP 200 whatever the code (the documents' rule);
 * the admin API and everything else use the catalogue's HTTP status.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors/index.js';
import { failure } from '../envelope.js';
import { languageOf } from '../language.js';

export interface ErrorHandlingOptions {
  readonly customerPrefixes: readonly string[];
  readonly bodyLimit: number;
}

interface AjvError {
  instancePath?: string;
  keyword: string;
  message?: string;
  params?: Record<string, unknown>;
}

function fieldReasons(validation: readonly AjvError[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const e of validation) {
    const path = (e.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
    const field = e.keyword === 'required' ? String(e.params?.missingProperty ?? path) : path || 'body';
    if (errors[field]) continue;
    if (e.keyword === 'required') errors[field] = 'is required';
    else if (e.keyword === 'enum') errors[field] = `must be one of ${((e.params?.allowedValues ?? []) as unknown[]).join(', ')}`;
    else errors[field] = e.message ?? 'is invalid';
  }
  return errors;
}

/** Maps framework errors to catalogued ones. */
function toAppError(err: FastifyError, bodyLimit: number): AppError | undefined {
  if (err instanceof AppError) return err;
  if (err.validation) return new AppError('TG_ERR_PARAM_INVALID', { errors: fieldReasons(err.validation as AjvError[]) });
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('TG_ERR_BODY_TOO_LARGE', { params: { limit: bodyLimit } });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('TG_ERR_UNSUPPORTED_MEDIA_TYPE');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('TG_ERR_PARAM_INVALID', { errors: { body: 'is not valid JSON' } });
    case 'FST_FILES_LIMIT':
      return new AppError('TG_ERR_PARAM_INVALID', { errors: { body: 'file uploads are not accepted' } });
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new AppError('TG_ERR_PARAM_INVALID', { errors: { body: 'too many fields' } });
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
    case 'FST_MULTIPART_INVALID_CONTENT':
      return new AppError('TG_ERR_PARAM_INVALID', { errors: { body: 'is not valid multipart/form-data' } });
    default:
      // Body-parser syntax errors carry status 400 and no code.
      if (err instanceof SyntaxError && err.statusCode === 400) {
        return new AppError('TG_ERR_PARAM_INVALID', { errors: { body: 'is not valid JSON' } });
      }
      return undefined;
  }
}

export function isCustomerUrl(url: string, prefixes: readonly string[]): boolean {
  return prefixes.some((p) => url === p || url.startsWith(`${p}/`) || url.startsWith(`${p}?`));
}

export function registerErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions): void {
  const send = (request: FastifyRequest, reply: FastifyReply, err: AppError) => {
    const status = isCustomerUrl(request.url, options.customerPrefixes) ? 200 : err.httpStatus;
    // Error bodies do not follow the route's success schema: serialize them as they are.
    return reply
      .code(status)
      .serializer((payload: unknown) => JSON.stringify(payload))
      .type('application/json; charset=utf-8')
      .send(failure(err, languageOf(request)));
  };

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const known = toAppError(err, options.bodyLimit);
    if (known) {
      if (known.key === 'TG_ERR_RATE_LIMITED' || known.key === 'TG_ERR_AUTH_THROTTLED') {
        reply.header('retry-after', String(known.params.seconds ?? 1));
      }
      return send(request, reply, known);
    }
    request.log.error({ err }, 'unhandled error');
    return send(request, reply, new AppError('TG_ERR_INTERNAL'));
  });

  app.setNotFoundHandler((request, reply) => send(request, reply, new AppError('TG_ERR_ROUTE_NOT_FOUND')));
}
