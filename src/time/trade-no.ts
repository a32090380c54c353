import { randomInt } from 'node:crypto';
import type { TimeFormatter } from './time-format.js';

/**
 * A generated order number as the documents show them, e.g. `2022051312134339861461465434`: the local
 * `yyyymmddHHMMSS` of `now` in the platform time zone, then 14 random digits (28 digits in all). Callers
 * check uniqueness against their table.
 */
export function newTradeNo(time: TimeFormatter, now: number): string {
  const stamp = time.format(now).replace(/\D/g, '');
  return stamp + String(randomInt(0, 1e14)).padStart(14, '0');
}
