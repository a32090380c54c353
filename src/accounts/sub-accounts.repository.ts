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
];
type ListedTuple = [number, number, string, string, string, number, number, number, number];

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

  /** Which of `names` are taken for this product type, by anyone. */
  async takenNames(productType: number, names: readonly string[]): Promise<string[]> {
    const taken: string[] = [];
    for (const chunk of chunkRows(names, 1, this.caps)) {
      const rows = await this.db
        .selectFrom('sub_accounts')
        .select('username')
        .where('product_type', '=', productType)
        .where('username', 'in', chunk)
        .execute();
      for (const r of rows) taken.push(r.username);
    }
    return taken;
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
