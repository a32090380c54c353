export { MAIN_ENTRY_PRODUCT_TYPES } from './entries.js';
export type {
  AccountLookup,
  ExitConnection,
  ExitPicker,
  GatewayAccount,
  ProxyTarget,
  RouteRequest,
  Targeting,
} from './gateway.types.js';
export { GatewayMetrics } from './metrics.js';
export { Gateway, type GatewayOptions } from './server.js';
