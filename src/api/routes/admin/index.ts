import type { FastifyPluginAsync } from 'fastify';
import type {
  SecondFactorsService,
  SubAccountsService,
  UserLimitsService,
  UsersService,
  WhiteIpsService,
} from '../../../accounts/index.js';
import type { TeamsService } from '../../../teams/index.js';
import { documentSurface } from '../../plugins/documentation.js';
import type { AttemptGuard } from '../../../throttle/index.js';
import type { AuditService } from '../../../audit/index.js';
import type { BalanceAdjustments } from '../../../billing/index.js';
import type { OperatorsService } from '../../../operators/index.js';
import type { UsageService } from '../../../usage/index.js';
import { adminConsoleRoutes, type LiveSource } from './console.js';
import { operatorAccess } from './operator-access.js';
import type { NodesService } from '../../../pool/index.js';
import type { PackagesService } from '../../../packages/index.js';
import type { TimeFormatter } from '../../../time/time-format.js';
import type { StaticIpsService } from '../../../static-ips/index.js';
import type { PaymentsService } from '../../../billing/payments/index.js';
import { adminOrderRoutes } from './orders.js';
import { adminInvoiceRoutes } from './invoices.js';
import type { InvoicesService } from '../../../billing/invoices/index.js';
import { adminNodeRoutes } from './nodes.js';
import { adminCatalogueRoutes, type AdminCatalogueRoutesDeps } from './billing-catalogue.js';
import { adminPackageRoutes } from './packages.js';
import { adminStaticIpRoutes } from './static-ips.js';
import { adminSubAccountRoutes } from './sub-accounts.js';
import { adminTeamRoutes } from './teams.js';
import { adminUserRoutes } from './users.js';
import { adminGatewayRoutes } from './gateways.js';
import type { GatewayDirectory } from '../../../cluster/gateway-directory.js';

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
  readonly invoices: InvoicesService;
  readonly operators: OperatorsService;
  readonly audit: AuditService;
  readonly balances: BalanceAdjustments;
  readonly subAccounts: SubAccountsService;
  readonly whiteIps: WhiteIpsService;
  readonly usage: UsageService;
  /** The gateway of this process, for GET /admin/live (absent when the gateway runs elsewhere). */
  readonly live?: LiveSource | undefined;
  /** The gateway registry (GET /admin/gateways). */
  readonly gateways: GatewayDirectory;
  readonly now: () => number;
}

/**
 * The operator's API: `Authorization: Bearer <admin token>`, or an operator's console session cookie (with
 * `X-CSRF-Token` on writes; roles enforced per route), on every route; every write lands in the audit log.
 */
export const adminApi: FastifyPluginAsync<AdminApiDeps> = async (app, deps) => {
  documentSurface(app, { security: [{ adminToken: [] }, { consoleSession: [] }] });
  operatorAccess(app, { adminToken: deps.adminToken, guard: deps.guard, operators: deps.operators, audit: deps.audit });
  await app.register(adminUserRoutes, { users: deps.users, limits: deps.limits, secondFactors: deps.secondFactors });
  await app.register(adminTeamRoutes, { teams: deps.teams });
  await app.register(adminSubAccountRoutes, { subAccounts: deps.subAccounts, users: deps.users, time: deps.time });
  await app.register(adminNodeRoutes, { nodes: deps.nodes, health: deps.nodeHealth });
  await app.register(adminStaticIpRoutes, { staticIps: deps.staticIps });
  await app.register(adminPackageRoutes, { packages: deps.packages, users: deps.users, time: deps.time });
  await app.register(adminOrderRoutes, { payments: deps.payments });
  await app.register(adminInvoiceRoutes, { invoices: deps.invoices });
  await app.register(adminCatalogueRoutes, {
    products: deps.products,
    paymentMethods: deps.paymentMethods,
    coupons: deps.coupons,
    giftTiers: deps.giftTiers,
    time: deps.time,
  });
  await app.register(adminGatewayRoutes, { gateways: deps.gateways });
  await app.register(adminConsoleRoutes, {
    operators: deps.operators,
    audit: deps.audit,
    users: deps.users,
    balances: deps.balances,
    packages: deps.packages,
    subAccounts: deps.subAccounts,
    whiteIps: deps.whiteIps,
    staticIps: deps.staticIps,
    payments: deps.payments,
    usage: deps.usage,
    live: deps.live,
    now: deps.now,
  });
};
