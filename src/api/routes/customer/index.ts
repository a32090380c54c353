import type { FastifyPluginAsync } from 'fastify';
import { type CustomerAuthOptions, customerAuthHook, dropEmptyFields, mergeQueryIntoBody } from '../../plugins/customer-auth.js';
import { longestFirst, prefixOf } from '../../brand-prefixes.js';
import { documentSurface } from '../../plugins/documentation.js';
import { registerErrorHandling } from '../../plugins/errors.js';
import { captureTeamId, registerTeamScope } from '../../plugins/team-scope.js';
import { type ExtractionRoutesDeps, extractionRoutes } from './extraction.js';
import { type AutoRenewalRoutesDeps, autoRenewalRoutes } from './auto-renewal.js';
import { type GeoRoutesDeps, geoRoutes } from './geo.js';
import { type InvoiceRoutesDeps, invoiceRoutes } from './invoices.js';
import { type NewerAccountRoutesDeps, newerAccountRoutes } from './newer-accounts.js';
import { type OrderRoutesDeps, orderRoutes } from './order.js';
import { type PaymentRoutesDeps, paymentRoutes } from './payment.js';
import { type StaticIpRoutesDeps, staticIpRoutes } from './static-ips.js';
import { type TeamRoutesDeps, teamRoutes } from './teams.js';
import { type UsageRoutesDeps, usageRoutes } from './usage.js';
import { type UserRoutesDeps, userRoutes } from './user.js';
import { type UserProductDeps, userProductRoutes } from './user-product.js';
import { type WhiteIpRoutesDeps, whiteIpRoutes } from './white-ip.js';
import { type WhitelistAccountDeps, whitelistAccountRoutes } from './whitelist-account.js';

/** What the customer surface itself needs, beside the routes' services. */
export interface CustomerSurfaceOptions {
  /** TOLLGATE_BODY_LIMIT, named in the 413 message. */
  readonly bodyLimit: number;
  /** Every configured brand prefix: the OpenAPI document describes each route once, over all of them. */
  readonly prefixes: readonly string[];
}

export type CustomerApiDeps = CustomerSurfaceOptions &
  CustomerAuthOptions &
  UserRoutesDeps &
  WhitelistAccountDeps &
  UsageRoutesDeps &
  StaticIpRoutesDeps &
  WhiteIpRoutesDeps &
  GeoRoutesDeps &
  ExtractionRoutesDeps &
  PaymentRoutesDeps &
  OrderRoutesDeps &
  UserProductDeps &
  TeamRoutesDeps &
  InvoiceRoutesDeps &
  NewerAccountRoutesDeps &
  AutoRenewalRoutesDeps;

/**
 * Every customer endpoint, registered once under the first brand prefix; requests under the others are rewritten
 * onto it before routing (src/api/brand-prefixes.ts), so every prefix behaves identically. Its error and not-found
 * handlers live in this context: every answer here is HTTP 200 with the code in the envelope.
 */
export const customerApi: FastifyPluginAsync<CustomerApiDeps> = async (app, options) => {
  // Fastify passes `prefix` among the options; inner plugins must not apply it again.
  const { prefix: _prefix, ...deps } = options as CustomerApiDeps & { prefix?: string };
  registerErrorHandling(app, { bodyLimit: deps.bodyLimit, alwaysHttp200: true });
  documentSurface(app, { security: [{ appKey: [] }, { bearer: [] }], prefixes: deps.prefixes });
  app.decorateRequest('customer', null);
  // The prefix the client used (the URL was rewritten onto the first before routing): for logs and labels.
  const prefixes = longestFirst(deps.prefixes);
  app.decorateRequest('brandPrefix', '');
  app.addHook('onRequest', (request, _reply, done) => {
    request.brandPrefix = prefixOf(request.originalUrl, prefixes) ?? deps.prefixes[0] ?? '';
    done();
  });
  registerTeamScope(app);
  app.addHook('preValidation', mergeQueryIntoBody);
  // Before empty fields are dropped: `team_id=""` asks for the personal space explicitly.
  app.addHook('preValidation', captureTeamId);
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
  await app.register(teamRoutes, deps);
  await app.register(invoiceRoutes, deps);
  await app.register(newerAccountRoutes, deps);
  await app.register(autoRenewalRoutes, deps);
};
