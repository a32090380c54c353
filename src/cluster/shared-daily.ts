/**
 * Daily usage of sub-accounts with a `daily_limit`, counted across gateways (usage/ SharedDailyUsage): one total
 * per account and local day, `d:{account}:{dayStart}`, to which every gateway relaying for the account adds what it
 * counted, about every second, reading back the total of all. A total that does not exist yet (the first gateway of
 * the day, or Redis emptied) starts from the day's billed usage as the database holds it.
 *
 * The bound this gives: an account may go over its daily limit by what the gateways relay for it between two of
 * their reports (a second each) and the cut that follows, not by a whole limit per gateway. A day's total that
 * starts while another gateway holds bytes not yet reported may count those twice or miss them, and a report whose
 * answer is lost (it ran in Redis, the gateway timed out) is added again with the next: either way by at most one
 * report's bytes, which only makes the cut come that much early.
 */
import type { SharedDailyUsage } from '../usage/index.js';
import { script, type SharedStore } from './shared-store.js';

/** A day's total outlives its day by this long (then nothing reads it). */
const DAY_TTL_MS = 2 * 86_400_000;

/** Adds ARGV[1]; a missing total starts from ARGV[3] when given (else -1: the caller reads the base and asks again). */
const ADD = script(`
if redis.call('EXISTS', KEYS[1]) == 0 then
  if ARGV[3] == '' then return -1 end
  redis.call('SET', KEYS[1], ARGV[3])
end
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return total
`);

export class RedisDailyUsage implements SharedDailyUsage {
  constructor(private readonly store: SharedStore) {}

  async add(accountId: number, dayStart: number, bytes: number, base: () => Promise<number>): Promise<number> {
    const key = this.store.key('d', accountId, dayStart);
    const delta = Math.max(0, Math.floor(bytes));
    const total = Number(await this.store.run(ADD, [key], [delta, DAY_TTL_MS, '']));
    if (total >= 0) return total;
    const start = Math.max(0, Math.floor(await base()));
    return Number(await this.store.run(ADD, [key], [delta, DAY_TTL_MS, start]));
  }
}
