/**
 * Teams: a space that owns resources exactly as a user does. Each team has a users row of kind 'team' (its
 * "backing user"): the team's sub-accounts, packages, white IPs, static IPs, orders and balance ledger (its
 * wallet) are that row's, so every domain serves a team without knowing teams exist. Members act in the space
 * with the permissions their membership grants.
 */

/** What a membership may grant. Reading the team's resources ('view') needs no permission: membership is enough. */
export const TEAM_PERMISSIONS = ['manage_accounts', 'view_billing', 'pay'] as const;
export type TeamPermission = (typeof TEAM_PERMISSIONS)[number];

/** What an endpoint needs of a member acting for a team: membership alone ('view'), or a permission. */
export type TeamRequirement = 'view' | TeamPermission;

export type TeamRole = 'owner' | 'member';

/** Public ids: 6-12 letters and digits, a letter first (the newer release's `team_id`); stored in upper case. */
export const TEAM_PUBLIC_ID = /^[A-Za-z][A-Za-z0-9]{5,11}$/;
export const TEAM_NAME_MAX = 64;
export const TEAM_PAGE_SIZE_MAX = 100;
export const TEAM_PAGE_SIZE_DEFAULT = 20;

export interface Team {
  readonly id: number;
  readonly publicId: string;
  readonly name: string;
  readonly ownerUserId: number;
  /** The users row owning the team's resources and wallet. */
  readonly backingUserId: number;
  /** 1 active, 0 disabled by the operator. */
  readonly status: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface TeamMember {
  readonly teamId: number;
  readonly userId: number;
  readonly email: string;
  readonly role: TeamRole;
  /** The owner holds every permission. */
  readonly permissions: readonly TeamPermission[];
  readonly createdAt: number;
}

/** A caller's place in a team: what the API checks before acting for the team. */
export interface Membership {
  readonly team: Team;
  readonly role: TeamRole;
  readonly permissions: readonly TeamPermission[];
}

export interface WalletRecord {
  readonly id: number;
  /** Cents, always positive: `direction` says which way. */
  readonly amountCents: number;
  readonly direction: 'credit' | 'debit';
  /** 'recharge' | 'gift' | 'order' | 'refund' | 'adjust' */
  readonly reason: string;
  readonly tradeNo: string | null;
  readonly balanceAfterCents: number;
  readonly createdAt: number;
}

export interface TeamAssetCounts {
  readonly subAccounts: number;
  readonly whiteIps: number;
  /** Packages in force now (started, not expired, not withdrawn). */
  readonly packages: number;
  /** Static IPs held now. */
  readonly staticIps: number;
  /** Orders of any status. */
  readonly orders: number;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly total: number;
  readonly page: number;
  readonly size: number;
}

export function hasRequirement(membership: Membership, need: TeamRequirement): boolean {
  return need === 'view' || membership.role === 'owner' || membership.permissions.includes(need);
}

/** Permissions from their stored text; unknown words (none are written) are dropped, failing closed. */
export function parsePermissions(text: string): TeamPermission[] {
  const words = new Set(text.split(',').map((w) => w.trim()));
  return TEAM_PERMISSIONS.filter((p) => words.has(p));
}
