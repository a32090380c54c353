export type { SubAccount, SubAccountChange, SubAccountFilter, User, UserKind, UserPatch } from './accounts.types.js';
export {
  DUMMY_PASSWORD_HASH,
  generateAppKey,
  generateOpenId,
  hashAppKey,
  hashPassword,
  safeEqual,
  verifyPassword,
} from './credentials.js';
export * as rules from './rules.js';
export { SecretBox } from './secret-box.js';
export { type GatewayAccountRow, SubAccountsRepository } from './sub-accounts.repository.js';
export { SubAccountsService } from './sub-accounts.service.js';
export { type TokenClaims, TokenService } from './tokens.js';
export { lockUser, UsersRepository } from './users.repository.js';
export {
  type NewUser,
  normalizeEmail,
  normalizeUsername,
  teamSpaceRow,
  toUser,
  USERNAME,
  UsersService,
} from './users.service.js';
export { canonicalIp, type WhiteIp, type WhiteIpScope, type WhiteIpSelection, WhiteIpsService } from './white-ips.service.js';
export { type TunnelOverrides, UserLimitsRepository } from './user-limits.repository.js';
export { type UserLimitSource, UserLimitsService, type UserLimitsView } from './user-limits.service.js';
export { LIMITS, type LimitName, type UserLimits } from './user-limits.types.js';
export {
  API_KEY_LENGTH,
  API_KEY_NAME_MAX,
  API_KEY_PAGE_SIZE_MAX,
  API_KEYS_MAX,
  type ApiKey,
  ApiKeysService,
  type KeyIdentity,
  type KeySpace,
  LAST_USED_RESOLUTION_MS,
  maskedKey,
} from './api-keys.service.js';
export {
  CLIENT_VERIFY_TYPES,
  type CodePurpose,
  EMAIL_CODE_MAX_ATTEMPTS,
  EMAIL_CODE_RESEND_MS,
  EMAIL_CODE_TTL_MS,
  type FactorStatus,
  maskEmail,
  SecondFactorsService,
  VERIFY_TYPES,
  type VerifyType,
} from './second-factors.service.js';
export { type MailMessage, type Mailer, SmtpMailer } from './sign-in-mail.js';
export { type Quota, type QuotaKind, QuotasService, type TypeQuota } from './quotas.service.js';
export { csrfMatches, csrfTokenOf, newCsrfToken, type WebSession, WebSessionsService } from './web-sessions.service.js';
