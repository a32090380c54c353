/**
 * The gateway's live view of one sub-account. Connections hold a reference and
 * charge it per chunk: `charge()` adds to an integer and compares, nothing more,
 * so counting costs nothing on the hot path. The meter flushes `used - flushed`.
 */
import type { PackageQuota } from './package-quota.js';

/** A user's tunnel caps, one object shared by all the user's states, so an operator's change reaches them all. */
export interface TunnelShare {
  perUser: number;
  perAccount: number;
}

export class AccountState {
  /** Billed bytes so far: the stored total plus everything relayed since. */
  used: number;
  /** The part of `used` already written to the database. */
  flushed: number;
  /** Bytes the account may use in all; Infinity when unlimited. */
  limit: number;
  /** Set when the account stops being usable (disabled, deleted, new password, user disabled). */
  revoked = false;
  /** Called once when `used` reaches `limit`; the gateway closes the account's connections. */
  onExhausted: ((state: AccountState) => void) | undefined;
  /** The owner's packages of this product type, for types metered by package (see package-quota.ts). */
  quota: PackageQuota | undefined;

  constructor(
    readonly accountId: number,
    readonly userId: number,
    readonly username: string,
    readonly productType: number,
    /** The sealed password this state was authenticated against. */
    public passwordEnc: string,
    used: number,
    limitGb: number,
    /** The owner's tunnel caps. */
    readonly share: TunnelShare,
  ) {
    this.used = used;
    this.flushed = used;
    this.limit = limitFromGb(limitGb);
  }

  get maxTunnels(): number {
    return this.share.perAccount;
  }

  get maxUserTunnels(): number {
    return this.share.perUser;
  }

  /** The account's own limit is reached. */
  get exhausted(): boolean {
    return this.used >= this.limit;
  }

  /** Counts `bytes` relayed; returns false once the limit or the owner's packages are used up. */
  charge(bytes: number): boolean {
    this.used += bytes;
    const quota = this.quota;
    if (quota !== undefined && (quota.remaining -= bytes) <= 0) {
      quota.exhaust();
      return false;
    }
    if (this.used < this.limit) return true;
    this.onExhausted?.(this);
    return false;
  }
}

/** GB as the documents count them (1 GB = 1024 × 1024 KB). */
export function limitFromGb(limitGb: number): number {
  return limitGb > 0 ? limitGb * 1024 * 1024 * 1024 : Number.POSITIVE_INFINITY;
}
