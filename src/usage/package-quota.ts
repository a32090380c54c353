/**
 * Packages as the gateway holds them: per user and product type, what the user's valid packages allow now.
 * Every sub-account of that user and type shares one PackageQuota, and how it limits them is the product
 * registry's word on the type:
 *
 *  - traffic (9, 12): `remaining`, the bytes left in the valid packages; each chunk is subtracted and compared
 *    (like the account's own limit), so a user whose packages run out is cut off by the same mechanism as an
 *    account that reaches its `limit_flow`;
 *  - time (11): while a package is valid, `remaining` is unbounded; the packages' concurrencies add up to the
 *    connections the user's accounts may hold open at once (`acquire`/`release`), and their bandwidths to the
 *    rate of one token bucket (`shaper`) all of the user's traffic of the type shares, both directions.
 *
 * The database is the truth: a traffic quota's `remaining` is what the valid packages hold (total − used, as
 * flushed) minus what the gateway has counted but not flushed. The book reloads a quota when the feed announces a
 * package change and when one of its packages expires or starts. It owns the lock that keeps a reading and the
 * meter's flushes apart (`locked`): no flush may land between reading the packages and counting what is pending.
 *
 * With several gateways (QuotaLeases given, cluster/ on Redis) a traffic quota's `remaining` is instead the local
 * slice: bytes leased from the budget all gateways share, spent here with the same add-and-compare. When it falls
 * to `floor` (half a slice) the next slice is fetched while the current one is still being spent; the slice
 * follows the rate (about half a second of traffic). Only while a fetch is under way may the quota go below zero:
 * its readers are then held by `pacer` (a read per 10 ms, per 100 ms near the end of the budget) until the slice
 * arrives, and near the end the debt is capped by `overdraft` (896 KiB, never more than 1/400 of what the packages
 * held when read): with the read that crosses it, under 1 MiB per gateway (docs/cluster.md). When the budget answers
 * that nothing is left and the slice is spent, the quota is exhausted and its tunnels cut. While the shared store
 * is unreachable a quota grants itself slices from its local allowance (TOLLGATE_LOCAL_ALLOWANCE_BYTES), and what
 * it spent reaches the shared budget with the next flush. A time quota's connection slots are counted in the
 * shared store too (acquire answers a promise), so a concurrency holds across gateways.
 */
import type { PackagesRepository, ValidPackage } from '../packages/index.js';
import { productKind, type UseLimit } from '../products/index.js';
import type { AccountState } from './account-state.js';
import { mbpsToBytesPerSecond, TokenBucket } from './token-bucket.js';
import { ACCOUNT_LIMIT, type ConnectionCloser, type QuotaLeases } from './usage.types.js';

/** What the valid packages of a (user, type) allow at one moment. */
export interface QuotaReading {
  /** Traffic: bytes left, as flushed. Time: Infinity while a package is valid, else 0. */
  readonly stored: number;
  /** Time: concurrencies added up (Infinity for traffic). */
  readonly concurrency: number;
  /** Time: bytes per second, bandwidths added up (0 for traffic). */
  readonly bytesPerSecond: number;
  /** When the set of valid packages next changes (an expiry, a start, a package used up is noticed at flush). */
  readonly nextChangeAt: number;
}

/** Reads what a (user, type)'s valid packages allow at `now`, by the kind of limit the type has. */
export async function readQuota(
  packages: PackagesRepository,
  userId: number,
  productType: number,
  limit: UseLimit,
  now: number,
): Promise<QuotaReading> {
  const [valid, nextStart] = await Promise.all([
    packages.valid(userId, productType, now),
    packages.nextStart(userId, productType, now),
  ]);
  return quotaOf(valid, nextStart, limit);
}

/** The reading of a set of valid packages (pure: the rules of how packages add up). */
export function quotaOf(valid: readonly ValidPackage[], nextStart: number, limit: UseLimit): QuotaReading {
  let nextChangeAt = nextStart;
  for (const p of valid) if (p.expiresAt < nextChangeAt) nextChangeAt = p.expiresAt;
  if (limit === 'time') {
    let concurrency = 0;
    let mbps = 0;
    for (const p of valid) {
      concurrency += p.concurrency;
      mbps += p.bandwidthMbps;
    }
    const any = valid.length > 0;
    return {
      stored: any ? Number.POSITIVE_INFINITY : 0,
      concurrency,
      bytesPerSecond: mbpsToBytesPerSecond(mbps),
      nextChangeAt,
    };
  }
  let stored = 0;
  for (const p of valid) stored += Math.max(0, p.totalBytes - p.usedBytes);
  return { stored, concurrency: Number.POSITIVE_INFINITY, bytesPerSecond: 0, nextChangeAt };
}

