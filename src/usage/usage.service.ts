import type { Kysely } from 'kysely';
import { invalidParams } from '../errors/index.js';
import type { Database } from '../storage/index.js';
import type { TimeFormatter } from '../time/time-format.js';

export interface UsageQuery {
  readonly start?: string | undefined;
  readonly end?: string | undefined;
  readonly username?: string | undefined;
  readonly productType?: number | undefined;
}

/** Longest range one usage query may cover. */
export const MAX_RANGE_DAYS = 366;

/** Reads billed traffic back: per day in the platform time zone. */
export class UsageService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly time: TimeFormatter,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The users who moved the most bytes in the hour buckets that overlap `[since, now]` (the current hour and the
   * one before, for a one-hour window), most first: what every gateway has metered into the database.
   */
  async topUsers(since: number, limit: number): Promise<{ userId: number; email: string; bytes: number }[]> {
    const from = Math.floor(since / 3_600_000) * 3_600_000;
    const rows = await this.db
      .selectFrom('usage_hourly')
      .innerJoin('users', 'users.id', 'usage_hourly.user_id')
      .select((eb) => ['usage_hourly.user_id', 'users.email', eb.fn.sum<number>('usage_hourly.bytes').as('bytes')])
      .where('usage_hourly.hour_start', '>=', from)
      .groupBy(['usage_hourly.user_id', 'users.email'])
      .orderBy('bytes', 'desc')
      .orderBy('usage_hourly.user_id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ userId: Number(r.user_id), email: r.email, bytes: Number(r.bytes) }));
  }

  /**
   * Bytes per local day from `start` to `end` (`Y-m-d H:i:s` in the platform zone; default the last 7 days up to
   * now), every day of the range listed, zeros included. `username` covers every account of that name the user has had.
   */
  async daily(userId: number, query: UsageQuery): Promise<{ day: string; bytes: number }[]> {
    const errors: Record<string, string> = {};
    const end = query.end === undefined ? this.now() : this.time.parse(query.end);
    if (end === undefined) errors.end_time = 'expected Y-m-d H:i:s';
    const start = query.start === undefined ? (end ?? this.now()) - 7 * 86_400_000 : this.time.parse(query.start);
    if (start === undefined) errors.start_time = 'expected Y-m-d H:i:s';
    if (start !== undefined && end !== undefined) {
      if (start > end) errors.start_time = 'must not be after end_time';
      else if (end - start > MAX_RANGE_DAYS * 86_400_000) errors.start_time = `the range is at most ${MAX_RANGE_DAYS} days`;
    }
    if (Object.keys(errors).length > 0 || start === undefined || end === undefined) throw invalidParams(errors);

    let q = this.db
      .selectFrom('usage_hourly')
      .select(['hour_start', 'bytes'])
      .where('user_id', '=', userId)
      .where('hour_start', '>=', this.time.hourStart(start))
      .where('hour_start', '<=', end);
    if (query.username !== undefined) q = q.where('username', '=', query.username);
    if (query.productType !== undefined) q = q.where('product_type', '=', query.productType);
    const rows = await q.execute();

    const days = new Map<string, number>();
    // Every local day of the range, in order; stepping by 12 hours catches each day even across DST.
    for (let t = start; t <= end + 43_200_000; t += 43_200_000) {
      const day = this.time.day(Math.min(t, end));
      if (!days.has(day)) days.set(day, 0);
    }
    for (const row of rows) {
      const day = this.time.day(row.hour_start);
      if (days.has(day)) days.set(day, (days.get(day) ?? 0) + Number(row.bytes));
    }
    return [...days].map(([day, bytes]) => ({ day, bytes }));
  }

  /** Bytes per stored hour from `from` (epoch ms) on, all product types together; one account when `username`. */
  async hours(userId: number, from: number, username?: string): Promise<{ hourStart: number; bytes: number }[]> {
    let q = this.db
      .selectFrom('usage_hourly')
      .select(['hour_start', 'bytes'])
      .where('user_id', '=', userId)
      .where('hour_start', '>=', from);
    if (username !== undefined) q = q.where('username', '=', username);
    const rows = await q.execute();
    return rows.map((r) => ({ hourStart: Number(r.hour_start), bytes: Number(r.bytes) }));
  }

  /** The clock this service reads (for series ending now). */
  nowMs(): number {
    return this.now();
  }
}
