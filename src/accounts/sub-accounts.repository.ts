import type { Kysely, Updateable } from 'kysely';
import {
  chunkRows,
  type Database,
  type DialectCapabilities,
  type NewSubAccountRow,
  type SubAccountRow,
  type SubAccountsTable,
} from '../storage/index.js';

export type ListedRow = Omit<SubAccountRow, 'user_id' | 'updated_at'>;

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

  listByUser(
    userId: number,
    filter: { productType?: number | undefined; username?: string | undefined },
  ): Promise<SubAccountRow[]> {
    let q = this.db.selectFrom('sub_accounts').selectAll().where('user_id', '=', userId);
    if (filter.productType !== undefined) q = q.where('product_type', '=', filter.productType);
    if (filter.username !== undefined) q = q.where('username', '=', filter.username);
    return q.orderBy('id').execute();
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

  async insertMany(rows: readonly NewSubAccountRow[]): Promise<void> {
    for (const chunk of chunkRows(rows, 11, this.caps)) {
      await this.db.insertInto('sub_accounts').values(chunk).execute();
    }
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