/** Slices: at least this (unless less is left), at most this, sized to about SLICE_MS of the quota's traffic. */
const MIN_SLICE = 64 * 1024;
const MAX_SLICE = 32 * 1024 * 1024;
const SLICE_MS = 500;
/** How far below zero a quota may go while its next slice is on the way (and at most 1/400 of what was left). */
const MAX_OVERDRAFT = 896 * 1024;
/** How long a reader of a shared quota below zero pauses while its next slice is on the way, ms. */
const SLICE_WAIT_MS = 10;
/** The same near the end of the budget (less than NEAR_END left at the last lease). */
const SLICE_WAIT_END_MS = 100;
/** The same near the end once half the overdraft is owed: the rest lasts a slow round trip (past Redis' timeout). */
const SLICE_HOLD_MS = 500;
/** The next slice is asked for when what is left lasts this many round trips at the slice's rate (or half a slice). */
const ROUND_TRIPS_AHEAD = 3;
/** An exhausted shared quota asks the budget again (for slices other gateways gave back) at most this often. */
const DRY_RETRY_MS = 1_000;
const NEAR_END = 64 * 1024 * 1024;
/** Lease ids, unique in this process (the shared store files them under this run). */
let leaseIds = 0;
/** Most a quota may owe while its next slice is on the way, far from the end of the budget. */
const MAX_DEBT = 16 * 1024 * 1024;

/** A quota's link to the budget the gateways share: the leases, and how to read its packages for a first budget. */
export interface QuotaLink {
  readonly leases: QuotaLeases;
  /** Reads what the valid packages hold as stored (bytes). */
  readonly read: () => Promise<number>;
  /** Where failures of the shared store are reported. */
  readonly warn: (err: unknown, what: string) => void;
}

export class PackageQuota {
  /** Traffic: bytes left less what is counted but not flushed. Time: Infinity while valid. ≤ 0: nothing left. */
  remaining = 0;
  /** When the set of valid packages next changes (an expiry or a start); the book reloads then. */
  nextChangeAt = Number.POSITIVE_INFINITY;
  /** Connections the owner's accounts may hold open at once (time packages; Infinity for traffic). */
  concurrency = Number.POSITIVE_INFINITY;
  /** Connections open now (admitted and not yet closed). */
  open = 0;
  /** The account states drawing from this quota (retired ones stay until their bytes are flushed). */
  readonly members = new Set<AccountState>();
  /** Time packages: the bucket every connection of the owner's accounts of this type takes from. */
  readonly shaper: TokenBucket | undefined;
  /**
   * What the relay takes each chunk from, to pause its reader: the shaper (time packages), or for a shared traffic
   * quota a gate that holds readers for a moment while the quota is below zero and its next slice is on the way, so
   * a fast tunnel waits for the round trip instead of running into its debt limit. Undefined: never paused.
   */
  readonly pacer: { take(bytes: number): number } | undefined;
  /** charge() asks low() once `remaining` falls to this: 0 alone; with shared leases, where the next slice is fetched. */
  floor = 0;
  #notified = false;
  readonly #link: QuotaLink | undefined;
  #refilling: Promise<void> | undefined;
  /** The shared budget answered that nothing is left (until the packages change). */
  #dry = false;
  #overdraft = 0;
  /** What the shared budget held after the last lease. */
  #left = 0;
  #slice = MIN_SLICE;
  #lastRefill = 0;
  #lastGrant = 0;
  /** Bytes per ms the quota spent its last slice at. */
  #rate = 0;
  /** How long a lease takes: the slowest recent round trip, decaying, ms. */
  #roundTrip = 0;
  /** Bytes of the local allowance granted during the current outage of the shared store. */
  #offline = 0;
  /** Leases whose answer never came: what they granted is recovered with the next lease. */
  #lost: number[] = [];
  /** Connection slots taken during an outage (not counted in the shared store). */
  #localSlots = 0;
  /** Slot calls to the shared store not answered yet. */
  #slotCalls = 0;
  /**
   * The shared store's count of this gateway's slots may be wrong: a release failed (the slot would stay taken
   * there until this gateway stops), or a slot was taken during an outage. settleSlots() writes the true count.
   */
  #slotsAdrift = false;
  /** Time packages: the bandwidth the packages sell (bytes per second), and how many gateways relay it now. */
  #bandwidth = 0;
  #sharers = 1;
  /** Whether this gateway last told the shared store it relays for this quota. */
  #sharing = false;
  /** `remaining` at the last idle check, to give an unused slice back. */
  #seen = Number.NaN;

