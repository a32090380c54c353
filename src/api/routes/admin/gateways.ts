/** GET /admin/gateways: the gateway registry, as `tollgate gateways list` and the console's live view show it. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type GatewayDirectory, gatewayView } from '../../../cluster/gateway-directory.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/gateways.js';

export interface AdminGatewayRoutesDeps {
  readonly gateways: GatewayDirectory;
}

export const adminGatewayRoutes: FastifyPluginAsyncTypebox<AdminGatewayRoutesDeps> = async (app, { gateways }) => {
  app.get('/gateways', { schema: S.AdminListGateways }, async (request) => {
    const listing = await gateways.list();
    return ok(
      {
        cluster: listing.cluster,
        list: listing.gateways.map(gatewayView),
        alive: listing.gateways.filter((g) => g.alive).length,
      },
      languageOf(request),
    );
  });
};
