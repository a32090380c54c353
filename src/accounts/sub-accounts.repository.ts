import type { Kysely, Updateable } from 'kysely';
import {
  chunkRows,
  recordChange,
  type Database,
  type DialectCapabilities,
  type NewSubAccountRow,
  type PackedColumn,
  type SubAccountRow,
  type SubAccountsTable,
} from '../storage/index.js';

export type ListedRow = Omit<SubAccountRow, 'user_id' | 'updated_at'>;

/** Columns of a listing, in the order of ListedTuple. */
const LISTED: readonly PackedColumn[] = [
  { name: 'id', text: false },
  { name: 'product_type', text: false },
  { name: 'username', text: true },
  { name: 'password_enc', text: true },
  { name: 'remark', text: true },
  { name: 'limit_gb', text: false },
  { name: 'used_bytes', text: false },
  { name: 'status', text: false },
  { name: 'created_at', text: false },
  { name: 'daily_limit_gb', text: false },
  { name: 'udp', text: false },
];
type ListedTuple = [number, number, string, string, string, number, number, number, number, number, number];

/** A sub-account as the gateway loads it: its row and its owner's status. */
export interface GatewayAccountRow {
  readonly id: number;
  readonly user_id: number;
  readonly product_type: number;
  readonly username: string;
  readonly password_enc: string;
  readonly limit_gb: number;
  readonly daily_limit_gb: number;
  readonly udp: number;
  readonly used_bytes: number;
  readonly status: number;
  readonly user_status: number;
}

export interface OwnedName {
  readonly id: number;
  readonly username: string;
  readonly product_type: number;
}

/** Queries on sub-accounts; returns rows, holds no rules. Bind to a transaction to make several calls atomic. */
export class SubAccountsRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly caps: DialectCapabilities,
  ) {}

  /** The user's sub-accounts, oldest first, with the columns a listing shows (a 10,000-row list is read often). */
  async listByUser(
    userId: number,
    filter: { productType?: number | undefined; username?: string | undefined },
  ): Promise<ListedRow[]> {
    const { packed, unpack } = this.caps.packedRows(LISTED, 'id');
    let q = this.db.selectFrom('sub_accounts').select(packed.as('rows')).where('user_id', '=', userId);
    if (filter.productType !== undefined) q = q.where('product_type', '=', filter.productType);
    if (filter.username !== undefined) q = q.where('username', '=', filter.username);
    const { rows } = await q.executeTakeFirstOrThrow();
    return (unpack(rows) as ListedTuple[]).map((r) => ({
      id: r[0],
      product_type: r[1],
      username: r[2],
      password_enc: r[3],
      remark: r[4],
      limit_gb: r[5],
      used_bytes: r[6],
      status: r[7],
      created_at: r[8],
      daily_limit_gb: r[9],
      udp: r[10],
    }));
  }

  /** How many sub-accounts the user has, all product types together. */
  async countByUser(userId: number): Promise<number> {
    const row = await this.db
      .selectFrom('sub_accounts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Which of `names` are taken in any of these product types, by anyone (each name once). */
  async takenNames(productTypes: readonly number[], names: readonly string[]): Promise<string[]> {
    const taken = new Set<string>();
    for (const chunk of chunkRows(names, 1, this.caps)) {
      const rows = await this.db
        .selectFrom('sub_accounts')
        .select('username')
        .where('product_type', 'in', [...productTypes])
        .where('username', 'in', chunk)
        .execute();
      for (const r of rows) taken.add(r.username);
    }
    return [...taken];
  }

  /** The user's sub-accounts named in `names` (all product types unless one is given). */
  async findOwned(userId: number, names: readonly string[], productType?: number): Promise<OwnedName[]> {
    const found: OwnedName[] = [];
    for (const chunk of chunkRows(names, 1, this.caps)) {
      let q = this.db
        .selectFrom('sub_accounts')
        .select(['id', 'username', 'product_type'])
        .where('user_id', '=', userId)
        .where('username', 'in', chunk);
      if (productType !== undefined) q = q.where('product_type', '=', productType);
      found.push(...(await q.execute()));
    }
    return found;
  }

  /** The account of this type and name as the gateway loads it, if any. */
  async forGateway(productType: number, username: string): Promise<GatewayAccountRow | undefined> {
    const row = await this.#gatewayQuery()
      .where('s.product_type', '=', productType)
      .where('s.username', '=', username)
      .executeTakeFirst();
    return row && gatewayRow(row);
  }

  /** The accounts of these ids as the gateway loads them (absent ids are missing from the answer). */
  async forGatewayByIds(ids: readonly number[]): Promise<GatewayAccountRow[]> {
    const rows: GatewayAccountRow[] = [];
    for (const chunk of chunkRows(ids, 1, this.caps)) {
      for (const row of await this.#gatewayQuery().where('s.id', 'in', chunk).execute()) rows.push(gatewayRow(row));
    }
    return rows;
  }

  /** Adds billed bytes to an account's `used_bytes` (the gateway's meter). */
  async addUsedBytes(id: number, bytes: number): Promise<void> {
    await this.db
      .updateTable('sub_accounts')
      .set((eb) => ({ used_bytes: eb(eb.ref('used_bytes'), '+', bytes) }))
      .where('id', '=', id)
      .execute();
  }

  #gatewayQuery() {
    return this.db
      .selectFrom('sub_accounts as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select([
        's.id',
        's.user_id',
        's.product_type',
        's.username',
        's.password_enc',
        's.limit_gb',
        's.daily_limit_gb',
        's.udp',
        's.used_bytes',
        's.status',
        'u.status as user_status',
      ]);
  }

  /** Inserts and returns the new ids. */
  async insertMany(rows: readonly NewSubAccountRow[]): Promise<number[]> {
    const ids: number[] = [];
    for (const chunk of chunkRows(rows, 11, this.caps)) {
      for (const r of await this.db.insertInto('sub_accounts').values(chunk).returning('id').execute()) ids.push(r.id);
    }
    return ids;
  }

  /** Tells gateways following the change feed to reload these accounts. */
  recordChange(ids: readonly number[], now: number): Promise<void> {
    return recordChange(this.db, 'sub_account', ids, now);
  }

  async updateByIds(ids: readonly number[], patch: Updateable<SubAccountsTable>): Promise<void> {
    for (const chunk of chunkRows(ids, 1, this.caps)) {
      await this.db.updateTable('sub_accounts').set(patch).where('id', 'in', chunk).execute();
    }
  }

  async deleteByIds(ids: readonly number[]): Promise<void> {
    for (const chunk of chunkRows(ids, 1, this.caps)) {
      await this.db.deleteFrom('sub_accounts').where('id', 'in', chunk).execute();
    }
  }
}

/** Numbers as numbers: PostgreSQL returns bigint columns as strings. */
function gatewayRow(row: GatewayAccountRow): GatewayAccountRow {
  return {
    id: Number(row.id),
    user_id: Number(row.user_id),
    product_type: row.product_type,
    username: row.username,
    password_enc: row.password_enc,
    limit_gb: row.limit_gb,
    daily_limit_gb: row.daily_limit_gb,
    udp: row.udp,
    used_bytes: Number(row.used_bytes),
    status: row.status,
    user_status: row.user_status,
  };
}
