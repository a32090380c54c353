import { type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import type { Database, UserPackagesTable } from '../storage/index.js';

export type PackageRow = Selectable<UserPackagesTable>;
export type NewPackageRow = Insertable<UserPackagesTable>;

/** Byte sums over one user's active packages of one product type (see PackagesRepository.sums). */
export interface PackageSums {
  readonly count: number;
  readonly totalBytes: number;
  /** Used bytes, each package's capped at its total. */
  readonly usedBytes: number;
  readonly validCount: number;
  readonly validTotalBytes: number;
  readonly validUsedBytes: number;
  readonly soonCount: number;
  readonly soonTotalBytes: number;
  readonly soonUsedBytes: number;
}

export interface PackageQuery {
  readonly tradeNo?: string | undefined;
  readonly productType?: number | undefined;
  readonly includeWithdrawn: boolean;
  readonly offset: number;
  readonly limit: number;
}

/** Queries on user_packages; returns rows, holds no rules. Bind to a transaction to make calls atomic. */
export class PackagesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  insert(row: NewPackageRow): Promise<PackageRow> {
    return this.db.insertInto('user_packages').values(row).returningAll().executeTakeFirstOrThrow();
  }

  findById(id: number): Promise<PackageRow | undefined> {
    return this.db.selectFrom('user_packages').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async tradeNoTaken(tradeNo: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('user_packages')
      .select('id')
      .where('trade_no', '=', tradeNo)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async userExists(userId: number): Promise<boolean> {
    const row = await this.db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
    return row !== undefined;
  }

  /** One page of a user's packages, newest first, and how many match in all. */
  async list(userId: number, q: PackageQuery): Promise<{ rows: PackageRow[]; total: number }> {
    let base = this.db.selectFrom('user_packages').where('user_id', '=', userId);
    if (!q.includeWithdrawn) base = base.where('status', '=', 1);
    if (q.productType !== undefined) base = base.where('product_type', '=', q.productType);
    if (q.tradeNo !== undefined) base = base.where('trade_no', '=', q.tradeNo);
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('id', 'desc').offset(q.offset).limit(q.limit).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }

  /**
   * One aggregate over the user's active packages of a product type: valid means `expires_at > now`, soon means
   * valid and `expires_at <= soon`. Sums stay in bytes; the caller converts.
   */
  async sums(userId: number, productType: number, now: number, soon: number): Promise<PackageSums> {
    // Used bytes capped at the package's total: the gateway's last flush may overshoot it.
    const used = sql<number>`case when used_bytes < total_bytes then used_bytes else total_bytes end`;
    const valid = sql<boolean>`expires_at > ${now}`;
    const isSoon = sql<boolean>`expires_at > ${now} and expires_at <= ${soon}`;
    const row = await this.db
      .selectFrom('user_packages')
      .select([
        sql<number>`count(*)`.as('count'),
        sql<number>`coalesce(sum(total_bytes), 0)`.as('total_bytes'),
        sql<number>`coalesce(sum(${used}), 0)`.as('used_bytes'),
        sql<number>`coalesce(sum(case when ${valid} then 1 else 0 end), 0)`.as('valid_count'),
        sql<number>`coalesce(sum(case when ${valid} then total_bytes else 0 end), 0)`.as('valid_total_bytes'),
        sql<number>`coalesce(sum(case when ${valid} then ${used} else 0 end), 0)`.as('valid_used_bytes'),
        sql<number>`coalesce(sum(case when ${isSoon} then 1 else 0 end), 0)`.as('soon_count'),
        sql<number>`coalesce(sum(case when ${isSoon} then total_bytes else 0 end), 0)`.as('soon_total_bytes'),
        sql<number>`coalesce(sum(case when ${isSoon} then ${used} else 0 end), 0)`.as('soon_used_bytes'),
      ])
      .where('user_id', '=', userId)
      .where('product_type', '=', productType)
      .where('status', '=', 1)
      .executeTakeFirstOrThrow();
    return {
      count: Number(row.count),
      totalBytes: Number(row.total_bytes),
      usedBytes: Number(row.used_bytes),
      validCount: Number(row.valid_count),
      validTotalBytes: Number(row.valid_total_bytes),
      validUsedBytes: Number(row.valid_used_bytes),
      soonCount: Number(row.soon_count),
      soonTotalBytes: Number(row.soon_total_bytes),
      soonUsedBytes: Number(row.soon_used_bytes),
    };
  }

  /**
   * Takes back the unused part of an active package in one statement: unused → status 0 (withdrawn); partly used →
   * `total_bytes` = `used_bytes`; used up → unchanged. Undefined when there is no such package.
   */
  withdrawUnused(id: number, at: number): Promise<PackageRow | undefined> {
    return this.db
      .updateTable('user_packages')
      .set({
        status: sql<number>`case when used_bytes = 0 then 0 else status end`,
        total_bytes: sql<number>`case when used_bytes > 0 and used_bytes < total_bytes then used_bytes else total_bytes end`,
        updated_at: at,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  setStatus(id: number, status: number, at: number): Promise<PackageRow | undefined> {
    return this.db
      .updateTable('user_packages')
      .set({ status, updated_at: at })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }
}
