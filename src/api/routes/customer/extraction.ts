import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ExtractionService } from '../../../extraction/index.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/extraction.js';
import { customerOf } from './context.js';

export interface ExtractionRoutesDeps {
  readonly extraction: ExtractionService;
}

/** `lb` as clients write it: `\r\n` typed as four characters means CR LF. */
export function decodeSeparator(lb: string | undefined): string {
  if (lb === undefined) return '\r\n';
  return lb.replace(/\\([rnt\\])/g, (_m, c: string) => ({ r: '\r', n: '\n', t: '\t', '\\': '\\' })[c] ?? c);
}

type ExtractQuery = Static<typeof S.ExtractIp.querystring>;

/** Extraction for the acting customer, answered as JSON or text: `ip/v3` and the dashboard's `ip/get-ip-v3`. */
export function extractHandler(extraction: ExtractionService) {
  return async (request: FastifyRequest<{ Querystring: ExtractQuery }>, reply: FastifyReply) => {
    const q = request.query;
    const { endpoints } = await extraction.extract(customerOf(request).id, {
      country: q.cc,
      state: q.state,
      city: q.city,
      num: q.num,
      life: q.life,
      ep: q.ep,
    });
    if (q.format === 'text' || q.format === 'txt') {
      return reply.type('text/plain; charset=utf-8').send(endpoints.join(decodeSeparator(q.lb)));
    }
    return ok({ list: [endpoints] }, languageOf(request));
  };
}

/** The documents' IP extraction (`ip/v3`): leases ports, a resource of the space, so a team needs manage_accounts. */
export const extractionRoutes: FastifyPluginAsyncTypebox<ExtractionRoutesDeps> = async (app, { extraction }) => {
  // A read that leases ports: the API waits for its gateway to know the lease before answering (server.ts).
  app.get('/ip/v3', { schema: S.ExtractIp, config: { team: 'manage_accounts', changes: true } }, extractHandler(extraction));
};
