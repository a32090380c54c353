import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
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

/** The documents' IP extraction (`ip/v3`). */
export const extractionRoutes: FastifyPluginAsyncTypebox<ExtractionRoutesDeps> = async (app, { extraction }) => {
  // A read that leases ports: the API waits for its gateway to know the lease before answering (server.ts).
  app.get('/ip/v3', { schema: S.ExtractIp, config: { changes: true } }, async (request, reply) => {
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
  });
};
