import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { UsageService } from '../../../usage/index.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/customer.js';
import { customerOf } from './context.js';

export interface UsageRoutesDeps {
  readonly usage: UsageService;
}

/** The documents' traffic log (`user-usage-flow/total`). */
export const usageRoutes: FastifyPluginAsyncTypebox<UsageRoutesDeps> = async (app, { usage }) => {
  app.get('/user-usage-flow/total', { schema: S.UsageFlowTotal, config: { team: 'view' } }, async (request) => {
    const q = request.query;
    const days = await usage.daily(customerOf(request).id, {
      start: q.start_time,
      end: q.end_time,
      username: q.username,
      productType: q.product_type,
    });
    return ok({ list: days.map((d) => ({ day: d.day, flow: Math.floor(d.bytes / 1024) })) }, languageOf(request));
  });
};
