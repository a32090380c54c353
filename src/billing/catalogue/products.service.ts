import type { Kysely } from 'kysely';
import { AppError, invalidParams } from '../../errors/index.js';
import type { Database } from '../../storage/index.js';
import { SOLD_TYPES } from '../../products/index.js';
import {
  type NewProduct,
  type NewSku,
  PRODUCT_DESCRIPTION_MAX,
  PRODUCT_TITLE_MAX,
  type Product,
  type ProductPatch,
  type ProductSku,
  type SkuKind,
  type SkuPatch,
} from './catalogue.types.js';
import { type ProductRow, ProductsRepository, type ProductSkuRow } from './products.repository.js';
import {
  checkMoney,
  checkProductType,
  checkSkuKind,
  checkSkuValue,
  checkText,
  checkUnitBytes,
  checkUnitDays,
  FieldErrors,
  hasSkus,
  hasUnitPrice,
  productShapeErrors,
} from './rules.js';

export interface CatalogueServiceOptions {
  readonly now?: () => number;
}

interface ProductFields {
  title: string;
  description: string;
  productType: number;
  unitPriceCents: number;
  unitBytes: number;
  unitDays: number;
}

/**
 * Products (`pid`) and the SKUs of time-package products (type 11). Only a type the product registry sells
 * may be created, or given to a product by an update (TG_ERR_PRODUCT_NOT_ORDERABLE otherwise). Products are
 * disabled, never deleted: orders name them.
 */
export class ProductsService {
  readonly #now: () => number;

  constructor(
    private readonly db: Kysely<Database>,
    options: CatalogueServiceOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
  }

