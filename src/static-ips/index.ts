/** Static IPs: the inventory of dedicated exits, their allocations to users, and what the gateway routes through. */
export { allocationView, staticIpView } from './static-ip-view.js';
export {
  ALLOCATE_COUNT_MAX,
  ASN_RULE,
  DAYS_MAX,
  isAsn,
  StaticIpsService,
  type StaticIpsServiceOptions,
  statusOf,
  TRADE_NO_MAX,
} from './static-ips.service.js';
export {
  type AllocateInput,
  ASN_MAX,
  type CurrentAllocation,
  type CustomerStaticIp,
  type CustomerStaticIpFilter,
  type CustomerStaticIpPage,
  EXPIRING_WITHIN_MS,
  type NewStaticIp,
  type RegionCount,
  type RegionCountOptions,
  STATIC_IP_STATUSES,
  type StaticIp,
  type StaticIpAllocation,
  type StaticIpFilter,
  type StaticIpHolder,
  type StaticIpPatch,
  type StaticIpProductType,
  type StaticIpStatus,
  type ValidExit,
} from './static-ips.types.js';
export {
  type ExitCloser,
  StaticExitBook,
  type StaticExitBookOptions,
  type StaticExitSource,
  staticExitNodeId,
} from './static-exit-book.js';
