/** Several gateways, one platform: the live state they share in Redis (quota leases, slots, sessions, registry). */
export { FORGET_AFTER_MS, GatewayHeartbeat, knownRegions, listGateways } from './gateway-registry.js';
export { RedisDailyUsage } from './shared-daily.js';
export { RedisSessions } from './shared-sessions.js';
export { SharedQuotas } from './shared-quotas.js';
export { RedisFailures } from './shared-throttle.js';
export { RedisTunnels } from './shared-tunnels.js';
export { ALIVE_TTL_MS, HEARTBEAT_MS, SharedStore } from './shared-store.js';
export type { GatewayInfo, GatewayListing, GatewayRecord, GatewayStatus, RegionEntries } from './gateway-directory.js';
