/**
 * Failed-login counts across gateways (throttle/ SharedFailures): `af:{scope}:{window}:{key}`, the failures of a
 * key in one window of the rule's length (aligned to the epoch), and `ab:{scope}:{key}`, set for the rule's block
 * time once the count reaches its maximum (each further failure sets it again, as a single gateway does).
 */
import type { BudgetRule, SharedCount, SharedFailures } from '../throttle/index.js';
import { script, type SharedStore } from './shared-store.js';

/** Counts a failure; answers {failures in the window, ms the key stays refused}. */
const ADD = script(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if n >= tonumber(ARGV[1]) then redis.call('SET', KEYS[2], '1', 'PX', ARGV[3]) end
local b = redis.call('PTTL', KEYS[2])
if b < 0 then b = 0 end
return {n, b}
`);

const READ = script(`
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
local b = redis.call('PTTL', KEYS[2])
if b < 0 then b = 0 end
return {n, b}
`);

export class RedisFailures implements SharedFailures {
  constructor(
    private readonly store: SharedStore,
    private readonly now: () => number = Date.now,
  ) {}

  async add(scope: string, key: string, rule: BudgetRule): Promise<SharedCount> {
    return count(
      await this.store.run(ADD, this.#keys(scope, key, rule), [rule.max, 2 * rule.windowMs, Math.max(1, rule.blockMs)]),
    );
  }

  async read(scope: string, key: string, rule: BudgetRule): Promise<SharedCount> {
    return count(await this.store.run(READ, this.#keys(scope, key, rule), []));
  }

  #keys(scope: string, key: string, rule: BudgetRule): string[] {
    const window = Math.floor(this.now() / rule.windowMs);
    return [this.store.key('af', scope, window, key), this.store.key('ab', scope, key)];
  }
}

function count(answer: unknown): SharedCount {
  const [failures, blockedMs] = answer as [number, number];
  return { failures: Number(failures), blockedMs: Number(blockedMs) };
}
