import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { allocationView, type StaticIpsService, staticIpView } from '../../../static-ips/index.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/static-ips.js';

export interface AdminStaticIpRoutesDeps {
  readonly staticIps: StaticIpsService;
}

/** The static IP inventory (add, list, remove, maintenance) and allocations (allocate to a user, renew, release). */
export const adminStaticIpRoutes: FastifyPluginAsyncTypebox<AdminStaticIpRoutesDeps> = async (app, { staticIps }) => {
  app.post('/static-ips', { schema: S.AdminAddStaticIp }, async (request) => {
    const b = request.body;
    const added = await staticIps.add({
      ip: b.ip,
      port: b.port,
      country: b.country,
      state: b.state,
      city: b.city,
      productType: b.product_type,
      url: b.url,
      asn: b.asn,
    });
    return ok(staticIpView(added), languageOf(request));
  });

  app.get('/static-ips', { schema: S.AdminListStaticIps }, async (request) => {
    const q = request.query;
    const list = await staticIps.list({ country: q.country, productType: q.product_type, asn: q.asn });
    return ok({ list: list.map(staticIpView) }, languageOf(request));
  });

  app.delete('/static-ips/:id', { schema: S.AdminRemoveStaticIp }, async (request) => {
    await staticIps.remove(request.params.id);
    return ok(null, languageOf(request));
  });

  app.patch('/static-ips/:id', { schema: S.AdminUpdateStaticIp }, async (request) =>
    ok(staticIpView(await staticIps.update(request.params.id, request.body)), languageOf(request)),
  );

  app.post('/users/:id/static-ips', { schema: S.AdminAllocateStaticIps }, async (request) => {
    const b = request.body;
    const list = await staticIps.allocate({
      userId: request.params.id,
      country: b.country,
      productType: b.product_type,
      count: b.count,
      days: b.days,
      tradeNo: b.trade_no,
    });
    return ok({ list: list.map(allocationView) }, languageOf(request));
  });

  app.post('/static-ip-allocations/:id/renew', { schema: S.AdminRenewAllocation }, async (request) =>
    ok(allocationView(await staticIps.renewAllocation(request.params.id, request.body.days)), languageOf(request)),
  );

  app.post('/static-ip-allocations/:id/release', { schema: S.AdminReleaseAllocation }, async (request) =>
    ok(allocationView(await staticIps.release(request.params.id)), languageOf(request)),
  );
};
