import type { ExpressionBuilder, Kysely, Selectable, Updateable } from 'kysely';
import type { Database, DialectCapabilities, StaticIpAllocationsTable, StaticIpsTable } from '../storage/index.js';
import { EXPIRING_WITHIN_MS, type StaticIpStatus } from './static-ips.types.js';

export type StaticIpRow = Selectable<StaticIpsTable>;
export type AllocationRow = Selectable<StaticIpAllocationsTable>;
export type NewStaticIpRow = Omit<StaticIpRow, 'id'>;
export type NewAllocationRow = Omit<AllocationRow, 'id'>;

/** An inventory row with the allocation that holds it now (alloc_* null when none). */
export interface InventoryRow extends StaticIpRow {
  alloc_id: number | null;
  alloc_user_id: number | null;
  alloc_trade_no: string | null;
  alloc_created_at: number | null;
  alloc_expires_at: number | null;
}

/** An allocation with the columns of its static IP that listings show. */
export interface AllocationWithIpRow extends AllocationRow {
  ip: string;
  port: number;
  country: string;
  product_type: number;
  maintenance: number;
  asn: number;
}

export interface ExitRow {
  allocation_id: number;
  static_ip_id: number;
  user_id: number;
  product_type: number;
  ip: string;
  port: number;
  url_enc: string;
  country: string;
  expires_at: number;
}

type InventoryEb = ExpressionBuilder<Database, 'static_ips'>;
type AllocationEb = ExpressionBuilder<Database & { a: StaticIpAllocationsTable; s: StaticIpsTable }, 'a' | 's'>;

/** No allocation holds the static IP at `now` (none unreleased and unexpired). */
function unheld(now: number) {
  return (eb: InventoryEb) =>
    eb.not(
      eb.exists(
        eb
          .selectFrom('static_ip_allocations')
          .select('static_ip_allocations.id')
          .whereRef('static_ip_allocations.static_ip_id', '=', 'static_ips.id')
          .where('static_ip_allocations.released_at', 'is', null)
          .where('static_ip_allocations.expires_at', '>', now),
      ),
    );
}

/** Some allocation, past or present, has held the static IP. */
function everHeld(eb: InventoryEb) {
  return eb.exists(
    eb
      .selectFrom('static_ip_allocations')
      .select('static_ip_allocations.id')
      .whereRef('static_ip_allocations.static_ip_id', '=', 'static_ips.id'),
  );
}

/** The SQL form of statusOf (static-ips.service.ts): the allocations showing `status` at `now`. */
function hasStatus(status: StaticIpStatus, now: number) {
  const soon = now + EXPIRING_WITHIN_MS;
  return (eb: AllocationEb) => {
    const valid = eb.and([eb('a.released_at', 'is', null), eb('a.expires_at', '>', now)]);
    switch (status) {
      case 2:
        return eb.or([eb('a.released_at', 'is not', null), eb('a.expires_at', '<=', now)]);
      case 4:
        return eb.and([valid, eb('s.maintenance', '=', 1)]);
      case 3:
        return eb.and([valid, eb('s.maintenance', '=', 0), eb('a.expires_at', '<=', soon)]);
      case 1:
        return eb.and([valid, eb('s.maintenance', '=', 0), eb('a.expires_at', '>', soon)]);
    }
  };
}

/**
 * Queries on the static IP inventory and its allocations; returns rows, holds no rules.
 * Bind to a transaction to make several calls atomic.
 */
