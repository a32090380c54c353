/** The fair-share caps per user: one list, read by the service, its repository, the admin API and the CLI. */
import type { UserLimitDefaults } from '../config/index.js';

export type LimitName = 'sub_accounts' | 'white_ips' | 'extract_leases' | 'tunnels_per_user' | 'tunnels_per_account';

/** Every cap: its name (API, CLI and column), its default in the configuration, and its largest value. */
export const LIMITS: readonly { readonly name: LimitName; readonly config: keyof UserLimitDefaults; readonly max: number }[] = [
  { name: 'sub_accounts', config: 'subAccounts', max: 10_000_000 },
  { name: 'white_ips', config: 'whiteIps', max: 10_000 },
  { name: 'extract_leases', config: 'extractLeases', max: 65_535 },
  { name: 'tunnels_per_user', config: 'tunnelsPerUser', max: 10_000_000 },
  { name: 'tunnels_per_account', config: 'tunnelsPerAccount', max: 10_000_000 },
];

export type UserLimits = Readonly<Record<LimitName, number>>;
