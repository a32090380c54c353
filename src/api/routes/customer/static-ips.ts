import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { staticTypeOf } from '../../../products/index.js';
import type { StaticIpsService } from '../../../static-ips/index.js';
import type { TimeFormatter } from '../../../time/time-format.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/static-ips.js';
import { customerOf } from './context.js';

export interface StaticIpRoutesDeps {
  readonly staticIps: StaticIpsService;
  readonly time: TimeFormatter;
}

/** The documents' static IP endpoints: what is on sale, and what the user holds. */
export const staticIpRoutes: FastifyPluginAsyncTypebox<StaticIpRoutesDeps> = async (app, { staticIps, time }) => {
  // The documents name it `static-ip-region`, the newer release `ip/static-ip-region`.
  for (const url of ['/static-ip-region', '/ip/static-ip-region']) {
    app.get(url, { schema: S.StaticIpRegion, config: { team: 'view' } }, async (request) => {
      const q = request.query;
      const counts = await staticIps.regionCounts(staticTypeOf((q.isp ?? 1) === 1), {
        byAsn: q.asn === 1,
        exclusive: q.exclusive === 1,
      });
      return ok(
        { list: counts.map((c) => ({ code: c.country, ...(c.asn === undefined ? {} : { asn: c.asn }), number: c.number })) },
        languageOf(request),
      );
    });
  }

  app.get('/ip/get-static-ip', { schema: S.GetStaticIp, config: { team: 'view' } }, async (request) => {
    const q = request.query;
    const { list, total } = await staticIps.listForUser(customerOf(request).id, {
      country: q.country_code,
      productType: q.product_type,
      tradeNo: q.trade_no,
      status: q.status,
      page: q.page,
      size: q.size,
    });
    return ok(
      {
        list: list.map((a) => ({
          id: a.id,
          ip: a.ip,
          port: a.port,
          country_code: a.country,
          product_type: a.productType,
          asn: a.asn,
          trade_no: a.tradeNo,
          status: a.status,
          created_at: time.format(a.createdAt),
          expired_at: time.format(a.expiresAt),
        })),
        page: q.page,
        page_size: q.size,
        total_count: total,
        total_page: Math.ceil(total / q.size),
      },
      languageOf(request),
    );
  });
};
