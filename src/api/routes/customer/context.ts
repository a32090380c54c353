import type { FastifyRequest } from 'fastify';
import type { User } from '../../../accounts/index.js';

/** The authenticated customer; the auth hook guarantees one on every non-public customer route. */
export function customerOf(request: FastifyRequest): User {
  if (!request.customer) throw new Error('customer route reached without authentication');
  return request.customer;
}
