import type { Migration } from 'kysely';
import * as initial from './2026-11-23T1400-initial.js';
import * as gateway from './2026-11-23T1600-gateway.js';
import * as packages from './2026-11-23T1800-packages.js';
import * as billing from './2026-11-23T2000-billing.js';
import * as userLimits from './2026-11-24T0900-user-limits.js';
import * as changeLogCommitOrder from './2026-12-01T1000-change-log-commit-order.js';
import * as timePackages from './2026-12-02T1000-time-packages.js';
import * as teamsKeysSignIn from './2026-12-03T1000-teams-keys-sign-in.js';
import * as subAccountDailyLimitUdp from './2026-12-04T1000-sub-account-daily-limit-udp.js';
import * as autoRenewal from './2026-12-04T1100-auto-renewal.js';
import * as invoices from './2026-12-04T1200-invoices.js';
import * as operatorsAudit from './2026-12-04T1300-operators-audit.js';
import * as webSessions from './2026-12-04T1400-web-sessions.js';
import * as cluster from './2026-12-04T1500-cluster.js';
import * as staticIpAsn from './2026-12-05T1000-static-ip-asn.js';
import * as portal from './2026-12-05T1200-portal.js';

/** Every migration, by name; names sort in the order they run. */
export const migrations: Record<string, Migration> = {
  '2026-11-23T1400-initial': initial,
  '2026-11-23T1600-gateway': gateway,
  '2026-11-23T1800-packages': packages,
  '2026-11-23T2000-billing': billing,
  '2026-11-24T0900-user-limits': userLimits,
  '2026-12-01T1000-change-log-commit-order': changeLogCommitOrder,
  '2026-12-02T1000-time-packages': timePackages,
  '2026-12-03T1000-teams-keys-sign-in': teamsKeysSignIn,
  '2026-12-04T1000-sub-account-daily-limit-udp': subAccountDailyLimitUdp,
  '2026-12-04T1100-auto-renewal': autoRenewal,
  '2026-12-04T1200-invoices': invoices,
  '2026-12-04T1300-operators-audit': operatorsAudit,
  '2026-12-04T1400-web-sessions': webSessions,
  '2026-12-04T1500-cluster': cluster,
  '2026-12-05T1000-static-ip-asn': staticIpAsn,
  '2026-12-05T1200-portal': portal,
};
