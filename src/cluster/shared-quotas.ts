/**
 * Quota leases in Redis (usage/ QuotaLeases): the shared budget of each (user, product type) and the slices
 * the gateways take from it.
 *
 * One hash per budget, `q:{user}:{type}`: `stored`, the bytes the valid packages hold as flushed to the
 * database; `ver`, bumped by every change to `stored`; and `o:{instance}`, what each live gateway run holds
 * out of it: slices leased and not spent, plus bytes spent and not yet flushed. What may still be leased is
 * `stored − Σ o`. A flush, once committed, takes its bytes off both `stored` and its run's `o` (`applied`), so
 * the sum is right at every moment; a reading of the packages replaces `stored` only if no flush landed
 * between the reading and the write (`ver`), so no reading can undo one. A run whose liveness key has expired
 * (killed, partitioned) no longer counts: its `o` is dropped by the next lease, so its unused slices come
 * back and its unflushed bytes (bounded by its flush interval) are lost, never counted twice.
 *
 * A run's `o` is exactly what it was granted less what it flushed (it may go below zero while the run spends past
 * its slices, by at most its debt limit, and is settled by its next lease: see usage/package-quota.ts).
 *
 * A sub-account's own limit (`limit_flow`) is a budget of the same kind under `l:{account}`: `stored` is the limit
 * less the account's `used_bytes` as flushed, and every flush's bytes for the account are `applied` to it.
 *
 * Connection slots (type-11 concurrency): one hash per (user, type), `c:{user}:{type}`, a count per live run.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ACCOUNT_LIMIT, type QuotaLeases } from '../usage/index.js';
import { script, type SharedStore } from './shared-store.js';

/** A budget's hash lives this long after its last lease (then it is read from the packages again). */
const BUDGET_TTL_MS = 7 * 86_400_000;
/** A flush marker outlives a flush that never finishes (the gateway died) by this long at most. */
const FLUSHING_TTL_MS = 30_000;
/** The smallest slice worth a round trip, unless less is left. */
const MIN_SLICE = 64 * 1024;
/** A gateway that has not said it relays for a time quota for this long no longer shares its bandwidth. */
const SHARE_SILENT_MS = 3_000;
/** A lease's grant is kept this long, for its gateway to recover when the answer was lost on the way. */
const LEASE_RECORD_TTL_MS = 600_000;

/**
 * Sums the `o:` fields of live runs (dropping dead ones); grants min(want, left, a quarter of left ≥ MIN), and
 * records the grant under this lease's id (KEYS[2]); reads and forgets the records of the run's lost leases
 * (KEYS[3..]), whose grants its `o` holds already. Answers {granted, left after it, recovered}, or -1 when the
 * budget is not set (the lost leases' grants went with it).
 */
const LEASE = script(`
local recovered = 0
for i = 3, #KEYS do
  local g = redis.call('GET', KEYS[i])
  if g then
    recovered = recovered + tonumber(g)
    redis.call('DEL', KEYS[i])
  end
end
local stored = redis.call('HGET', KEYS[1], 'stored')
if not stored then return -1 end
local all = redis.call('HGETALL', KEYS[1])
local out = 0
for i = 1, #all, 2 do
  local f = all[i]
  if string.sub(f, 1, 2) == 'o:' then
    local run = string.sub(f, 3)
    if run ~= ARGV[1] and redis.call('EXISTS', ARGV[3] .. run) == 0 then
      redis.call('HDEL', KEYS[1], f)
    else
      out = out + tonumber(all[i + 1])
    end
  end
end
local left = tonumber(stored) - out
local grant = math.min(tonumber(ARGV[2]), left, math.max(tonumber(ARGV[4]), math.ceil(left / 4)))
redis.call('PEXPIRE', KEYS[1], ARGV[5])
if grant <= 0 then return {0, math.max(0, left), recovered} end
redis.call('HINCRBY', KEYS[1], 'o:' .. ARGV[1], grant)
redis.call('SET', KEYS[2], grant, 'PX', ARGV[6])
return {grant, left - grant, recovered}
`);

const GIVE_BACK = script(`
if redis.call('HEXISTS', KEYS[1], 'o:' .. ARGV[1]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'o:' .. ARGV[1], -tonumber(ARGV[2]))
end
return 1
`);

const APPLIED = script(`
if redis.call('HEXISTS', KEYS[1], 'stored') == 1 then
  redis.call('HINCRBY', KEYS[1], 'stored', -tonumber(ARGV[2]))
  redis.call('HINCRBY', KEYS[1], 'ver', 1)
end
if redis.call('HEXISTS', KEYS[1], 'o:' .. ARGV[1]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'o:' .. ARGV[1], -tonumber(ARGV[2]))
end
return 1
`);

/** Sets `stored` from a reading of the packages, unless `ver` moved since the reading or a run holding part of the budget is writing a flush. */
const REBASE = script(`
local ver = redis.call('HGET', KEYS[1], 'ver') or '0'
if ver ~= ARGV[1] then return 0 end
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local f = all[i]
  if string.sub(f, 1, 2) == 'o:' and redis.call('EXISTS', ARGV[4] .. string.sub(f, 3)) == 1 then return 0 end
end
redis.call('HSET', KEYS[1], 'stored', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'ver', 1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`);

const ACQUIRE_SLOT = script(`
local all = redis.call('HGETALL', KEYS[1])
local open = 0
for i = 1, #all, 2 do
  if all[i] ~= ARGV[1] and redis.call('EXISTS', ARGV[3] .. all[i]) == 0 then
    redis.call('HDEL', KEYS[1], all[i])
  else
    open = open + tonumber(all[i + 1])
  end
end
if open >= tonumber(ARGV[2]) then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`);

