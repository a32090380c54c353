/**
 * multipart/form-data bodies (PHP's curl sends array POSTFIELDS that way): the fields become the body, as a
 * form's would; files are refused. Any failure while reading the parts is the client's input and is wrapped
 * as MultipartBodyError, which the error handlers answer as an invalid body, never as a server error.
 */
import type { FastifyRequest } from 'fastify';
import { MultipartBodyError } from './errors.js';

export async function multipartFields(request: FastifyRequest): Promise<void> {
  if (!request.isMultipart()) return;
  const body: Record<string, string | string[]> = {};
  try {
    for await (const part of request.parts()) {
      // Files are refused by the plugin's `files: 0` limit before one reaches here.
      if (part.type !== 'field') continue;
      const value = typeof part.value === 'string' ? part.value : String(part.value);
      const seen = body[part.fieldname];
      body[part.fieldname] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
    }
  } catch (err) {
    throw new MultipartBodyError(err);
  }
  request.body = body;
}
