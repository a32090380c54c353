import type { Kysely } from 'kysely';
import type { Database, TeamMemberRow, TeamRow } from '../storage/index.js';

export interface MemberWithEmailRow extends TeamMemberRow {
  readonly email: string;
}

export interface MembershipRow extends TeamRow {
  readonly role: string;
  readonly permissions: string;
}

/** Queries on teams and their members; returns rows, holds no rules. Bind to a transaction to group calls. */
export class TeamsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  insert(row: Omit<TeamRow, 'id'>): Promise<TeamRow> {
    return this.db.insertInto('teams').values(row).returningAll().executeTakeFirstOrThrow();
  }

  findByPublicId(publicId: string): Promise<TeamRow | undefined> {
    return this.db.selectFrom('teams').selectAll().where('public_id', '=', publicId).executeTakeFirst();
  }

  findByBackingUser(userId: number): Promise<TeamRow | undefined> {
    return this.db.selectFrom('teams').selectAll().where('backing_user_id', '=', userId).executeTakeFirst();
  }

  findById(id: number): Promise<TeamRow | undefined> {
    return this.db.selectFrom('teams').selectAll().where('id', '=', id).executeTakeFirst();
  }

  update(
    id: number,
    patch: Partial<Pick<TeamRow, 'name' | 'status' | 'owner_user_id' | 'updated_at'>>,
  ): Promise<TeamRow | undefined> {
    return this.db.updateTable('teams').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
  }

  async list(offset: number, limit: number): Promise<{ rows: TeamRow[]; total: number }> {
    const [rows, count] = await Promise.all([
      this.db.selectFrom('teams').selectAll().orderBy('id').offset(offset).limit(limit).execute(),
      this.db
        .selectFrom('teams')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }

  /** The teams `userId` belongs to, with the membership, oldest first. */
  async memberships(userId: number, offset: number, limit: number): Promise<{ rows: MembershipRow[]; total: number }> {
    const base = this.db
      .selectFrom('team_members as m')
      .innerJoin('teams as t', 't.id', 'm.team_id')
      .where('m.user_id', '=', userId);
    const [rows, count] = await Promise.all([
      base.selectAll('t').select(['m.role', 'm.permissions']).orderBy('t.id').offset(offset).limit(limit).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }

  member(teamId: number, userId: number): Promise<TeamMemberRow | undefined> {
    return this.db
      .selectFrom('team_members')
      .selectAll()
      .where('team_id', '=', teamId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
  }

  members(teamId: number): Promise<MemberWithEmailRow[]> {
    return this.db
      .selectFrom('team_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .selectAll('m')
      .select('u.email')
      .where('m.team_id', '=', teamId)
      .orderBy('m.created_at')
      .orderBy('m.user_id')
      .execute();
  }

  countMembers(teamId: number): Promise<number> {
    return this.db
      .selectFrom('team_members')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('team_id', '=', teamId)
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n));
  }

  async insertMember(row: TeamMemberRow): Promise<void> {
    await this.db.insertInto('team_members').values(row).execute();
  }

  async updateMember(teamId: number, userId: number, patch: Partial<Pick<TeamMemberRow, 'role' | 'permissions' | 'updated_at'>>) {
    return this.db
      .updateTable('team_members')
      .set(patch)
      .where('team_id', '=', teamId)
      .where('user_id', '=', userId)
      .returningAll()
      .executeTakeFirst();
  }

  async deleteMember(teamId: number, userId: number): Promise<boolean> {
    const result = await this.db
      .deleteFrom('team_members')
      .where('team_id', '=', teamId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** A page of the ledger of `userId` (a team's wallet), newest first, with each order's trade_no. */
  async ledger(userId: number, offset: number, limit: number) {
    const base = this.db.selectFrom('balance_ledger as l').where('l.user_id', '=', userId);
    const [rows, count] = await Promise.all([
      base
        .leftJoin('orders as o', 'o.id', 'l.order_id')
        .select(['l.id', 'l.delta_cents', 'l.reason', 'l.balance_after_cents', 'l.created_at', 'o.trade_no'])
        .orderBy('l.id', 'desc')
        .offset(offset)
        .limit(limit)
        .execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }

  /** How much the space of `userId` holds now. */
  async assetCounts(userId: number, now: number) {
    const count = (n: { n: number | string | bigint }) => Number(n.n);
    const [subAccounts, whiteIps, packages, staticIps, orders] = await Promise.all([
      this.db
        .selectFrom('sub_accounts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow(),
      this.db
        .selectFrom('white_ips')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow(),
      this.db
        .selectFrom('user_packages')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .where('status', '=', 1)
        .where('starts_at', '<=', now)
        .where('expires_at', '>', now)
        .executeTakeFirstOrThrow(),
      this.db
        .selectFrom('static_ip_allocations')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .where('released_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirstOrThrow(),
      this.db
        .selectFrom('orders')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow(),
    ]);
    return {
      subAccounts: count(subAccounts),
      whiteIps: count(whiteIps),
      packages: count(packages),
      staticIps: count(staticIps),
      orders: count(orders),
    };
  }
}
