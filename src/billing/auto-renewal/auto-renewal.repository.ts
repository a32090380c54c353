import { sql, type Kysely } from 'kysely';
import type { AutoRenewalLogRow, AutoRenewalRow, Database } from '../../storage/index.js';

/** A package as auto-renewal needs it. */
export interface RenewablePackage {
  readonly id: number;
  readonly userId: number;
  readonly status: number;
  readonly expiresAt: number;
  readonly tradeNo: string;
}

/** The paid order a package came from: what a renewal buys again. */
export interface SourceOrder {
  readonly productId: number;
  readonly productName: string;
  readonly amount: number;
  readonly details: string;
}

export interface NewLog {
  readonly user_id: number;
  readonly user_package_id: number;
  readonly new_user_package_id: number | null;
  readonly status: number;
  readonly trade_no: string;
  readonly pay_fee_cents: number;
  readonly error_code: number;
  readonly reason: string;
  readonly created_at: number;
}

/** Queries on auto_renewals and auto_renewal_logs; returns rows, holds no rules. Bind to a transaction to make calls atomic. */
export class AutoRenewalRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async package(packageId: number): Promise<RenewablePackage | undefined> {
    const row = await this.db
      .selectFrom('user_packages')
      .select(['id', 'user_id', 'status', 'expires_at', 'trade_no'])
      .where('id', '=', packageId)
      .executeTakeFirst();
    return row
      ? {
          id: Number(row.id),
          userId: Number(row.user_id),
          status: row.status,
          expiresAt: Number(row.expires_at),
          tradeNo: row.trade_no,
        }
      : undefined;
  }

  /** The user's paid order numbered `tradeNo`, if any. */
  async sourceOrder(userId: number, tradeNo: string): Promise<SourceOrder | undefined> {
    const row = await this.db
      .selectFrom('orders')
      .select(['product_id', 'product_name', 'amount', 'details'])
      .where('trade_no', '=', tradeNo)
      .where('user_id', '=', userId)
      .where('status', '=', 1)
      .executeTakeFirst();
    return row
      ? { productId: Number(row.product_id), productName: row.product_name, amount: row.amount, details: row.details }
      : undefined;
  }

  byPackage(packageId: number): Promise<AutoRenewalRow | undefined> {
    return this.db.selectFrom('auto_renewals').selectAll().where('user_package_id', '=', packageId).executeTakeFirst();
  }

  byId(id: number): Promise<AutoRenewalRow | undefined> {
    return this.db.selectFrom('auto_renewals').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Turns the package's auto-renewal on (renewals left: `remaining`) or off, creating the row when there is none. */
  async upsert(userId: number, packageId: number, enabled: boolean, remaining: number | null, now: number): Promise<void> {
    const values = { status: enabled ? 1 : 0, remaining, failures: 0, next_attempt_at: 0, updated_at: now };
    await this.db
      .insertInto('auto_renewals')
      .values({ user_id: userId, user_package_id: packageId, ...values, last_attempt_at: null, created_at: now })
      .onConflict((oc) => oc.column('user_package_id').doUpdateSet(values))
      .execute();
  }

  /**
   * Enabled rows whose next attempt is due at `now` and whose package ends within `leadMs` (or has ended), oldest
   * deadline first.
   */
  async due(now: number, leadMs: number, limit: number): Promise<AutoRenewalRow[]> {
    return this.db
      .selectFrom('auto_renewals as a')
      .innerJoin('user_packages as p', 'p.id', 'a.user_package_id')
      .selectAll('a')
      .where('a.status', '=', 1)
      .where('a.next_attempt_at', '<=', now)
      .where('p.expires_at', '<=', now + leadMs)
      .orderBy('p.expires_at')
      .orderBy('a.id')
      .limit(limit)
      .execute();
  }

  /**
   * Claims an attempt: moves next_attempt_at from what was read to `next`, so of two processes reading the same
   * due row only one attempts it. False when another got there first.
   */
  async claim(row: AutoRenewalRow, next: number, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('auto_renewals')
      .set({ next_attempt_at: next, last_attempt_at: now, updated_at: now })
      .where('id', '=', row.id)
      .where('status', '=', 1)
      .where('user_package_id', '=', row.user_package_id)
      .where('next_attempt_at', '=', row.next_attempt_at)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** A failed attempt: counted; `stop` turns the row off (nothing left to renew). */
  async failed(id: number, stop: boolean, now: number): Promise<void> {
    await this.db
      .updateTable('auto_renewals')
      .set({ failures: sql`failures + 1`, updated_at: now, ...(stop ? { status: 0 } : {}) })
      .where('id', '=', id)
      .execute();
  }

  /**
   * A renewal paid: the row moves from the package renewed to the one bought, one renewal fewer (off when none
   * is left). Guarded on the package renewed, so a second renewal of it changes nothing (false).
   */
  async moveTo(id: number, fromPackageId: number, toPackageId: number, now: number): Promise<boolean> {
    const row = await this.byId(id);
    if (!row || Number(row.user_package_id) !== fromPackageId || row.status !== 1) return false;
    const remaining = row.remaining === null ? null : Math.max(0, row.remaining - 1);
    const result = await this.db
      .updateTable('auto_renewals')
      .set({
        user_package_id: toPackageId,
        remaining,
        status: remaining === 0 ? 0 : 1,
        failures: 0,
        next_attempt_at: 0,
        updated_at: now,
      })
      .where('id', '=', id)
      .where('user_package_id', '=', fromPackageId)
      .where('status', '=', 1)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async log(entry: NewLog): Promise<void> {
    await this.db.insertInto('auto_renewal_logs').values(entry).execute();
  }

  /** A page of the user's log, newest first; one package's (renewed from or to it) when `packageId` is given. */
  async logs(
    userId: number,
    packageId: number | undefined,
    offset: number,
    limit: number,
  ): Promise<{ rows: AutoRenewalLogRow[]; total: number }> {
    let q = this.db.selectFrom('auto_renewal_logs').where('user_id', '=', userId);
    if (packageId !== undefined) {
      q = q.where((eb) => eb.or([eb('user_package_id', '=', packageId), eb('new_user_package_id', '=', packageId)]));
    }
    const count = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await q.selectAll().orderBy('id', 'desc').offset(offset).limit(limit).execute();
    return { rows, total: Number(count.n) };
  }
}