export class StaticIpsRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly caps: DialectCapabilities,
  ) {}

  insert(row: NewStaticIpRow): Promise<StaticIpRow> {
    return this.db.insertInto('static_ips').values(row).returningAll().executeTakeFirstOrThrow();
  }

  findById(id: number): Promise<StaticIpRow | undefined> {
    return this.db.selectFrom('static_ips').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByAddress(ip: string, port: number): Promise<StaticIpRow | undefined> {
    return this.db.selectFrom('static_ips').selectAll().where('ip', '=', ip).where('port', '=', port).executeTakeFirst();
  }

  /** The inventory by id, each row with the allocation holding it at `now`. */
  list(
    now: number,
    filter: {
      id?: number | undefined;
      country?: string | undefined;
      productType?: number | undefined;
      asn?: number | undefined;
    } = {},
  ): Promise<InventoryRow[]> {
    let q = this.db
      .selectFrom('static_ips')
      .leftJoin('static_ip_allocations as a', (join) =>
        join.onRef('a.static_ip_id', '=', 'static_ips.id').on('a.released_at', 'is', null).on('a.expires_at', '>', now),
      )
      .selectAll('static_ips')
      .select([
        'a.id as alloc_id',
        'a.user_id as alloc_user_id',
        'a.trade_no as alloc_trade_no',
        'a.created_at as alloc_created_at',
        'a.expires_at as alloc_expires_at',
      ])
      .orderBy('static_ips.id');
    if (filter.id !== undefined) q = q.where('static_ips.id', '=', filter.id);
    if (filter.country !== undefined) q = q.where('static_ips.country', '=', filter.country);
    if (filter.productType !== undefined) q = q.where('static_ips.product_type', '=', filter.productType);
    if (filter.asn !== undefined) q = q.where('static_ips.asn', '=', filter.asn);
    return q.execute();
  }

  update(id: number, patch: Updateable<StaticIpsTable>): Promise<StaticIpRow | undefined> {
    return this.db.updateTable('static_ips').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
  }

  async delete(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('static_ips').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /**
   * Up to `limit` unallocated, in-service static IPs of a country and type, those no one ever
   * held first (what `static-ip-region` counts as exclusive), then by id; locked for
   * this transaction where the dialect has row locks; rows another transaction holds are skipped
   * (it is allocating them). The caller re-checks them with holders(): a row locked after
   * its allocator committed still passed this statement's older snapshot.
   */
  async lockFree(country: string, productType: number, now: number, limit: number, skip: readonly number[]): Promise<number[]> {
    let q = this.db
      .selectFrom('static_ips')
      .select('id')
      .where('country', '=', country)
      .where('product_type', '=', productType)
      .where('maintenance', '=', 0)
      .where(unheld(now))
      .orderBy((eb) => eb.case().when(everHeld(eb)).then(1).else(0).end())
      .orderBy('id')
      .limit(limit);
    if (skip.length > 0) q = q.where('id', 'not in', skip);
    if (this.caps.rowLocks) q = q.forUpdate().skipLocked();
    return (await q.execute()).map((r) => Number(r.id));
  }

  /** Locks these static IPs for this transaction (waiting for other holders); returns the ids that exist. */
  async lock(ids: readonly number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    let q = this.db.selectFrom('static_ips').select('id').where('id', 'in', ids).orderBy('id');
    if (this.caps.rowLocks) q = q.forUpdate();
    return (await q.execute()).map((r) => Number(r.id));
  }

  /** The allocations holding any of these static IPs at `now`. */
  holders(staticIpIds: readonly number[], now: number): Promise<AllocationRow[]> {
    if (staticIpIds.length === 0) return Promise.resolve([]);
    return this.db
      .selectFrom('static_ip_allocations')
      .selectAll()
      .where('static_ip_id', 'in', staticIpIds)
      .where('released_at', 'is', null)
      .where('expires_at', '>', now)
      .execute();
  }

  insertAllocations(rows: readonly NewAllocationRow[]): Promise<AllocationRow[]> {
    return this.db.insertInto('static_ip_allocations').values(rows).returningAll().execute();
  }

  allocationsByIds(ids: readonly number[]): Promise<AllocationRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.db.selectFrom('static_ip_allocations').selectAll().where('id', 'in', ids).orderBy('id').execute();
  }

  async setExpiry(allocationId: number, expiresAt: number): Promise<void> {
    await this.db.updateTable('static_ip_allocations').set({ expires_at: expiresAt }).where('id', '=', allocationId).execute();
  }

  /** Ends an allocation that holds its IP at `now`; undefined when there is none such. */
  release(allocationId: number, now: number): Promise<AllocationRow | undefined> {
    return this.db
      .updateTable('static_ip_allocations')
      .set({ released_at: now })
      .where('id', '=', allocationId)
      .where('released_at', 'is', null)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
  }

  /** Allocations joined with their IPs, by allocation id. */
  withIps(allocationIds: readonly number[]): Promise<AllocationWithIpRow[]> {
    if (allocationIds.length === 0) return Promise.resolve([]);
    return this.#allocationsWithIps().where('a.id', 'in', allocationIds).orderBy('a.id').execute();
  }

  /** One page of a user's allocations (every one they ever had), by allocation id, and the total matching. */
  async userPage(
    userId: number,
    filter: {
      country?: string | undefined;
      productType?: number | undefined;
      tradeNo?: string | undefined;
      status?: StaticIpStatus | undefined;
    },
    now: number,
    page: { offset: number; limit: number },
  ): Promise<{ rows: AllocationWithIpRow[]; total: number }> {
    let q = this.#allocationsWithIps().where('a.user_id', '=', userId);
    if (filter.country !== undefined) q = q.where('s.country', '=', filter.country);
    if (filter.productType !== undefined) q = q.where('s.product_type', '=', filter.productType);
    if (filter.tradeNo !== undefined) q = q.where('a.trade_no', '=', filter.tradeNo);
    if (filter.status !== undefined) q = q.where(hasStatus(filter.status, now));
    const counted = await q
      .clearSelect()
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const rows = await q.orderBy('a.id').limit(page.limit).offset(page.offset).execute();
    return { rows, total: Number(counted.n) };
  }

  /**
   * Unallocated, in-service static IPs of a type per country (and per ASN with `byAsn`), none-left
   * groups left out; with `neverHeld` only IPs no allocation ever held.
   */
  async freeByCountry(
    productType: number,
    now: number,
    options: { byAsn?: boolean | undefined; neverHeld?: boolean | undefined } = {},
  ): Promise<{ country: string; asn: number; n: number }[]> {
    let q = this.db
      .selectFrom('static_ips')
      .select(['country', (eb) => eb.fn.countAll<number>().as('n')])
      .where('product_type', '=', productType)
      .where('maintenance', '=', 0)
      .where(unheld(now))
      .groupBy('country')
      .orderBy('country');
    if (options.neverHeld) q = q.where((eb) => eb.not(everHeld(eb)));
    if (options.byAsn) {
      const rows = await q.select('asn').groupBy('asn').orderBy('asn').execute();
      return rows.map((r) => ({ country: r.country, asn: Number(r.asn), n: Number(r.n) }));
    }
    const rows = await q.execute();
    return rows.map((r) => ({ country: r.country, asn: 0, n: Number(r.n) }));
  }

  /** The exits held at `now` and in service: of one user and type, or of one static IP. */
  exits(by: { userId: number; productType: number } | { staticIpId: number }, now: number): Promise<ExitRow[]> {
    let q = this.db
      .selectFrom('static_ip_allocations as a')
      .innerJoin('static_ips as s', 's.id', 'a.static_ip_id')
      .select([
        'a.id as allocation_id',
        's.id as static_ip_id',
        'a.user_id',
        's.product_type',
        's.ip',
        's.port',
        's.url_enc',
        's.country',
        'a.expires_at',
      ])
      .where('a.released_at', 'is', null)
      .where('a.expires_at', '>', now)
      .where('s.maintenance', '=', 0)
      .orderBy('a.id');
    q =
      'staticIpId' in by
        ? q.where('s.id', '=', by.staticIpId)
        : q.where('a.user_id', '=', by.userId).where('s.product_type', '=', by.productType);
    return q.execute();
  }

  async userExists(userId: number): Promise<boolean> {
    return (await this.db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst()) !== undefined;
  }

  #allocationsWithIps() {
    return this.db
      .selectFrom('static_ip_allocations as a')
      .innerJoin('static_ips as s', 's.id', 'a.static_ip_id')
      .selectAll('a')
      .select(['s.ip', 's.port', 's.country', 's.product_type', 's.maintenance', 's.asn']);
  }
}
