import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { teamSpaceRow, UsersRepository } from '../accounts/index.js';
import { AppError, invalidParams } from '../errors/index.js';
import { type Database, type DialectCapabilities, recordChange, type TeamRow } from '../storage/index.js';
import { TeamsRepository } from './teams.repository.js';
import {
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
  type WalletRecord,
} from './teams.types.js';

export interface TeamsServiceOptions {
  readonly now?: () => number;
}

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const UPPER_DIGITS = `${UPPER}0123456789`;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** A fresh public id: a letter and 7 letters or digits, upper case (8 characters). */
function newPublicId(): string {
  const bytes = randomBytes(8);
  let out = UPPER[(bytes[0] as number) % 26] as string;
  for (let i = 1; i < 8; i++) out += UPPER_DIGITS[(bytes[i] as number) % 36];
  return out;
}

export function toTeam(row: TeamRow): Team {
  return {
    id: Number(row.id),
    publicId: row.public_id,
    name: row.name,
    ownerUserId: Number(row.owner_user_id),
    backingUserId: Number(row.backing_user_id),
    status: row.status,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** A stored membership's role and permissions (the owner holds every permission, whatever is stored). */
function grants(role: string, permissions: string): { role: 'owner' | 'member'; permissions: TeamPermission[] } {
  return role === 'owner'
    ? { role: 'owner', permissions: [...TEAM_PERMISSIONS] }
    : { role: 'member', permissions: parsePermissions(permissions) };
}

/** A `team_id` as clients write it, in the stored form; undefined when it cannot be one. */
export function normalizeTeamId(text: string): string | undefined {
  const id = text.trim();
  return TEAM_PUBLIC_ID.test(id) ? id.toUpperCase() : undefined;
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > TEAM_NAME_MAX || CONTROL.test(trimmed)) {
    throw invalidParams({ name: `1-${TEAM_NAME_MAX} characters on one line` });
  }
  return trimmed;
}

function checkPermissions(permissions: readonly string[]): TeamPermission[] {
  const unknown = permissions.filter((p) => !(TEAM_PERMISSIONS as readonly string[]).includes(p));
  if (unknown.length > 0)
    throw invalidParams({ permissions: `unknown: ${unknown.join(', ')}; known: ${TEAM_PERMISSIONS.join(', ')}` });
  return TEAM_PERMISSIONS.filter((p) => permissions.includes(p));
}

function pageOf(page: number | undefined, size: number | undefined): { page: number; size: number } {
  const p = page ?? 1;
  const s = size ?? TEAM_PAGE_SIZE_DEFAULT;
  const errors: Record<string, string> = {};
  if (!Number.isSafeInteger(p) || p < 1) errors.page = 'an integer ≥ 1';
  if (!Number.isInteger(s) || s < 1 || s > TEAM_PAGE_SIZE_MAX) errors.page_size = `1-${TEAM_PAGE_SIZE_MAX}`;
  if (Object.keys(errors).length > 0) throw invalidParams(errors);
  return { page: p, size: s };
}

/**
 * Teams and their members: the operator creates teams and manages members (admin API, `tollgate teams`); members
 * read what their team holds and act for it through the customer API with `team_id`, where `resolve` decides.
 * A team's space is a users row of kind 'team', created with the team in one transaction; disabling the team
 * disables that row, so the gateway stops the team's sub-accounts as it would a disabled user's.
 */
export class TeamsService {
  readonly #now: () => number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly caps: DialectCapabilities,
    options: TeamsServiceOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
  }

  /** Creates a team owned by `ownerUserId` (a person), with its space; `publicId` is generated unless given. */
  async create(input: { ownerUserId: number; name: string; publicId?: string | undefined }): Promise<Team> {
    const name = checkName(input.name);
    let publicId: string | undefined;
    if (input.publicId !== undefined) {
      publicId = normalizeTeamId(input.publicId);
      if (!publicId) throw invalidParams({ team_id: '6-12 letters and digits, starting with a letter' });
    }
    const now = this.#now();
    for (let attempt = 0; ; attempt++) {
      const id = publicId ?? newPublicId();
      try {
        return await this.db.transaction().execute(async (trx) => {
          const users = new UsersRepository(trx);
          const owner = await users.findById(input.ownerUserId);
          if (!owner) throw new AppError('TG_ERR_USER_NOT_FOUND');
          if (owner.kind !== 'person') throw new AppError('TG_ERR_USER_IS_TEAM', { params: { id: input.ownerUserId } });
          const repo = new TeamsRepository(trx);
          if (await repo.findByPublicId(id)) throw invalidParams({ team_id: `${id} is taken` });
          const space = await users.insert(teamSpaceRow(id, now));
          const team = await repo.insert({
            public_id: id,
            name,
            owner_user_id: input.ownerUserId,
            backing_user_id: Number(space.id),
            status: 1,
            created_at: now,
            updated_at: now,
          });
          await repo.insertMember({
            team_id: Number(team.id),
            user_id: input.ownerUserId,
            role: 'owner',
            permissions: TEAM_PERMISSIONS.join(','),
            created_at: now,
            updated_at: now,
          });
          return toTeam(team);
        });
      } catch (err) {
        // A generated id taken by a concurrent create: draw another (a given one is the caller's to change).
        if (publicId === undefined && attempt < 5 && this.caps.isUniqueViolation(err)) continue;
        throw err;
      }
    }
  }

  /** The team of this public id (any case); TG_ERR_TEAM_NOT_FOUND when there is none. */
  async get(publicId: string): Promise<Team> {
    const id = normalizeTeamId(publicId);
    const row = id === undefined ? undefined : await new TeamsRepository(this.db).findByPublicId(id);
    if (!row) throw new AppError('TG_ERR_TEAM_NOT_FOUND', { params: { team_id: publicId.slice(0, 32) } });
    return toTeam(row);
  }

  /** The team with this row id (what a team-bound API key stores). */
  async byId(id: number): Promise<Team> {
    const row = await new TeamsRepository(this.db).findById(id);
    if (!row) throw new AppError('TG_ERR_TEAM_NOT_FOUND', { params: { team_id: String(id) } });
    return toTeam(row);
  }

  /** The team whose space is this users row, if it is one. */
  async bySpace(userId: number): Promise<Team | undefined> {
    const row = await new TeamsRepository(this.db).findByBackingUser(userId);
    return row && toTeam(row);
  }

  /**
   * What `callerId` may do in team `publicId`. An unknown team and a team the caller is not a member of are the
   * same answer (TG_ERR_TEAM_NOT_FOUND), so team ids cannot be probed; a disabled team: TG_ERR_TEAM_DISABLED.
   */
  async resolve(publicId: string, callerId: number): Promise<Membership> {
    const id = normalizeTeamId(publicId);
    const notFound = () => new AppError('TG_ERR_TEAM_NOT_FOUND', { params: { team_id: publicId.slice(0, 32) } });
    if (id === undefined) throw notFound();
    const repo = new TeamsRepository(this.db);
    const row = await repo.findByPublicId(id);
    const member = row && (await repo.member(Number(row.id), callerId));
    if (!row || !member) throw notFound();
    if (row.status !== 1) throw new AppError('TG_ERR_TEAM_DISABLED', { params: { team_id: row.public_id } });
    const role = member.role === 'owner' ? 'owner' : 'member';
    return {
      team: toTeam(row),
      role,
      permissions: role === 'owner' ? [...TEAM_PERMISSIONS] : parsePermissions(member.permissions),
    };
  }

  /** The teams `userId` is a member of (active or not), with the membership. */
  async listFor(userId: number, page?: number, size?: number): Promise<Page<Membership>> {
    const p = pageOf(page, size);
    const { rows, total } = await new TeamsRepository(this.db).memberships(userId, (p.page - 1) * p.size, p.size);
    const items = rows.map((r): Membership => ({ team: toTeam(r), ...grants(r.role, r.permissions) }));
    return { items, total, ...p };
  }

  /** Every team (the operator's list). */
  async list(page?: number, size?: number): Promise<Page<Team>> {
    const p = pageOf(page, size);
    const { rows, total } = await new TeamsRepository(this.db).list((p.page - 1) * p.size, p.size);
    return { items: rows.map(toTeam), total, ...p };
  }

  async members(publicId: string): Promise<TeamMember[]> {
    const team = await this.get(publicId);
    const rows = await new TeamsRepository(this.db).members(team.id);
    return rows.map((r) => ({
      teamId: team.id,
      userId: Number(r.user_id),
      email: r.email,
      ...grants(r.role, r.permissions),
      createdAt: Number(r.created_at),
    }));
  }

  async countMembers(teamId: number): Promise<number> {
    return new TeamsRepository(this.db).countMembers(teamId);
  }

  /** Adds a person to the team with these permissions. */
  async addMember(publicId: string, userId: number, permissions: readonly string[]): Promise<TeamMember[]> {
    const granted = checkPermissions(permissions);
    const team = await this.get(publicId);
    const now = this.#now();
    await this.db.transaction().execute(async (trx) => {
      const user = await new UsersRepository(trx).findById(userId);
      if (!user) throw new AppError('TG_ERR_USER_NOT_FOUND');
      if (user.kind !== 'person') throw new AppError('TG_ERR_USER_IS_TEAM', { params: { id: userId } });
      const repo = new TeamsRepository(trx);
      if (await repo.member(team.id, userId)) throw new AppError('TG_ERR_TEAM_MEMBER_EXISTS');
      try {
        await repo.insertMember({
          team_id: team.id,
          user_id: userId,
          role: 'member',
          permissions: granted.join(','),
          created_at: now,
          updated_at: now,
        });
      } catch (err) {
        if (this.caps.isUniqueViolation(err)) throw new AppError('TG_ERR_TEAM_MEMBER_EXISTS');
        throw err;
      }
    });
    return this.members(team.publicId);
  }

  /** Replaces a member's permissions (the owner's cannot change: it holds them all). */
  async setPermissions(publicId: string, userId: number, permissions: readonly string[]): Promise<TeamMember[]> {
    const granted = checkPermissions(permissions);
    const team = await this.get(publicId);
    const repo = new TeamsRepository(this.db);
    const member = await repo.member(team.id, userId);
    if (!member) throw new AppError('TG_ERR_TEAM_MEMBER_NOT_FOUND');
    if (member.role === 'owner') throw new AppError('TG_ERR_TEAM_OWNER_FIXED');
    await repo.updateMember(team.id, userId, { permissions: granted.join(','), updated_at: this.#now() });
    return this.members(team.publicId);
  }

  async removeMember(publicId: string, userId: number): Promise<TeamMember[]> {
    const team = await this.get(publicId);
    const repo = new TeamsRepository(this.db);
    const member = await repo.member(team.id, userId);
    if (!member) throw new AppError('TG_ERR_TEAM_MEMBER_NOT_FOUND');
    if (member.role === 'owner') throw new AppError('TG_ERR_TEAM_OWNER_FIXED');
    await repo.deleteMember(team.id, userId);
    return this.members(team.publicId);
  }

  /** Makes member `userId` the owner; the previous owner stays a member with every permission. */
  async transferOwnership(publicId: string, userId: number): Promise<Team> {
    const team = await this.get(publicId);
    const now = this.#now();
    const row = await this.db.transaction().execute(async (trx) => {
      const repo = new TeamsRepository(trx);
      const member = await repo.member(team.id, userId);
      if (!member) throw new AppError('TG_ERR_TEAM_MEMBER_NOT_FOUND');
      await repo.updateMember(team.id, team.ownerUserId, {
        role: 'member',
        permissions: TEAM_PERMISSIONS.join(','),
        updated_at: now,
      });
      await repo.updateMember(team.id, userId, { role: 'owner', permissions: TEAM_PERMISSIONS.join(','), updated_at: now });
      return repo.update(team.id, { owner_user_id: userId, updated_at: now });
    });
    return toTeam(row as TeamRow);
  }

  async rename(publicId: string, name: string): Promise<Team> {
    const checked = checkName(name);
    const team = await this.get(publicId);
    const row = await new TeamsRepository(this.db).update(team.id, { name: checked, updated_at: this.#now() });
    return toTeam(row as TeamRow);
  }

  /**
   * Enables or disables the team. Disabled, members cannot act for it (TG_ERR_TEAM_DISABLED) and its space is
   * disabled too, so the gateway refuses its sub-accounts and closes their connections.
   */
  async setActive(publicId: string, active: boolean): Promise<Team> {
    const team = await this.get(publicId);
    const now = this.#now();
    const row = await this.db.transaction().execute(async (trx) => {
      const status = active ? 1 : 0;
      await trx.updateTable('users').set({ status, updated_at: now }).where('id', '=', team.backingUserId).execute();
      // Gateways following the feed reload the space: its sub-accounts stop (or work again) at once.
      await recordChange(trx, 'user', [team.backingUserId], now);
      return new TeamsRepository(trx).update(team.id, { status, updated_at: now });
    });
    return toTeam(row as TeamRow);
  }

  /** The team's wallet: its space's balance, in cents. */
  async balanceCents(team: Team): Promise<number> {
    const row = await new UsersRepository(this.db).findById(team.backingUserId);
    return Number(row?.balance_cents ?? 0);
  }

  /** A page of the team's wallet records, newest first. */
  async walletRecords(team: Team, page?: number, size?: number): Promise<Page<WalletRecord>> {
    const p = pageOf(page, size);
    const { rows, total } = await new TeamsRepository(this.db).ledger(team.backingUserId, (p.page - 1) * p.size, p.size);
    const items = rows.map((r): WalletRecord => {
      const delta = Number(r.delta_cents);
      return {
        id: Number(r.id),
        amountCents: Math.abs(delta),
        direction: delta < 0 ? 'debit' : 'credit',
        reason: r.reason,
        tradeNo: r.trade_no ?? null,
        balanceAfterCents: Number(r.balance_after_cents),
        createdAt: Number(r.created_at),
      };
    });
    return { items, total, ...p };
  }

  async assetCounts(team: Team): Promise<TeamAssetCounts> {
    return new TeamsRepository(this.db).assetCounts(team.backingUserId, this.#now());
  }
}
