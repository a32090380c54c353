import type { Kysely } from 'kysely';
import { lockUser } from './users.repository.js';
import { chunkRows, recordChange, type Database, type DialectCapabilities } from '../storage/index.js';

/** A whitelisted address as stored. */
export interface WhiteIpRow {
  readonly id: number;
  readonly user_id: number;
  readonly ip: string;
  readonly remark: string;
  readonly product_type: number;
  readonly user_package_id: number | null;
  readonly created_at: number;
}

export interface NewWhiteIpRow {
  readonly user_id: number;
  readonly ip: string;
  readonly remark: string;
  readonly product_type: number;
  readonly user_package_id: number | null;
  readonly created_at: number;
}

/** Queries on whitelisted IPs; returns rows, holds no rules. Bind to a transaction to make several calls atomic. */
export class WhiteIpsRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly caps: DialectCapabilities,
  ) {}

  /** The user's addresses, newest first. */
  async listByUser(userId: number, productType?: number): Promise<WhiteIpRow[]> {
    let q = this.db.selectFrom('white_ips').selectAll().where('user_id', '=', userId);
    if (productType !== undefined) q = q.where('product_type', '=', productType);
    return (await q.orderBy('id', 'desc').execute()).map(toRow);
  }

  /** Whether `packageId` is one of the user's packages of `productType`, active and not expired at `now`. */
  async validPackage(userId: number, productType: number, packageId: number, now: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('user_packages')
      .select('id')
      .where('id', '=', packageId)
      .where('user_id', '=', userId)
      .where('product_type', '=', productType)
      .where('status', '=', 1)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row !== undefined;
  }

  async countByUser(userId: number): Promise<number> {
    const row = await this.db
      .selectFrom('white_ips')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Takes the user's row lock until the transaction ends (see lockUser). */
  lockUser(userId: number): Promise<void> {
    return lockUser(this.db, userId);
  }

  /** Which of `ips` are whitelisted, by anyone. */
  async taken(ips: readonly string[]): Promise<string[]> {
    const found: string[] = [];
    for (const chunk of chunkRows(ips, 1, this.caps)) {
      const rows = await this.db.selectFrom('white_ips').select('ip').where('ip', 'in', chunk).execute();
      for (const r of rows) found.push(r.ip);
    }
    return found;
  }

  /** The user's rows among `ids`. */
  async findOwnedByIds(userId: number, ids: readonly number[]): Promise<WhiteIpRow[]> {
    const found: WhiteIpRow[] = [];
    for (const chunk of chunkRows(ids, 1, this.caps)) {
      const rows = await this.db
        .selectFrom('white_ips')
        .selectAll()
        .where('user_id', '=', userId)
        .where('id', 'in', chunk)
        .execute();
      found.push(...rows.map(toRow));
    }
    return found;
  }

  /** The user's rows among `ips`. */
  async findOwnedByIps(userId: number, ips: readonly string[]): Promise<WhiteIpRow[]> {
    const found: WhiteIpRow[] = [];
    for (const chunk of chunkRows(ips, 1, this.caps)) {
      const rows = await this.db
        .selectFrom('white_ips')
        .selectAll()
        .where('user_id', '=', userId)
        .where('ip', 'in', chunk)
        .execute();
      found.push(...rows.map(toRow));
    }
    return found;
  }

  /** Inserts and returns the new rows (in no particular order). */
  async insertMany(rows: readonly NewWhiteIpRow[]): Promise<WhiteIpRow[]> {
    const inserted: WhiteIpRow[] = [];
    for (const chunk of chunkRows(rows, 4, this.caps)) {
      const out = await this.db.insertInto('white_ips').values(chunk).returningAll().execute();
      inserted.push(...out.map(toRow));
    }
    return inserted;
  }

  async deleteByIds(ids: readonly number[]): Promise<void> {
    for (const chunk of chunkRows(ids, 1, this.caps)) {
      await this.db.deleteFrom('white_ips').where('id', 'in', chunk).execute();
    }
  }

  /** Owner of an address, if whitelisted. */
  async ownerOf(ip: string): Promise<number | undefined> {
    const row = await this.db.selectFrom('white_ips').select('user_id').where('ip', '=', ip).executeTakeFirst();
    return row ? Number(row.user_id) : undefined;
  }

  async ipsByUser(userId: number): Promise<string[]> {
    const rows = await this.db.selectFrom('white_ips').select('ip').where('user_id', '=', userId).orderBy('id').execute();
    return rows.map((r) => r.ip);
  }

  /** Every whitelisted address with its owner. */
  async all(): Promise<{ ip: string; userId: number }[]> {
    const rows = await this.db.selectFrom('white_ips').select(['ip', 'user_id']).orderBy('id').execute();
    return rows.map((r) => ({ ip: r.ip, userId: Number(r.user_id) }));
  }

  /** Tells gateways following the change feed to reload these users' addresses. */
  recordChange(userIds: readonly number[], now: number): Promise<void> {
    return recordChange(this.db, 'white_ip', userIds, now);
  }
}

function toRow(r: {
  id: number;
  user_id: number;
  ip: string;
  remark: string;
  product_type: number;
  user_package_id: number | null;
  created_at: number;
}): WhiteIpRow {
  return {
    id: Number(r.id),
    user_id: Number(r.user_id),
    ip: r.ip,
    remark: r.remark,
    product_type: Number(r.product_type),
    user_package_id: r.user_package_id === null ? null : Number(r.user_package_id),
    created_at: Number(r.created_at),
  };
}
