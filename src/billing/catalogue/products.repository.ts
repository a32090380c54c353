import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Database, ProductSkusTable, ProductsTable } from '../../storage/index.js';

export type ProductRow = Selectable<ProductsTable>;
export type ProductSkuRow = Selectable<ProductSkusTable>;

/** Queries on products and their SKUs; returns rows, holds no rules. Bind to a transaction to make calls atomic. */
export class ProductsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  insert(row: Insertable<ProductsTable>): Promise<ProductRow> {
    return this.db.insertInto('products').values(row).returningAll().executeTakeFirstOrThrow();
  }

  findById(id: number): Promise<ProductRow | undefined> {
    return this.db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();
  }

  list(): Promise<ProductRow[]> {
    return this.db.selectFrom('products').selectAll().orderBy('id').execute();
  }

  /** The ids among `ids` that exist. */
  async existing(ids: readonly number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom('products')
      .select('id')
      .where('id', 'in', [...ids])
      .execute();
    return rows.map((r) => Number(r.id));
  }

  update(id: number, patch: Updateable<ProductsTable>): Promise<ProductRow | undefined> {
    return this.db.updateTable('products').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
  }

  insertSku(row: Insertable<ProductSkusTable>): Promise<ProductSkuRow> {
    return this.db.insertInto('product_skus').values(row).returningAll().executeTakeFirstOrThrow();
  }

  skusOf(productIds: readonly number[]): Promise<ProductSkuRow[]> {
    if (productIds.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('product_skus')
      .selectAll()
      .where('product_id', 'in', [...productIds])
      .orderBy('product_id')
      .orderBy('kind')
      .orderBy('value')
      .orderBy('id')
      .execute();
  }

  findSku(productId: number, skuId: number): Promise<ProductSkuRow | undefined> {
    return this.db
      .selectFrom('product_skus')
      .selectAll()
      .where('id', '=', skuId)
      .where('product_id', '=', productId)
      .executeTakeFirst();
  }

  updateSku(skuId: number, patch: Updateable<ProductSkusTable>): Promise<ProductSkuRow | undefined> {
    return this.db.updateTable('product_skus').set(patch).where('id', '=', skuId).returningAll().executeTakeFirst();
  }

  async deleteSku(productId: number, skuId: number): Promise<boolean> {
    const result = await this.db
      .deleteFrom('product_skus')
      .where('id', '=', skuId)
      .where('product_id', '=', productId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
