import type { FastifyPluginAsync } from 'fastify';
import { type CustomerAuthOptions, customerAuthHook, dropEmptyFields, mergeQueryIntoBody } from '../../plugins/customer-auth.js';
import { type ExtractionRoutesDeps, extractionRoutes } from './extraction.js';
import { type GeoRoutesDeps, geoRoutes } from './geo.js';
import { type OrderRoutesDeps, orderRoutes } from './order.js';
import { type PaymentRoutesDeps, paymentRoutes } from './payment.js';
import { type StaticIpRoutesDeps, staticIpRoutes } from './static-ips.js';
import { type UsageRoutesDeps, usageRoutes } from './usage.js';
import { type UserRoutesDeps, userRoutes } from './user.js';
import { type UserProductDeps, userProductRoutes } from './user-product.js';
import { type WhiteIpRoutesDeps, whiteIpRoutes } from './white-ip.js';
import { type WhitelistAccountDeps, whitelistAccountRoutes } from './whitelist-account.js';

export type CustomerApiDeps = CustomerAuthOptions &
  UserRoutesDeps &
  WhitelistAccountDeps &
  UsageRoutesDeps &
  StaticIpRoutesDeps &
  WhiteIpRoutesDeps &
  GeoRoutesDeps &
  ExtractionRoutesDeps &
  PaymentRoutesDeps &
  OrderRoutesDeps &
  UserProductDeps;

/** Every customer endpoint, mounted once per brand prefix with identical behaviour. */
export const customerApi: FastifyPluginAsync<CustomerApiDeps> = async (app, options) => {
  // Fastify passes `prefix` among the options; inner plugins must not apply it again.
  const { prefix: _prefix, ...deps } = options as CustomerApiDeps & { prefix?: string };
  app.decorateRequest('customer', null);
  app.addHook('preValidation', mergeQueryIntoBody);
  app.addHook('preValidation', dropEmptyFields);
  app.addHook('preValidation', customerAuthHook(deps));
  await app.register(whitelistAccountRoutes, deps);
  await app.register(userRoutes, deps);
  await app.register(usageRoutes, deps);
  await app.register(staticIpRoutes, deps);
  await app.register(userProductRoutes, deps);
  await app.register(geoRoutes, deps);
  await app.register(extractionRoutes, deps);
  await app.register(whiteIpRoutes, deps);
  await app.register(paymentRoutes, deps);
  await app.register(orderRoutes, deps);
};
