/**
 * Ajv coerces the text `Infinity` (or `1e400`) to Infinity for an integer field and then skips `maximum`
 * and `minimum`, which only look at finite numbers: a bounded `size=Infinity` passes validation. This
 * preHandler, after validation, refuses any number in the query, params or body that is not finite, so no
 * handler ever sees one. JSON bodies cannot carry one past the schema; query strings and forms can.
 */
import type { FastifyRequest } from 'fastify';
import { invalidParams } from '../../errors/index.js';

function nonFinite(source: unknown, prefix: string, into: Record<string, string>, depth = 0): void {
  if (!source || typeof source !== 'object' || depth > 3) return;
  for (const [key, value] of Object.entries(source)) {
    if (typeof value === 'number' && !Number.isFinite(value)) into[prefix + key] = 'must be a finite number';
    else if (value && typeof value === 'object' && !Buffer.isBuffer(value)) nonFinite(value, `${prefix}${key}.`, into, depth + 1);
  }
}

export async function refuseNonFiniteNumbers(request: FastifyRequest): Promise<void> {
  const errors: Record<string, string> = {};
  nonFinite(request.query, '', errors);
  nonFinite(request.params, '', errors);
  nonFinite(request.body, '', errors);
  if (Object.keys(errors).length > 0) throw invalidParams(errors);
}
