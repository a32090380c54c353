/**
 * Failed-login counts across gateways (throttle/ SharedFailures): `af:{scope}:{window}:{key}`, the failures of a
 * key in one window of the rule's length (aligned to the epoch), and `ab:{scope}:{key}`, set for the rule's block
 * time once the count reaches its maximum (each further failure sets it again, as a single gateway does).
 *
 * The count a key is held to is a sliding window: the current window's failures plus the previous window's,
 * weighted by how much of the rule's length still overlaps it. With the plain aligned window a client that failed
 * just before a boundary started again from nothing just after it, and got twice the budget in a moment.
 */
import type { BudgetRule, SharedCount, SharedFailures } from '../throttle/index.js';
import { script, type SharedStore } from './shared-store.js';

/**
 * KEYS: this window's count, the previous window's, the block mark. ARGV: ms of the previous window still inside
 * the sliding window, window ms, and for ADD: max, expiry of a count (two windows), block ms. Redis turns a Lua
 * number into an integer reply, so the weighted part is rounded here.
 */
const ESTIMATE = `
local function estimate(n)
  local prev = tonumber(redis.call('GET', KEYS[2]) or '0')
  return n + math.floor(prev * tonumber(ARGV[1]) / tonumber(ARGV[2]) + 0.5)
end
local function blocked()
  local b = redis.call('PTTL', KEYS[3])
  if b < 0 then b = 0 end
  return b
end
`;

/** Counts a failure; answers {failures in the sliding window, ms the key stays refused}. */
const ADD = script(`${ESTIMATE}
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
local f = estimate(n)
if f >= tonumber(ARGV[3]) then redis.call('SET', KEYS[3], '1', 'PX', ARGV[5]) end
return {f, blocked()}
`);

const READ = script(`${ESTIMATE}
return {estimate(tonumber(redis.call('GET', KEYS[1]) or '0')), blocked()}
`);

export class RedisFailures implements SharedFailures {
  constructor(
    private readonly store: SharedStore,
    private readonly now: () => number = Date.now,
  ) {}

  async add(scope: string, key: string, rule: BudgetRule): Promise<SharedCount> {
    const now = this.now();
    return count(
      await this.store.run(ADD, this.#keys(scope, key, rule, now), [
        ...this.#overlap(rule, now),
        rule.max,
        2 * rule.windowMs,
        Math.max(1, rule.blockMs),
      ]),
    );
  }

  async read(scope: string, key: string, rule: BudgetRule): Promise<SharedCount> {
    const now = this.now();
    return count(await this.store.run(READ, this.#keys(scope, key, rule, now), this.#overlap(rule, now)));
  }

  #keys(scope: string, key: string, rule: BudgetRule, now: number): string[] {
    const window = Math.floor(now / rule.windowMs);
    return [
      this.store.key('af', scope, window, key),
      this.store.key('af', scope, window - 1, key),
      this.store.key('ab', scope, key),
    ];
  }

  /** [ms of the previous window still inside the sliding window, window ms]. */
  #overlap(rule: BudgetRule, now: number): [number, number] {
    return [rule.windowMs - (now % rule.windowMs), rule.windowMs];
  }
}

function count(answer: unknown): SharedCount {
  const [failures, blockedMs] = answer as [number, number];
  return { failures: Number(failures), blockedMs: Number(blockedMs) };
}
