import {
  type Expression,
  type ExpressionBuilder,
  type Insertable,
  type Kysely,
  type Selectable,
  type SqlBool,
  sql,
} from 'kysely';
import { TRAFFIC_PACKAGE_TYPES } from '../products/index.js';
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
  readonly expiredCount: number;
  readonly expiredTotalBytes: number;
  readonly expiredUsedBytes: number;
}

/** A valid package as the gateway and the meter read it. */
export interface ValidPackage {
  readonly id: number;
  readonly totalBytes: number;
  readonly usedBytes: number;
  readonly bandwidthMbps: number;
  readonly concurrency: number;
  readonly expiresAt: number;
}

type PackagesExpression = ExpressionBuilder<Database, 'user_packages'>;

/**
 * THE definition of a valid package of `productType` at time `now`: active (not withdrawn), started, not expired
 * and, for a traffic package, not used up. The meter, the gateway's quotas, extraction and the customer's summary
 * all ask through this one predicate.
 */
export function validAt(eb: PackagesExpression, productType: number, now: number): Expression<SqlBool> {
  const conditions = [eb('status', '=', 1), eb('starts_at', '<=', now), eb('expires_at', '>', now)];
  if (TRAFFIC_PACKAGE_TYPES.includes(productType)) conditions.push(eb('used_bytes', '<', eb.ref('total_bytes')));
  return eb.and(conditions);
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

  /**
   * The valid packages (validAt) of the user's type at `now`, the one expiring first first. With `forUpdate`
   * (where the dialect has row locks) the rows stay locked until the transaction ends: the meter draws from them.
   */
  async valid(userId: number, productType: number, now: number, forUpdate = false): Promise<ValidPackage[]> {
    const rows = await this.db
      .selectFrom('user_packages')
      .select(['id', 'total_bytes', 'used_bytes', 'bandwidth_mbps', 'concurrency', 'expires_at'])
      .where('user_id', '=', userId)
      .where('product_type', '=', productType)
      .where((eb) => validAt(eb, productType, now))
      .orderBy('expires_at')
      .orderBy('id')
      .$if(forUpdate, (q) => q.forUpdate())
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      totalBytes: Number(r.total_bytes),
      usedBytes: Number(r.used_bytes),
      bandwidthMbps: r.bandwidth_mbps,
      concurrency: r.concurrency,
      expiresAt: Number(r.expires_at),
    }));
  }

  /** Whether the user holds a valid package (validAt) of the type at `now`. */
  async hasValid(userId: number, productType: number, now: number): Promise<boolean> {
    const row = await this.db
      .selectFrom('user_packages')
      .select('id')
      .where('user_id', '=', userId)
      .where('product_type', '=', productType)
      .where((eb) => validAt(eb, productType, now))
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** When the user's next active package of the type that has not started yet starts (Infinity when none). */
  async nextStart(userId: number, productType: number, now: number): Promise<number> {
    const row = await this.db
      .selectFrom('user_packages')
      .select((eb) => eb.fn.min('starts_at').as('at'))
      .where('user_id', '=', userId)
      .where('product_type', '=', productType)
      .where('status', '=', 1)
      .where('starts_at', '>', now)
      .executeTakeFirst();
    return row?.at === null || row?.at === undefined ? Number.POSITIVE_INFINITY : Number(row.at);
  }

  /**
   * Where bytes go that no valid package can hold (relayed after the packages ran out, before the tunnels were
   * cut): the user's active package of the type that started last by expiry. Undefined when it has none.
   */
  async overshootTarget(userId: number, productType: number, now: number): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('user_packages')
      .select('id')
      .where('user_id', '=', userId)
      .where('product_type', '=', productType)
      .where('status', '=', 1)
      .where('starts_at', '<=', now)
      .orderBy('expires_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? undefined : Number(row.id);
  }

  /** Adds `bytes` to a package's used bytes. */
  async draw(id: number, bytes: number, now: number): Promise<void> {
    await this.db
      .updateTable('user_packages')
      .set((eb) => ({ used_bytes: eb(eb.ref('used_bytes'), '+', bytes), updated_at: now }))
      .where('id', '=', id)
      .execute();
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
   * One aggregate over the user's active packages of a product type: valid as validAt says, soon means valid and
   * `expires_at <= soon`, expired means `expires_at <= now`. Sums stay in bytes; the caller converts.
   */
  async sums(userId: number, productType: number, now: number, soon: number): Promise<PackageSums> {
    // Used bytes capped at the package's total: the gateway's last flush may overshoot it.
    const used = sql<number>`case when used_bytes < total_bytes then used_bytes else total_bytes end`;
    const row = await this.db
      .selectFrom('user_packages')
      .select((eb) => {
        const valid = validAt(eb, productType, now);
        const isSoon = eb.and([valid, eb('expires_at', '<=', soon)]);
        const expired = eb('expires_at', '<=', now);
        const when = (cond: Expression<SqlBool>, then: Expression<number> | number) =>
          sql<number>`coalesce(sum(case when ${cond} then ${then} else 0 end), 0)`;
        const total = sql<number>`total_bytes`;
        return [
          sql<number>`count(*)`.as('count'),
          sql<number>`coalesce(sum(total_bytes), 0)`.as('total_bytes'),
          sql<number>`coalesce(sum(${used}), 0)`.as('used_bytes'),
          when(valid, sql<number>`1`).as('valid_count'),
          when(valid, total).as('valid_total_bytes'),
          when(valid, used).as('valid_used_bytes'),
          when(isSoon, sql<number>`1`).as('soon_count'),
          when(isSoon, total).as('soon_total_bytes'),
          when(isSoon, used).as('soon_used_bytes'),
          when(expired, sql<number>`1`).as('expired_count'),
          when(expired, total).as('expired_total_bytes'),
          when(expired, used).as('expired_used_bytes'),
        ];
      })
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
      expiredCount: Number(row.expired_count),
      expiredTotalBytes: Number(row.expired_total_bytes),
      expiredUsedBytes: Number(row.expired_used_bytes),
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
