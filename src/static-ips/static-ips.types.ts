/** Static IPs: the operator's inventory of dedicated exits, and who holds each one until when. */

/** A static-IP product type (products/ STATIC_IP_TYPES: 14 static datacenter IP, 25 static residential IP). */
export type StaticIpProductType = number;

/** A static IP as the operator adds it. */
export interface NewStaticIp {
  readonly ip: string;
  readonly port: number;
  /** ISO 3166-1 alpha-2, any case. */
  readonly country: string;
  readonly state?: string | undefined;
  readonly city?: string | undefined;
  readonly productType: number;
  /**
   * Where its traffic leaves: `direct://<ip>` by default (egress bound to that local
   * address), or an upstream `http://…` / `socks5://…` URL.
   */
  readonly url?: string | undefined;
}

/** The allocation that holds a static IP now. */
export interface CurrentAllocation {
  readonly id: number;
  readonly userId: number;
  readonly tradeNo: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** An inventory row as the operator sees it (never the URL's credentials). */
export interface StaticIp {
  readonly id: number;
  readonly ip: string;
  readonly port: number;
  readonly country: string;
  readonly state: string;
  readonly city: string;
  readonly productType: StaticIpProductType;
  /** The exit URL, any password masked. */
  readonly urlDisplay: string;
  readonly maintenance: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** The allocation valid now, if any. */
  readonly allocation: CurrentAllocation | null;
}

export interface StaticIpFilter {
  readonly country?: string | undefined;
  readonly productType?: number | undefined;
}

export interface AllocateInput {
  readonly userId: number;
  readonly country: string;
  readonly productType: number;
  readonly count: number;
  readonly days: number;
  readonly tradeNo?: string | undefined;
}

/** One allocation: a user holding a static IP from createdAt until expiresAt (or releasedAt). */
export interface StaticIpAllocation {
  /** The id renewals name (`upids`). */
  readonly id: number;
  readonly staticIpId: number;
  readonly userId: number;
  readonly tradeNo: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly releasedAt: number | null;
  readonly ip: string;
  readonly port: number;
  readonly country: string;
  readonly productType: StaticIpProductType;
}

/**
 * What a customer sees of an allocation (`ip/get-static-ip`):
 * 1 valid, 2 invalid (expired or released), 3 valid and expiring within 3 days, 4 in maintenance.
 */
export type StaticIpStatus = 1 | 2 | 3 | 4;

export const STATIC_IP_STATUSES: readonly StaticIpStatus[] = [1, 2, 3, 4];

/** A valid allocation shows status 3 from this long before it expires. */
export const EXPIRING_WITHIN_MS = 3 * 86_400_000;

export interface CustomerStaticIpFilter {
  readonly country?: string | undefined;
  readonly productType?: number | undefined;
  readonly tradeNo?: string | undefined;
  readonly status?: StaticIpStatus | undefined;
  readonly page: number;
  readonly size: number;
}

export interface CustomerStaticIp {
  /** The allocation id. */
  readonly id: number;
  readonly ip: string;
  readonly port: number;
  readonly country: string;
  readonly productType: StaticIpProductType;
  readonly tradeNo: string;
  readonly status: StaticIpStatus;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export interface CustomerStaticIpPage {
  readonly list: CustomerStaticIp[];
  readonly total: number;
}

/** Unallocated, in-service static IPs of one country. */
export interface RegionCount {
  readonly country: string;
  readonly number: number;
}

/** A static IP the gateway may route a user's traffic through now. */
export interface ValidExit {
  readonly allocationId: number;
  readonly staticIpId: number;
  readonly ip: string;
  readonly port: number;
  /** The decrypted exit URL (may carry upstream credentials: never log it). */
  readonly url: string;
  readonly country: string;
  /** When the allocation ends (epoch ms). */
  readonly expiresAt: number;
}

/** Who may use one static IP now, for refreshing a cache when its change-feed row arrives. */
export interface StaticIpHolder {
  readonly userId: number;
  readonly productType: StaticIpProductType;
  readonly exit: ValidExit;
}