  async add(input: NewProduct): Promise<Product> {
    const f = new FieldErrors();
    const title = f.take('title', checkText(input.title, PRODUCT_TITLE_MAX));
    const description = f.take('description', checkText(input.description ?? '', PRODUCT_DESCRIPTION_MAX, true));
    const productType = f.take('product_type', checkProductType(input.productType));
    const unitBytes = input.unitBytes === undefined ? 0 : f.take('unit_bytes', checkUnitBytes(input.unitBytes));
    const unitDays = input.unitDays === undefined ? 0 : f.take('unit_days', checkUnitDays(input.unitDays));
    let unitPriceCents: number | undefined = 0;
    if (input.price !== undefined) unitPriceCents = f.take('price', checkMoney(input.price));
    else if (productType !== undefined && hasUnitPrice(productType)) f.add('price', 'is required');
    const skus = (input.skus ?? []).map((sku, i) => this.#checkSku(sku, f, `skus[${i}]`));
    if (
      f.any ||
      title === undefined ||
      description === undefined ||
      productType === undefined ||
      unitBytes === undefined ||
      unitDays === undefined ||
      unitPriceCents === undefined
    ) {
      throw invalidParams(f.errors);
    }
    const fields: ProductFields = { title, description, productType, unitPriceCents, unitBytes, unitDays };
    this.#checkShape(fields);
    if (skus.length > 0 && !hasSkus(productType)) throw noSkus(productType);
    const now = this.#now();
    const id = await this.db.transaction().execute(async (trx) => {
      const repo = new ProductsRepository(trx);
      const row = await repo.insert({
        title,
        description,
        product_type: productType,
        unit_price_cents: unitPriceCents,
        unit_bytes: unitBytes,
        unit_days: unitDays,
        enabled: input.enabled === false ? 0 : 1,
        created_at: now,
        updated_at: now,
      });
      for (const sku of skus) {
        await repo.insertSku({ product_id: Number(row.id), ...sku, created_at: now });
      }
      return Number(row.id);
    });
    return this.get(id);
  }

  /** Every product, enabled or not, by id, with its SKUs. */
  async list(): Promise<Product[]> {
    const repo = new ProductsRepository(this.db);
    const rows = await repo.list();
    const skus = await repo.skusOf(rows.map((r) => Number(r.id)));
    return rows.map((row) =>
      toProduct(
        row,
        skus.filter((s) => Number(s.product_id) === Number(row.id)),
      ),
    );
  }

  /**
   * The product with its SKUs; TG_ERR_PRODUCT_NOT_FOUND when there is none. Pass a transaction as `db` to
   * read inside it.
   */
  async get(id: number, db: Kysely<Database> = this.db): Promise<Product> {
    const repo = new ProductsRepository(db);
    const row = await repo.findById(id);
    if (!row) throw new AppError('TG_ERR_PRODUCT_NOT_FOUND', { params: { pid: id } });
    return toProduct(row, await repo.skusOf([id]));
  }

  /** Changes the given fields; the product as it would be stored must still follow every rule. */
  async update(id: number, patch: ProductPatch): Promise<Product> {
    const f = new FieldErrors();
    const title = patch.title === undefined ? undefined : f.take('title', checkText(patch.title, PRODUCT_TITLE_MAX));
    const description =
      patch.description === undefined
        ? undefined
        : f.take('description', checkText(patch.description, PRODUCT_DESCRIPTION_MAX, true));
    const productType = patch.productType === undefined ? undefined : f.take('product_type', checkProductType(patch.productType));
    const unitBytes = patch.unitBytes === undefined ? undefined : f.take('unit_bytes', checkUnitBytes(patch.unitBytes));
    const unitDays = patch.unitDays === undefined ? undefined : f.take('unit_days', checkUnitDays(patch.unitDays));
    const unitPriceCents = patch.price === undefined ? undefined : f.take('price', checkMoney(patch.price));
    if (f.any) throw invalidParams(f.errors);
    const now = this.#now();
    await this.db.transaction().execute(async (trx) => {
      const repo = new ProductsRepository(trx);
      const current = await repo.findById(id);
      if (!current) throw new AppError('TG_ERR_PRODUCT_NOT_FOUND', { params: { pid: id } });
      const next: ProductFields = {
        title: title ?? current.title,
        description: description ?? current.description,
        productType: productType ?? current.product_type,
        unitPriceCents: unitPriceCents ?? Number(current.unit_price_cents),
        unitBytes: unitBytes ?? Number(current.unit_bytes),
        unitDays: unitDays ?? current.unit_days,
      };
      this.#checkShape(next);
      if (!hasSkus(next.productType) && (await repo.skusOf([id])).length > 0) {
        throw new AppError('TG_ERR_SKU_INVALID', {
          params: { reason: `remove the product’s SKUs before changing its type to ${next.productType}` },
        });
      }
      await repo.update(id, {
        title: next.title,
        description: next.description,
        product_type: next.productType,
        unit_price_cents: next.unitPriceCents,
        unit_bytes: next.unitBytes,
        unit_days: next.unitDays,
        ...(patch.enabled !== undefined ? { enabled: patch.enabled ? 1 : 0 } : {}),
        updated_at: now,
      });
    });
    return this.get(id);
  }

  setEnabled(id: number, enabled: boolean): Promise<Product> {
    return this.update(id, { enabled });
  }

  async addSku(productId: number, input: NewSku): Promise<Product> {
    const f = new FieldErrors();
    const sku = this.#checkSku(input, f);
    if (f.any) throw invalidParams(f.errors);
    await this.db.transaction().execute(async (trx) => {
      const repo = new ProductsRepository(trx);
      const product = await repo.findById(productId);
      if (!product) throw new AppError('TG_ERR_PRODUCT_NOT_FOUND', { params: { pid: productId } });
      if (!hasSkus(product.product_type)) throw noSkus(product.product_type);
      await repo.insertSku({ product_id: productId, ...sku, created_at: this.#now() });
    });
    return this.get(productId);
  }

  async updateSku(productId: number, skuId: number, patch: SkuPatch): Promise<Product> {
    const f = new FieldErrors();
    const kind = patch.kind === undefined ? undefined : f.take('kind', checkSkuKind(patch.kind));
    const title = patch.title === undefined ? undefined : f.take('title', checkText(patch.title, PRODUCT_TITLE_MAX, true));
    const priceCents = patch.price === undefined ? undefined : f.take('price', checkMoney(patch.price));
    if (f.any) throw invalidParams(f.errors);
    await this.db.transaction().execute(async (trx) => {
      const repo = new ProductsRepository(trx);
      const current = await repo.findSku(productId, skuId);
      if (!current) throw skuNotFound(productId, skuId);
      // The value's range depends on the kind as it will be stored.
      const value =
        patch.value === undefined ? undefined : f.take('value', checkSkuValue(patch.value, kind ?? (current.kind as SkuKind)));
      if (f.any) throw invalidParams(f.errors);
      await repo.updateSku(skuId, {
        ...(kind !== undefined ? { kind } : {}),
        ...(title !== undefined ? { title } : {}),
        ...(value !== undefined ? { value } : {}),
        ...(priceCents !== undefined ? { price_cents: priceCents } : {}),
      });
    });
    return this.get(productId);
  }

  async removeSku(productId: number, skuId: number): Promise<Product> {
    const removed = await new ProductsRepository(this.db).deleteSku(productId, skuId);
    if (!removed) throw skuNotFound(productId, skuId);
    return this.get(productId);
  }

  #checkSku(input: NewSku, f: FieldErrors, at = ''): { kind: SkuKind; title: string; value: number; price_cents: number } {
    const name = (field: string) => (at === '' ? field : `${at}.${field}`);
    const kind = f.take(name('kind'), checkSkuKind(input.kind));
    const title = f.take(name('title'), checkText(input.title ?? '', PRODUCT_TITLE_MAX, true));
    const value = f.take(name('value'), checkSkuValue(input.value, kind));
    const price = f.take(name('price'), checkMoney(input.price));
    return { kind: kind ?? 'bandwidth', title: title ?? '', value: value ?? 0, price_cents: price ?? 0 };
  }

  /** The rules between fields, on the product as it would be stored. */
  #checkShape(p: ProductFields): void {
    const errors = productShapeErrors(p);
    if (Object.keys(errors).length > 0) throw invalidParams(errors);
  }
}

function noSkus(productType: number): AppError {
  return new AppError('TG_ERR_SKU_INVALID', {
    params: { reason: `products of type ${productType} have no SKUs (only time packages do)` },
  });
}

function skuNotFound(productId: number, skuId: number): AppError {
  return new AppError('TG_ERR_SKU_INVALID', { params: { reason: `product ${productId} has no SKU ${skuId}` } });
}

function toSku(row: ProductSkuRow): ProductSku {
  return {
    id: Number(row.id),
    productId: Number(row.product_id),
    kind: row.kind as SkuKind,
    title: row.title,
    value: row.value,
    priceCents: Number(row.price_cents),
  };
}

function toProduct(row: ProductRow, skus: readonly ProductSkuRow[]): Product {
  return {
    id: Number(row.id),
    title: row.title,
    description: row.description,
    productType: row.product_type,
    unitPriceCents: Number(row.unit_price_cents),
    unitBytes: Number(row.unit_bytes),
    unitDays: row.unit_days,
    enabled: row.enabled === 1,
    orderable: SOLD_TYPES.includes(row.product_type),
    skus: skus.map(toSku),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
