export { EXTRACTION_ENTRY_PRODUCT_TYPES, MAIN_ENTRY_PRODUCT_TYPES, STATIC_ENTRY_PRODUCT_TYPES } from './entries.js';
export {
  ExtractionAdmissions,
  ExtractionEntry,
  type ExtractionEntryDeps,
  type LeaseLookup,
  type PortLease,
} from './extraction-entry.js';
export { authenticate, type Authorized, type EntryRules, type HandshakeDeps } from './handshake.js';
export { StaticEntry, type StaticExit, type StaticExitLookup } from './static-entry.js';
export type {
  AccountLookup,
  DialSignal,
  ExitConnection,
  ExitPicker,
  GatewayAccount,
  PasswordCheck,
  ProxyTarget,
  RouteRequest,
  Shaper,
  Targeting,
} from './gateway.types.js';
export { type LiveSample, LiveSampler, type LiveSnapshot } from './live-stats.js';
export { GatewayMetrics } from './metrics.js';
export { ConnectionRegistry } from './registry.js';
export { Gateway, type GatewayOptions, proxyAuthGuard } from './server.js';
