/**
 * Usage as a chart series in the customer's time zone: the last 24 hours by hour, or the last 30 days by day.
 * Stored usage is per hour (usage_hourly); days are formed from the hours whose start falls on the same local
 * date of `timeZone`, so a customer in another zone than the platform sees their own days. Every bucket of the
 * range is listed, zeros included. (A zone whose offset is not whole hours splits hours at the day's edge to
 * the day they start in.)
 */
export type SeriesRange = '24h' | '30d';

export interface SeriesPoint {
  /** Start of the bucket, epoch ms. */
  readonly start: number;
  readonly bytes: number;
}

const HOUR = 3_600_000;

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The first hour start of the range ending at `now`. */
export function seriesFrom(range: SeriesRange, now: number): number {
  const thisHour = Math.floor(now / HOUR) * HOUR;
  return range === '24h' ? thisHour - 23 * HOUR : thisHour - 30 * 24 * HOUR;
}

export function bucketSeries(
  hours: readonly { hourStart: number; bytes: number }[],
  options: { range: SeriesRange; now: number; timeZone: string },
): SeriesPoint[] {
  const from = seriesFrom(options.range, options.now);
  const to = Math.floor(options.now / HOUR) * HOUR;
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone: options.timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  const keyOf = (ms: number) => (options.range === '24h' ? String(Math.floor(ms / HOUR) * HOUR) : format.format(ms));
  const buckets = new Map<string, { start: number; bytes: number }>();
  for (let t = from; t <= to; t += HOUR) {
    const key = keyOf(t);
    if (!buckets.has(key)) buckets.set(key, { start: t, bytes: 0 });
  }
  for (const hour of hours) {
    const bucket = buckets.get(keyOf(hour.hourStart));
    if (bucket) bucket.bytes += hour.bytes;
  }
  let points = [...buckets.values()];
  // 30 days by day: the first local day is partial (it started before `from`); keep the last 30.
  if (options.range === '30d') points = points.slice(-30);
  return points;
}
