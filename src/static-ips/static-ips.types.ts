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
  /** The autonomous system announcing it (1..4294967294); 0 or absent: not recorded. */
  readonly asn?: number | undefined;
}

/** What the operator may change of a static IP (at least one). */
export interface StaticIpPatch {
  readonly maintenance?: boolean | undefined;
  readonly asn?: number | undefined;
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
  /** The autonomous system announcing it; 0 = not recorded. */
  readonly asn: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** The allocation valid now, if any. */
  readonly allocation: CurrentAllocation | null;
}

export interface StaticIpFilter {
  readonly country?: string | undefined;
  readonly productType?: number | undefined;
  /** Only IPs of this autonomous system (0: those with none recorded). */
  readonly asn?: number | undefined;
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
  /** The IP's autonomous system; 0 = not recorded. */
  readonly asn: number;
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
  /** The IP's autonomous system; 0 = not recorded. */
  readonly asn: number;
  readonly tradeNo: string;
  readonly status: StaticIpStatus;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export interface CustomerStaticIpPage {
  readonly list: CustomerStaticIp[];
  readonly total: number;
}

/** Unallocated, in-service static IPs of one country (and one ASN, when counted by ASN). */
export interface RegionCount {
  readonly country: string;
  /** Present when counted by ASN; 0 = IPs with no ASN recorded. */
  readonly asn?: number;
  readonly number: number;
}

/** How `static-ip-region` counts (the newer release's `asn` and `exclusive` flags). */
export interface RegionCountOptions {
  /** One count per country and autonomous system instead of per country. */
  readonly byAsn?: boolean | undefined;
  /** Only IPs no customer has ever held (the next allocations take these first). */
  readonly exclusive?: boolean | undefined;
}

/** The highest AS number (RFC 6793: 32 bits); 4294967295 itself is reserved (RFC 7300). */
export const ASN_MAX = 4_294_967_294;
/** AS numbers that never announce an address: AS_TRANS (RFC 6793) and the last 16-bit one (RFC 7300). */
export const ASN_RESERVED: readonly number[] = [23_456, 65_535];

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
