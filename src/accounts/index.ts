export type { SubAccount, SubAccountFilter, User, UserPatch } from './accounts.types.js';
export { generateAppKey, hashAppKey, safeEqual } from './credentials.js';
export * as rules from './rules.js';
export { DEFAULT_PRODUCT_TYPE, PRODUCT_TYPES, type SubAccountProductType } from './rules.js';
export { SecretBox } from './secret-box.js';
export { SubAccountsService } from './sub-accounts.service.js';
export { type TokenClaims, TokenService } from './tokens.js';
export { lockUser, UsersRepository } from './users.repository.js';
export { type NewUser, normalizeEmail, UsersService } from './users.service.js';
export { canonicalIp, type WhiteIp, type WhiteIpSelection, WhiteIpsService } from './white-ips.service.js';
export {
  LIMITS,
  type LimitName,
  type UserLimits,
  type UserLimitSource,
  UserLimitsService,
  type UserLimitsView,
} from './user-limits.service.js';