/** Marks (or unmarks) this run as relaying for a time quota; drops dead or silent runs; answers how many are left. */
const SHARE_BANDWIDTH = script(`
local all = redis.call('HGETALL', KEYS[1])
local n = 0
for i = 1, #all, 2 do
  if all[i] ~= ARGV[1] then
    if tonumber(all[i + 1]) < tonumber(ARGV[3]) - tonumber(ARGV[5]) or redis.call('EXISTS', ARGV[4] .. all[i]) == 0 then
      redis.call('HDEL', KEYS[1], all[i])
    else
      n = n + 1
    end
  end
end
if ARGV[2] == '1' then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  n = n + 1
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end
return n
`);

const RELEASE_SLOT = script(`
local n = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if n > 0 then redis.call('HINCRBY', KEYS[1], ARGV[1], -1) end
return 1
`);

/** This run's slot count, replaced (removed at zero). */
const SET_SLOTS = script(`
if tonumber(ARGV[2]) > 0 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end
return 1
`);

export class SharedQuotas implements QuotaLeases {
  constructor(
    private readonly store: SharedStore,
    readonly localAllowance: number,
  ) {}

  get reachable(): boolean {
    return this.store.up;
  }

  async lease(
    userId: number,
    productType: number,
    want: number,
    base: () => Promise<number>,
    id: number,
    lost: readonly number[],
  ): Promise<{ granted: number; left: number; recovered: number }> {
    const key = this.#budget(userId, productType);
    let records = [this.#record(id), ...lost.map((l) => this.#record(l))];
    for (let attempt = 0; attempt < 3; attempt++) {
      const answer = await this.store.run(
        LEASE,
        [key, ...records],
        [this.store.instance, Math.ceil(want), this.store.alivePrefix, MIN_SLICE, BUDGET_TTL_MS, LEASE_RECORD_TTL_MS],
      );
      if (Array.isArray(answer)) return { granted: Number(answer[0]), left: Number(answer[1]), recovered: Number(answer[2]) };
      // The lost leases' records were read and forgotten with the budget gone: only this lease's is left to write.
      records = [this.#record(id)];
      await this.rebase(userId, productType, base);
    }
    throw new Error(`the shared budget of ${key} could not be set`);
  }

  async giveBack(userId: number, productType: number, bytes: number): Promise<void> {
    if (bytes <= 0) return;
    await this.store.run(GIVE_BACK, [this.#budget(userId, productType)], [this.store.instance, Math.floor(bytes)]);
  }

  async rebase(userId: number, productType: number, read: () => Promise<number>): Promise<void> {
    const key = this.#budget(userId, productType);
    for (let attempt = 0; attempt < 5; attempt++) {
      this.store.ops++;
      const ver = (await this.store.redis.hget(key, 'ver')) ?? '0';
      const stored = Math.floor(await read());
      const done = await this.store.run(REBASE, [key], [ver, stored, BUDGET_TTL_MS, this.store.key('flushing', '')]);
      if (Number(done) === 1) return;
      // A flush landed, or one is being written: read again once it is through.
      await sleep(20 * (attempt + 1));
    }
    // Flushes kept landing between the reading and the write: the next rebase (or flush) settles it.
  }

  async flushing(done: boolean): Promise<void> {
    const key = this.store.key('flushing', this.store.instance);
    this.store.ops++;
    if (done) await this.store.redis.del(key);
    else await this.store.redis.set(key, '1', 'PX', FLUSHING_TTL_MS);
  }

  async applied(userId: number, productType: number, bytes: number, own: boolean): Promise<void> {
    await this.store.run(APPLIED, [this.#budget(userId, productType)], [own ? this.store.instance : '', Math.floor(bytes)]);
  }

  async acquireSlot(userId: number, productType: number, limit: number): Promise<boolean> {
    if (!Number.isFinite(limit)) return true;
    const granted = await this.store.run(
      ACQUIRE_SLOT,
      [this.store.key('c', userId, productType)],
      [this.store.instance, limit, this.store.alivePrefix, BUDGET_TTL_MS],
    );
    return Number(granted) === 1;
  }

  async shareBandwidth(userId: number, productType: number, active: boolean): Promise<number> {
    const answer = await this.store.run(
      SHARE_BANDWIDTH,
      [this.store.key('bw', userId, productType)],
      [this.store.instance, active ? '1' : '0', Date.now(), this.store.alivePrefix, SHARE_SILENT_MS],
    );
    return Number(answer);
  }

  async releaseSlot(userId: number, productType: number): Promise<void> {
    await this.store.run(RELEASE_SLOT, [this.store.key('c', userId, productType)], [this.store.instance]);
  }

  async setSlots(userId: number, productType: number, open: number): Promise<void> {
    await this.store.run(SET_SLOTS, [this.store.key('c', userId, productType)], [this.store.instance, open, BUDGET_TTL_MS]);
  }

  /** A packages' budget, `q:{user}:{type}`, or with ACCOUNT_LIMIT a sub-account's own limit, `l:{account}`. */
  #budget(userId: number, productType: number): string {
    return productType === ACCOUNT_LIMIT ? this.store.key('l', userId) : this.store.key('q', userId, productType);
  }

  #record(id: number): string {
    return this.store.key('lease', this.store.instance, id);
  }
}
