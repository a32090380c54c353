import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import {
  hashAppKey,
  safeEqual,
  type SecondFactorsService,
  type SubAccountsService,
  type UserLimitsService,
  type UsersService,
} from '../../../accounts/index.js';
import type { TeamsService } from '../../../teams/index.js';
import { AppError } from '../../../errors/index.js';
import { documentSurface } from '../../plugins/documentation.js';
import { type AttemptGuard, isRefused } from '../../../throttle/index.js';
import { throttled } from '../sign-in.js';
import type { NodesService } from '../../../pool/index.js';
import type { PackagesService } from '../../../packages/index.js';
import type { TimeFormatter } from '../../../time/time-format.js';
import type { StaticIpsService } from '../../../static-ips/index.js';
import type { PaymentsService } from '../../../billing/payments/index.js';
import { adminOrderRoutes } from './orders.js';
import { adminNodeRoutes } from './nodes.js';
import { adminCatalogueRoutes, type AdminCatalogueRoutesDeps } from './billing-catalogue.js';
import { adminPackageRoutes } from './packages.js';
import { adminStaticIpRoutes } from './static-ips.js';
import { adminSubAccountRoutes } from './sub-accounts.js';
import { adminTeamRoutes } from './teams.js';
import { adminUserRoutes } from './users.js';

export interface AdminApiDeps {
  readonly adminToken: string;
  /** Admin-token failure budget per client address (TOLLGATE_ADMIN_FAIL_PER_IP). */
  readonly guard: AttemptGuard;
  readonly limits: UserLimitsService;
  readonly users: UsersService;
  readonly nodes: NodesService;
  readonly staticIps: StaticIpsService;
  readonly packages: PackagesService;
  /** The platform time zone (package start times given as Y-m-d H:i:s). */
  readonly time: TimeFormatter;
  /** The gateway's view of node health when it runs in this process. */
  readonly nodeHealth?: ((nodeId: number) => boolean | undefined) | undefined;
  readonly payments: PaymentsService;
  readonly products: AdminCatalogueRoutesDeps['products'];
  readonly paymentMethods: AdminCatalogueRoutesDeps['paymentMethods'];
  readonly coupons: AdminCatalogueRoutesDeps['coupons'];
  readonly giftTiers: AdminCatalogueRoutesDeps['giftTiers'];
  readonly teams: TeamsService;
  readonly secondFactors: SecondFactorsService;
  readonly subAccounts: SubAccountsService;
}

/** The operator's API: `Authorization: Bearer <admin token>` on every route. */
export const adminApi: FastifyPluginAsync<AdminApiDeps> = async (app, deps) => {
  // Compare digests so the comparison is constant-time whatever the lengths.
  const expected = hashAppKey(deps.adminToken);
  documentSurface(app, { security: [{ adminToken: [] }] });
  app.addHook('onRequest', async (request: FastifyRequest) => {
    // Reserved before the token is compared: past the budget, even the right token waits.
    const attempt = deps.guard.begin(request.ip);
    if (isRefused(attempt)) throw throttled(attempt.retryAfterSeconds);
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    const ok = match?.[1] !== undefined && safeEqual(hashAppKey(match[1]), expected);
    attempt.settle(!ok);
    if (!ok) throw new AppError('TG_ERR_AUTH_ADMIN_TOKEN_INVALID');
  });
  await app.register(adminUserRoutes, { users: deps.users, limits: deps.limits, secondFactors: deps.secondFactors });
  await app.register(adminTeamRoutes, { teams: deps.teams });
  await app.register(adminSubAccountRoutes, { subAccounts: deps.subAccounts, users: deps.users, time: deps.time });
  await app.register(adminNodeRoutes, { nodes: deps.nodes, health: deps.nodeHealth });
  await app.register(adminStaticIpRoutes, { staticIps: deps.staticIps });
  await app.register(adminPackageRoutes, { packages: deps.packages, users: deps.users, time: deps.time });
  await app.register(adminOrderRoutes, { payments: deps.payments });
  await app.register(adminCatalogueRoutes, {
    products: deps.products,
    paymentMethods: deps.paymentMethods,
    coupons: deps.coupons,
    giftTiers: deps.giftTiers,
    time: deps.time,
  });
};
