/**
 * Turns every failure into the envelope. Only catalogued errors reach clients
 * as themselves; anything else is logged in full and answered as TG_ERR_INTERNAL.
 *
 * Each API surface registers its own handlers in its own encapsulation context:
 * the customer plugin answers HTTP 200 whatever the code (the documents' rule),
 * the root context (admin API, webhooks, unknown paths) uses the catalogue's
 * HTTP status. Errors Fastify raises before a request reaches a context (a
 * header block past Node's limit, a malformed request line, a bad URL) get the
 * envelope from `clientErrorHandler` and `frameworkErrors`, with real statuses.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type Language } from '../../errors/index.js';
import { failure } from '../envelope.js';
import { languageFrom, languageOf } from '../language.js';
import { ErrorEnvelope } from '../schemas/common.js';

export interface ErrorHandlingOptions {
  readonly bodyLimit: number;
  /** True inside the customer API: every answer is HTTP 200, the code says what happened. */
  readonly alwaysHttp200: boolean;
  /** Before answering "no such route": a chance to answer otherwise (a web console's page); true when it did. */
  readonly notFoundFallback?: (request: FastifyRequest, reply: FastifyReply) => boolean;
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

const MULTIPART_INVALID = { body: 'is not valid multipart/form-data' };

/**
 * Reading a multipart body failed. Everything that can fail there is the client's input (busboy's parse
 * errors carry no code, so they cannot be told apart one by one); the limits keep their own reasons.
 */
export class MultipartBodyError extends Error {
  constructor(readonly cause: unknown) {
    super('malformed multipart/form-data body');
    this.name = 'MultipartBodyError';
  }
}

/** Maps framework errors to catalogued ones; undefined for anything that is our fault. */
export function toAppError(err: FastifyError | Error, bodyLimit: number): AppError | undefined {
  if (err instanceof AppError) return err;
  if (err instanceof MultipartBodyError) {
    const inner = err.cause;
    if (inner instanceof AppError) return inner;
    return toAppError(inner as FastifyError, bodyLimit) ?? new AppError('TG_ERR_PARAM_INVALID', { errors: MULTIPART_INVALID });
  }
  const fe = err as FastifyError;
  if (fe.validation) return new AppError('TG_ERR_PARAM_INVALID', { errors: fieldReasons(fe.validation as AjvError[]) });
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
      return new AppError('TG_ERR_BODY_TOO_LARGE', { params: { limit: bodyLimit } });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
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
    case 'FST_PROTO_VIOLATION':
      return new AppError('TG_ERR_PARAM_INVALID', { errors: { body: 'field names such as __proto__ are not accepted' } });
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
    case 'FST_MULTIPART_INVALID_CONTENT':
    case 'FST_INVALID_JSON_FIELD_ERROR':
    case 'FST_MP_PREMATURE_CLOSE':
      return new AppError('TG_ERR_PARAM_INVALID', { errors: MULTIPART_INVALID });
    case 'FST_ERR_BAD_URL':
      return new AppError('TG_ERR_PARAM_INVALID', { errors: { url: 'is not a valid URL (bad percent-encoding)' } });
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError('TG_ERR_PARAM_INVALID', { errors: { url: 'a path parameter is too long' } });
    default:
      // Body-parser syntax errors (JSON, including a __proto__ key) carry status 400 and no code.
      if (err instanceof SyntaxError && fe.statusCode === 400) {
        return new AppError('TG_ERR_PARAM_INVALID', { errors: { body: 'is not valid JSON' } });
      }
      return undefined;
  }
}

/** Sends the error envelope, serialized by its own schema (the route's schema describes its success answer). */
function sendFailure(request: FastifyRequest, reply: FastifyReply, err: AppError, status: number): FastifyReply {
  if (err.key === 'TG_ERR_RATE_LIMITED' || err.key === 'TG_ERR_AUTH_THROTTLED') {
    reply.header('retry-after', String(err.params.seconds ?? 1));
  }
  const body = reply.serializeInput({ ...failure(err, languageOf(request)) }, ErrorEnvelope);
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/** The error and not-found handlers of one encapsulation context. */
export function registerErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions): void {
  const statusOf = (err: AppError) => (options.alwaysHttp200 ? 200 : err.httpStatus);

  app.setErrorHandler((err: FastifyError, request, reply) => {
    const known = toAppError(err, options.bodyLimit);
    if (known) return sendFailure(request, reply, known, statusOf(known));
    request.log.error({ err }, 'unhandled error');
    const internal = new AppError('TG_ERR_INTERNAL');
    return sendFailure(request, reply, internal, statusOf(internal));
  });

  app.setNotFoundHandler((request, reply) => {
    if (options.notFoundFallback?.(request, reply)) return reply;
    const err = new AppError('TG_ERR_ROUTE_NOT_FOUND');
    return sendFailure(request, reply, err, statusOf(err));
  });
}

/** `frameworkErrors`: errors Fastify raises while routing (a bad URL), before any context's handler applies. */
export function frameworkErrorHandler(bodyLimit: number) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const known = toAppError(err, bodyLimit) ?? new AppError('TG_ERR_PARAM_INVALID', { errors: { url: 'is invalid' } });
    return sendFailure(request, reply, known, known.httpStatus);
  };
}

/** The language of a request that never parsed, from what arrived of its raw bytes. */
function languageOfRawPacket(raw: unknown): Language {
  if (!Buffer.isBuffer(raw)) return 'zh';
  const lines = raw.toString('latin1', 0, Math.min(raw.length, 64 * 1024)).split('\r\n');
  const target = lines[0]?.split(' ')[1] ?? '';
  const queryAt = target.indexOf('?');
  const query = queryAt >= 0 ? Object.fromEntries(new URLSearchParams(target.slice(queryAt + 1))) : undefined;
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return languageFrom({ query, headers });
}

/**
 * Node's `clientError`: the request could not be parsed (a header block or URL past Node's 16 KB limit, a
 * malformed request line, a timeout). No route or context exists, so the real HTTP status goes with the envelope.
 * Never logs the raw packet: it holds the URL and headers, credentials included.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException & { rawPacket?: unknown }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const known =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new AppError('TG_ERR_REQUEST_HEADER_TOO_LARGE')
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new AppError('TG_ERR_REQUEST_TIMEOUT')
        : new AppError('TG_ERR_PARAM_INVALID', { errors: { request: 'is not a valid HTTP request' } });
  if (socket.writable) {
    const body = JSON.stringify(failure(known, languageOfRawPacket(err.rawPacket)));
    const reason = http.STATUS_CODES[known.httpStatus] ?? 'Error';
    socket.write(
      `HTTP/1.1 ${known.httpStatus} ${reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
