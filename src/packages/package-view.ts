import type { TrafficPackage } from './packages.types.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A package as operators see it (admin API and `tollgate packages --json`): bytes as stored, KB as customers see them. */
export function packageView(pkg: TrafficPackage) {
  return {
    id: pkg.id,
    user_id: pkg.userId,
    product_type: pkg.productType,
    total_bytes: pkg.totalBytes,
    used_bytes: pkg.usedBytes,
    total: Math.floor(pkg.totalBytes / 1024),
    used: Math.floor(pkg.usedBytes / 1024),
    bandwidth_mbps: pkg.bandwidthMbps,
    concurrency: pkg.concurrency,
    starts_at: new Date(pkg.startsAt).toISOString(),
    expires_at: new Date(pkg.expiresAt).toISOString(),
    trade_no: pkg.tradeNo,
    title: pkg.title,
    status: pkg.status,
    order_created_at: iso(pkg.orderCreatedAt),
    order_pay_at: iso(pkg.orderPayAt),
    created_at: new Date(pkg.createdAt).toISOString(),
  };
}
