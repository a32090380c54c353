/**
 * Tunnel caps across gateways (usage/ SharedTunnels): `tu:{user}` and `ta:{account}`, hashes of open tunnels per
 * live gateway run. A connection takes one of each with one script call, after the gateway's own caps admitted it;
 * a run whose heartbeat expired no longer counts (its fields are dropped by the next call). Releases that could
 * not be sent (the store was unreachable when the tunnel closed) are sent when it is back.
 */
import type { SharedTunnels } from '../usage/index.js';
import { script, type SharedStore } from './shared-store.js';

/** The hashes outlive the last tunnel by this long (then they are gone, as nothing is open). */
const TUNNELS_TTL_MS = 86_400_000;

/** Answers 0 (taken), 1 (the user's cap is full) or 2 (the sub-account's cap is full). */
const ACQUIRE = script(`
local function open(key)
  local all = redis.call('HGETALL', key)
  local n = 0
  for i = 1, #all, 2 do
    if all[i] ~= ARGV[1] and redis.call('EXISTS', ARGV[4] .. all[i]) == 0 then
      redis.call('HDEL', key, all[i])
    else
      n = n + tonumber(all[i + 1])
    end
  end
  return n
end
if open(KEYS[1]) >= tonumber(ARGV[2]) then return 1 end
if open(KEYS[2]) >= tonumber(ARGV[3]) then return 2 end
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('HINCRBY', KEYS[2], ARGV[1], 1)
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return 0
`);

const RELEASE = script(`
for i = 1, 2 do
  local n = tonumber(redis.call('HGET', KEYS[i], ARGV[1]) or '0')
  if n > 0 then redis.call('HINCRBY', KEYS[i], ARGV[1], -tonumber(ARGV[2])) end
end
return 1
`);

export class RedisTunnels implements SharedTunnels {
  /** Releases not sent yet, by "user:account". */
  readonly #unsent = new Map<string, number>();

  constructor(private readonly store: SharedStore) {
    store.redis.on('ready', () => this.#resend());
  }

  async acquire(userId: number, accountId: number, perUser: number, perAccount: number): Promise<'ok' | 'user' | 'account'> {
    const answer = Number(
      await this.store.run(ACQUIRE, this.#keys(userId, accountId), [
        this.store.instance,
        perUser,
        perAccount,
        this.store.alivePrefix,
        TUNNELS_TTL_MS,
      ]),
    );
    return answer === 0 ? 'ok' : answer === 1 ? 'user' : 'account';
  }

  async release(userId: number, accountId: number, count = 1): Promise<void> {
    try {
      await this.store.run(RELEASE, this.#keys(userId, accountId), [this.store.instance, count]);
    } catch (err) {
      const k = `${userId}:${accountId}`;
      this.#unsent.set(k, (this.#unsent.get(k) ?? 0) + count);
      throw err;
    }
  }

  #resend(): void {
    const unsent = [...this.#unsent];
    this.#unsent.clear();
    for (const [k, count] of unsent) {
      const [userId, accountId] = k.split(':').map(Number) as [number, number];
      // Failing again: kept for the next reconnection.
      this.release(userId, accountId, count).catch(() => {});
    }
  }

  #keys(userId: number, accountId: number): string[] {
    return [this.store.key('tu', userId), this.store.key('ta', accountId)];
  }
}
