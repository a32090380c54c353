import type { FastifyPluginAsync } from 'fastify';
import { type CustomerAuthOptions, customerAuthHook, dropEmptyFields } from '../../plugins/customer-auth.js';
import { type UsageRoutesDeps, usageRoutes } from './usage.js';
import { type UserRoutesDeps, userRoutes } from './user.js';
import { type WhitelistAccountDeps, whitelistAccountRoutes } from './whitelist-account.js';

export type CustomerApiDeps = CustomerAuthOptions & UserRoutesDeps & WhitelistAccountDeps & UsageRoutesDeps;

/** Every customer endpoint, mounted once per brand prefix with identical behaviour. */
export const customerApi: FastifyPluginAsync<CustomerApiDeps> = async (app, options) => {
  // Fastify passes `prefix` among the options; inner plugins must not apply it again.
  const { prefix: _prefix, ...deps } = options as CustomerApiDeps & { prefix?: string };
  app.decorateRequest('customer', null);
  app.addHook('preValidation', dropEmptyFields);
  app.addHook('preValidation', customerAuthHook(deps));
  await app.register(whitelistAccountRoutes, deps);
  await app.register(userRoutes, deps);
  await app.register(usageRoutes, deps);
};