  constructor(
    readonly userId: number,
    readonly productType: number,
    readonly limit: UseLimit,
    private readonly closer: ConnectionCloser,
    reading: QuotaReading,
    clock?: () => number,
    link?: QuotaLink,
  ) {
    this.shaper = limit === 'time' ? new TokenBucket(reading.bytesPerSecond, clock) : undefined;
    this.#bandwidth = reading.bytesPerSecond;
    // Nothing has charged a new quota yet, so nothing is pending.
    this.remaining = reading.stored;
    this.concurrency = reading.concurrency;
    this.nextChangeAt = reading.nextChangeAt;
    if (link !== undefined && limit === 'traffic') {
      this.#link = link;
      // Nothing leased yet: the first slice comes with prime().
      this.remaining = 0;
      this.#overdraft = overdraftFor(reading.stored);
    } else if (link !== undefined) this.#link = link;
    this.pacer =
      this.shaper ??
      (this.shared ? { take: () => (this.remaining < 0 && this.#refilling !== undefined ? this.#sliceWait() : 0) } : undefined);
  }

  /** Whether the quota spends slices of a budget shared with other gateways. */
  get shared(): boolean {
    return this.#link !== undefined && this.limit === 'traffic';
  }

  /** Shared traffic quotas: takes the first slice (or learns that nothing is left). */
  async prime(): Promise<void> {
    if (!this.shared) return;
    this.#dry = false;
    this.#refill();
    await this.#refilling;
  }

  /**
   * charge() found `remaining` at or below `floor`: answers whether the charge may stand. Alone: the packages are
   * used up (the tunnels are cut). Shared: the next slice is fetched, and the quota is used up only when the
   * shared budget has nothing left and the slice (and the overdraft while a fetch is under way) is spent.
   */
  low(): boolean {
    if (!this.shared) {
      this.exhaust();
      return false;
    }
    if (this.#refilling === undefined && !this.#dry) this.#refill();
    if (this.remaining > 0) return true;
    // While the next slice is on the way the pacer holds the readers (one read per SLICE_WAIT_MS each), so the
    // debt grows slowly; only a debt past the limit (Redis far slower than the pace) cuts.
    if (this.#refilling !== undefined && this.remaining > -this.#debtLimit()) return true;
    this.exhaust();
    return false;
  }

  /**
   * How long the pacer holds a reader while the quota is below zero and a slice is on the way: longer near the end
   * of the shared budget, where what is relayed meanwhile may be overshoot.
   */
  #sliceWait(): number {
    if (this.#left >= NEAR_END) return SLICE_WAIT_MS;
    // Half the overdraft owed: the slice is slow to come (a loaded host); hold the readers longer, so the rest of
    // the overdraft outlasts the round trip (up to Redis' command timeout) instead of cutting tunnels early.
    return this.remaining < -this.#overdraft / 2 ? SLICE_HOLD_MS : SLICE_WAIT_END_MS;
  }

  /**
   * How far below zero the quota may go while a slice is on the way (the pacer keeps it far from this). Near the end
   * of the budget (less than NEAR_END left at the last lease), the overdraft: that is the overshoot bound. Further
   * from it, MAX_DEBT: the next slice covers any such debt (up to four gateways owe less than NEAR_END together),
   * so it is no overshoot, and a fast tunnel is not cut for a slow round trip to Redis.
   */
  #debtLimit(): number {
    return this.#left < NEAR_END ? this.#overdraft : MAX_DEBT;
  }

  #refill(): void {
    const link = this.#link!;
    const now = performance.now();
    // About SLICE_MS of traffic at the rate the last slice went at; the debt (overdraft) is settled first.
    if (this.#lastRefill > 0 && this.#lastGrant > 0) {
      this.#rate = this.#lastGrant / Math.max(1, now - this.#lastRefill);
      this.#slice = Math.min(MAX_SLICE, Math.max(MIN_SLICE, Math.round(this.#rate * SLICE_MS)));
    }
    this.#lastRefill = now;
    // After an outage, what the local allowance granted is spent already: the shared budget is charged for it first.
    const offline = this.#offline;
    const want = this.#slice + Math.max(0, -this.remaining) + offline;
    const id = ++leaseIds;
    const lost = this.#lost;
    this.#lost = [];
    this.#refilling = link.leases
      .lease(this.userId, this.productType, want, link.read, id, lost)
      .then(
        ({ granted, left, recovered }) => {
          this.#roundTrip = Math.max(performance.now() - now, this.#roundTrip * 0.8);
          this.#offline = 0;
          this.#left = left;
          // A lost lease's grant is this gateway's all the same (the budget counts it out): spent here, or given
          // back when idle, it is never stranded.
          this.#grant(granted + recovered - offline);
          if (granted < want && left <= 0) this.#dry = true;
        },
        (err: unknown) => {
          // The answer may be lost with the lease done: its grant is recovered with the next lease.
          this.#lost = [...lost, id, ...this.#lost];
          link.warn(err, 'quota slice');
          // Connected but slow (a timeout): as if the slice were still on the way. The readers stay held and the
          // debt bounded as before; the next charge asks again. The local allowance is for outages only: a slow
          // answer near the end of a budget would otherwise let each gateway run a slice past it.
          if (link.leases.reachable) return;
          // The shared store is unreachable: a slice of the local allowance, reconciled by the next flushes.
          const take = Math.min(want, link.leases.localAllowance - this.#offline);
          if (take > 0) {
            this.#offline += take;
            this.#grant(take);
          } else this.#grant(0);
        },
      )
      .finally(() => {
        this.#refilling = undefined;
        if (this.remaining <= 0 && (this.#dry || this.#offline >= link.leases.localAllowance)) this.exhaust();
      });
  }

  #grant(bytes: number): void {
    this.#lastGrant = bytes;
    this.remaining += bytes;
    // The next slice is asked for while what is left still lasts a few round trips at the current rate (half a
    // slice at least): a fast tunnel, or a host slow to answer, then rarely meets an empty slice and its pacer.
    this.floor = Math.floor(Math.min(this.#slice, Math.max(this.#slice / 2, this.#rate * this.#roundTrip * ROUND_TRIPS_AHEAD)));
    if (this.remaining > 0) this.#notified = false;
  }

  /**
   * Gives an unused slice back when nothing was spent from it since the last call (the sweep calls this every
   * second), so other gateways can use it.
   */
  returnIdle(): void {
    if (!this.shared || this.#refilling !== undefined) return;
    const remaining = this.remaining;
    if (remaining !== this.#seen || remaining <= 0) {
      this.#seen = remaining;
      return;
    }
    this.remaining = 0;
    this.#seen = Number.NaN;
    this.#lastRefill = 0;
    this.#lastGrant = 0;
    this.#slice = MIN_SLICE;
    // A quota with no slice fetches one at its next charge (floor 0: at once).
    this.floor = 0;
    const link = this.#link!;
    link.leases.giveBack(this.userId, this.productType, remaining).catch((err: unknown) => link.warn(err, 'slice give-back'));
  }

  /**
   * Time quotas with other gateways (every second, from the sweep): says whether this gateway relays for the quota
   * and shapes to an equal share of the bandwidth among the gateways that do. A gateway that starts relaying uses
   * the whole rate until its next sweep: for about a second, N gateways may give up to N times the bandwidth.
   */
  shareBandwidth(): void {
    const link = this.#link;
    const shaper = this.shaper;
    if (link === undefined || shaper === undefined) return;
    const active = this.open > 0;
    if (!active && !this.#sharing) return;
    this.#sharing = active;
    link.leases.shareBandwidth(this.userId, this.productType, active).then(
      (n) => {
        this.#sharers = Math.max(1, n);
        shaper.setRate(this.#bandwidth / this.#sharers);
      },
      (err: unknown) => link.warn(err, 'bandwidth share'),
    );
  }

  /** Shared traffic quotas: sets the shared budget from the packages again (they changed), then a fresh slice. */
  async rebase(reading: QuotaReading): Promise<void> {
    const link = this.#link!;
    this.nextChangeAt = reading.nextChangeAt;
    this.#overdraft = overdraftFor(reading.stored);
    try {
      await link.leases.rebase(this.userId, this.productType, link.read);
    } catch (err) {
      link.warn(err, 'budget reading');
    }
    this.#dry = false;
    if (this.#refilling === undefined) this.#refill();
    await this.#refilling;
    // Cut only when the budget is gone: a quota in debt with budget left takes its next slice at its next charge.
    if (this.remaining <= 0 && this.#dry) this.exhaust();
  }

  /**
   * Whether nothing is left. A shared quota that was exhausted asks the shared budget again (at most once per
   * DRY_RETRY_MS, in the background) when a connection is refused for it: slices another gateway gave back, or a
   * slice that came after this gateway's tunnels were cut, then let the next connection in.
   */
  get exhausted(): boolean {
    if (this.remaining > 0) return false;
    if (!this.shared) return true;
    // No slice held but not cut (an idle slice was given back, or the next is on the way): the next charge fetches one.
    if (!this.#notified) return false;
    if (this.#refilling === undefined && performance.now() - this.#lastRefill >= DRY_RETRY_MS) {
      this.#dry = false;
      this.#refill();
    }
    return true;
  }

  /** The refusal for an account of this quota while it is exhausted. */
  get refusal(): 'TG_ERR_QUOTA_NO_PACKAGE' | 'TG_ERR_QUOTA_NO_TIME_PACKAGE' {
    return this.limit === 'time' ? 'TG_ERR_QUOTA_NO_TIME_PACKAGE' : 'TG_ERR_QUOTA_NO_PACKAGE';
  }

  /** Called when `remaining` crosses zero: closes every member's connections, once per exhaustion. */
  exhaust(): void {
    if (this.#notified) return;
    this.#notified = true;
    for (const state of this.members) this.closer.closeAccount(state.accountId);
  }

  /**
   * Takes a connection slot; false when `concurrency` are open. With other gateways the slot is taken in the
   * shared store too, and the answer is a promise (during an outage of the store, the local count alone decides).
   */
  acquire(): boolean | Promise<boolean> {
    if (this.open >= this.concurrency) return false;
    this.open++;
    const link = this.#link;
    if (link === undefined || !Number.isFinite(this.concurrency)) return true;
    this.#slotCalls++;
    return link.leases
      .acquireSlot(this.userId, this.productType, this.concurrency)
      .then(
        (ok) => {
          if (!ok) this.open--;
          return ok;
        },
        (err: unknown) => {
          link.warn(err, 'connection slot');
          this.#localSlots++;
          // The call may have taken the slot there all the same (an answer lost on the way).
          this.#slotsAdrift = true;
          return true;
        },
      )
      .finally(() => this.#slotCalls--);
  }

  release(): void {
    if (this.open > 0) this.open--;
    const link = this.#link;
    if (link === undefined || !Number.isFinite(this.concurrency)) return;
    if (this.#localSlots > 0) {
      this.#localSlots--;
      return;
    }
    this.#slotCalls++;
    link.leases
      .releaseSlot(this.userId, this.productType)
      .catch((err: unknown) => {
        link.warn(err, 'slot release');
        this.#slotsAdrift = true;
      })
      .finally(() => this.#slotCalls--);
  }

  /**
   * With other gateways (every second, from the sweep): when the shared store's count of this gateway's slots may
   * be wrong (a release or an acquisition failed, during an outage of the store or with its answer lost), writes
   * the true count, `open`, once the store is reachable and no slot call is on its way (a call sent before would
   * land after the count and undo it; one sent after lands after it, in order). From then on every slot open here
   * is counted there, so its release goes there too.
   */
  settleSlots(): void {
    const link = this.#link;
    if (!this.#slotsAdrift || link === undefined || this.#slotCalls > 0 || !link.leases.reachable) return;
    this.#slotsAdrift = false;
    this.#localSlots = 0;
    this.#slotCalls++;
    link.leases
      .setSlots(this.userId, this.productType, this.open)
      .catch((err: unknown) => {
        link.warn(err, 'slot count');
        this.#slotsAdrift = true;
      })
      .finally(() => this.#slotCalls--);
  }

  /** Bytes charged to the members and not yet written to the database. */
  pending(): number {
    let bytes = 0;
    for (const state of this.members) {
      bytes += state.used - state.flushed;
      if (state.revoked && state.used === state.flushed) this.members.delete(state);
    }
    return bytes;
  }

  /** Takes a fresh reading of the valid packages; cuts what the new reading no longer allows. */
  update(reading: QuotaReading): void {
    // Shared traffic quotas keep their slice: the reading goes to the shared budget (rebase).
    if (!this.shared) this.remaining = reading.stored - this.pending();
    this.nextChangeAt = reading.nextChangeAt;
    this.concurrency = reading.concurrency;
    this.#bandwidth = reading.bytesPerSecond;
    this.shaper?.setRate(this.#bandwidth / this.#sharers);
    // A shared quota without a slice is not used up: its next charge (or rebase) asks the budget.
    if (this.remaining <= 0 && !this.shared) return this.exhaust();
    if (this.remaining > 0) this.#notified = false;
    // A lower concurrency (a package expired, another still valid): the newest connections over it go.
    if (this.open > this.concurrency) {
      this.closer.trimAccounts(
        [...this.members].map((s) => s.accountId),
        this.concurrency,
      );
    }
  }
}

export interface QuotaBookOptions {
  readonly now?: () => number;
  /** Budgets shared with other gateways (cluster/); without them the book's readings are the truth. */
  readonly leases?: QuotaLeases;
  /** Where failures of the shared store are reported. */
  readonly warn?: (err: unknown, what: string) => void;
  /** The shapers' clock (default performance.now): fractional ms, monotonic. */
  readonly shaperClock?: () => number;
}

export class QuotaBook {
  readonly #quotas = new Map<string, PackageQuota>();
  readonly #loading = new Map<string, Promise<PackageQuota>>();
  /** Leases of sub-accounts' own limits, by account id (with shared budgets only). */
  readonly #limits = new Map<number, PackageQuota>();
  readonly #now: () => number;
  readonly #shaperClock: (() => number) | undefined;
  readonly #leases: QuotaLeases | undefined;
  readonly #warn: (err: unknown, what: string) => void;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly packages: PackagesRepository,
    private readonly closer: ConnectionCloser,
    options: QuotaBookOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
    this.#shaperClock = options.shaperClock;
    this.#leases = options.leases;
    this.#warn = options.warn ?? (() => {});
  }

  /** Shared quotas: gives back slices unused since the last call (every second, from the gateway's sweep). */
  returnIdle(): void {
    if (this.#leases === undefined) return;
    for (const quota of this.#quotas.values()) {
      quota.returnIdle();
      quota.settleSlots();
    }
    for (const quota of this.#limits.values()) quota.returnIdle();
  }

  /**
   * With budgets shared with other gateways: joins the sub-account to a lease of its own limit (`limit_flow`), so
   * the limit holds across gateways with the packages' overshoot bound. The lease is a PackageQuota whose budget is
   * (accountId, ACCOUNT_LIMIT): `read` answers the limit less the account's `used_bytes` as flushed. Called when
   * the account is loaded and when its limit changes (the budget is then read again). Without shared budgets, for
   * user-level accounts, or with no limit, the state's own count decides (`limitLease` undefined).
   */
  async accountLimit(state: AccountState, read: () => Promise<number>): Promise<void> {
    const leases = this.#leases;
    if (leases === undefined || state.accountId <= 0) return;
    const held = this.#limits.get(state.accountId);
    if (!Number.isFinite(state.limit)) {
      // Kept in the book (its flushes still settle the budget; an idle slice goes back), no longer consulted.
      state.limitLease = undefined;
      return;
    }
    const reading = limitReading(await read());
    if (held !== undefined) {
      held.members.add(state);
      await held.rebase(reading);
      state.limitLease = held;
      return;
    }
    const link: QuotaLink = { leases, read, warn: this.#warn };
    const quota = new PackageQuota(state.accountId, ACCOUNT_LIMIT, 'traffic', this.closer, reading, this.#shaperClock, link);
    quota.members.add(state);
    this.#limits.set(state.accountId, quota);
    // The budget is set from the database first: the limit may have changed while no gateway held the account.
    await quota.rebase(reading);
    state.limitLease = quota;
  }

  /** Time quotas with other gateways (every second, from the gateway's sweep): each shapes to its share. */
  shareBandwidth(): void {
    if (this.#leases === undefined) return;
    for (const quota of this.#quotas.values()) quota.shareBandwidth();
  }

  /** Before the meter writes a flush, and after (`done`): a shared budget is not read from the packages meanwhile. */
  async flushing(done: boolean): Promise<void> {
    await this.#leases?.flushing(done);
  }

  /** What the meter applied to the packages: released from this gateway's outstanding leases. */
  async applied(draws: readonly { userId: number; productType: number; bytes: number }[], own: boolean): Promise<void> {
    const leases = this.#leases;
    if (leases === undefined) return;
    for (const d of draws) {
      // A sub-account's bytes settle its own limit's budget when it has one here (or may have one: a replayed record).
      if (d.productType === ACCOUNT_LIMIT && own && !this.#limits.has(d.userId)) continue;
      await leases.applied(d.userId, d.productType, d.bytes, own);
    }
  }

  /**
   * The quota of (user, type), loaded on first use; undefined for a type not limited by packages (static IPs:
   * their entry checks the IPs). Which is which is the product registry's.
   */
  get(userId: number, productType: number): Promise<PackageQuota | undefined> | PackageQuota | undefined {
    const limit = productKind(productType)?.limit;
    if (limit !== 'traffic' && limit !== 'time') return undefined;
    const k = `${userId}:${productType}`;
    const cached = this.#quotas.get(k);
    if (cached) return cached;
    let loading = this.#loading.get(k);
    if (!loading) {
      loading = this.locked(() => this.#load(userId, productType, limit)).finally(() => this.#loading.delete(k));
      this.#loading.set(k, loading);
    }
    return loading;
  }

  /**
   * Runs `task` under the book's lock: readings of the packages and the meter's flushes (which write what was
   * pending to the packages and mark it flushed) never interleave.
   */
  locked<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(task, task);
    this.#tail = run.catch(() => {});
    return run;
  }

  /**
   * Re-reads the quotas of these users (after a package change). `rebase` false (the periodic revalidation): shared
   * budgets are left alone, since every flush keeps them right and only a change of the packages moves them.
   */
  reloadUsers(userIds: Iterable<number>, rebase = true): Promise<void> {
    const wanted = new Set(userIds);
    return this.locked(async () => {
      for (const quota of [...this.#quotas.values()]) if (wanted.has(quota.userId)) await this.#refresh(quota, rebase);
    });
  }

  /** Re-reads the quotas whose packages expired or started since their last reading; cheap when none did. */
  reloadDue(): Promise<void> {
    const now = this.#now();
    if (![...this.#quotas.values()].some((q) => q.nextChangeAt <= now)) return Promise.resolve();
    return this.locked(async () => {
      for (const quota of [...this.#quotas.values()]) if (quota.nextChangeAt <= this.#now()) await this.#refresh(quota);
    });
  }

  async #load(userId: number, productType: number, limit: UseLimit): Promise<PackageQuota> {
    const k = `${userId}:${productType}`;
    const existing = this.#quotas.get(k);
    if (existing) return existing;
    const reading = await readQuota(this.packages, userId, productType, limit, this.#now());
    const leases = this.#leases;
    const link: QuotaLink | undefined = leases && {
      leases,
      read: async () => (await readQuota(this.packages, userId, productType, limit, this.#now())).stored,
      warn: this.#warn,
    };
    const quota = new PackageQuota(userId, productType, limit, this.closer, reading, this.#shaperClock, link);
    await quota.prime();
    this.#quotas.set(k, quota);
    return quota;
  }

  async #refresh(quota: PackageQuota, rebase = true): Promise<void> {
    const reading = await readQuota(this.packages, quota.userId, quota.productType, quota.limit, this.#now());
    quota.update(reading);
    if (quota.shared && rebase) await quota.rebase(reading);
    // A quota nobody draws from any more is forgotten; the next login loads it afresh.
    if (quota.members.size === 0 && quota.open === 0) this.#quotas.delete(`${quota.userId}:${quota.productType}`);
  }
}

/** A sub-account's own limit as a quota reading: `stored` bytes left of it, nothing else. */
function limitReading(stored: number): QuotaReading {
  return { stored, concurrency: Number.POSITIVE_INFINITY, bytesPerSecond: 0, nextChangeAt: Number.POSITIVE_INFINITY };
}

/** How far a shared quota may go below zero while its next slice is on the way: 896 KiB, ≤ 1/400 of what is left. */
function overdraftFor(stored: number): number {
  return Math.max(0, Math.min(MAX_OVERDRAFT, Math.floor(stored / 400)));
}
