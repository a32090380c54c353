import type { StaticIp, StaticIpAllocation } from './static-ips.types.js';

/** A static IP as operators see it (admin API and `tollgate static list --json`): the URL masked. */
export function staticIpView(ip: StaticIp) {
  return {
    id: ip.id,
    ip: ip.ip,
    port: ip.port,
    country: ip.country,
    state: ip.state,
    city: ip.city,
    product_type: ip.productType,
    url: ip.urlDisplay,
    maintenance: ip.maintenance,
    asn: ip.asn,
    created_at: new Date(ip.createdAt).toISOString(),
    allocation:
      ip.allocation === null
        ? null
        : {
            id: ip.allocation.id,
            user_id: ip.allocation.userId,
            trade_no: ip.allocation.tradeNo,
            created_at: new Date(ip.allocation.createdAt).toISOString(),
            expired_at: new Date(ip.allocation.expiresAt).toISOString(),
          },
  };
}

/** An allocation as operators see it. */
export function allocationView(a: StaticIpAllocation) {
  return {
    id: a.id,
    static_ip_id: a.staticIpId,
    user_id: a.userId,
    ip: a.ip,
    port: a.port,
    country: a.country,
    product_type: a.productType,
    asn: a.asn,
    trade_no: a.tradeNo,
    created_at: new Date(a.createdAt).toISOString(),
    expired_at: new Date(a.expiresAt).toISOString(),
    released_at: a.releasedAt === null ? null : new Date(a.releasedAt).toISOString(),
  };
}
