/** The exit pool: nodes (stored, managed), target policy, dialing, selection with sessions, health. */
export { type DialOptions, dial, targetProblem } from './dialers.js';
export { isExitFault, upstreamError } from './errno.js';
export {
  type CountryInfo,
  countryInfo,
  DYNAMIC_PRODUCT_TYPES,
  formatGeo,
  GeoCatalogue,
  type GeoCatalogueOptions,
  type GeoCountry,
  type GeoNode,
  type GeoNodeSource,
  type GeoQuery,
  normalizeGeoPlace,
  type ResolvedGeo,
} from './geo-catalogue.js';
export { HealthChecker, type HealthCheckerOptions, parseProbeTarget } from './health.js';
export {
  type DirectEndpoint,
  displayNodeUrl,
  formatNodeUrl,
  NODE_KINDS,
  NODE_URL_MAX,
  type NodeEndpoint,
  type NodeKind,
  parseNodeUrl,
  type UpstreamEndpoint,
} from './node-url.js';
export { nodeView } from './node-view.js';
export { EXIT_NODE_ENTITY } from './nodes.repository.js';
export { NodesService, type NodesServiceOptions } from './nodes.service.js';
export type { ExitNode, ExitNodePatch, NewExitNode } from './pool.types.js';
export { DEFAULT_NODE_TYPES, PLACE_MAX, WEIGHT_MAX, WEIGHT_MIN } from './rules.js';
export { COUNTRY_RULE, normalizeCountry, normalizePlace, PLACE_RULE } from './rules.js';
export { ExitPool, type ExitPoolOptions, type NodeSource, type PoolMember } from './selection.js';
export type { SessionBinding, SharedSessions } from './sessions.js';
export { type OwnEndpoint, TargetPolicy, type TargetPolicyOptions } from './target-policy.js';
