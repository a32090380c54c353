export { TeamsRepository } from './teams.repository.js';
export { normalizeTeamId, TeamsService, type TeamsServiceOptions, toTeam } from './teams.service.js';
export {
  hasRequirement,
  type Membership,
  type Page,
  parsePermissions,
  TEAM_NAME_MAX,
  TEAM_PAGE_SIZE_DEFAULT,
  TEAM_PAGE_SIZE_MAX,
  TEAM_PERMISSIONS,
  TEAM_PUBLIC_ID,
  type Team,
  type TeamAssetCounts,
  type TeamMember,
  type TeamPermission,
  type TeamRequirement,
  type TeamRole,
  type WalletRecord,
} from './teams.types.js';
