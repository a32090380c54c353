import ipaddr from 'ipaddr.js';
import type { Kysely, Transaction } from 'kysely';
import { canonicalIp, type SecretBox } from '../accounts/index.js';
import { AppError, invalidParams, listNames } from '../errors/index.js';
import { COUNTRY_RULE, formatNodeUrl, normalizeCountry, normalizePlace, PLACE_RULE, parseNodeUrl } from '../pool/index.js';
import { describeTypes, STATIC_IP_TYPES } from '../products/index.js';
import { type Database, type DialectCapabilities, recordChange } from '../storage/index.js';
import {
  type AllocationRow,
  type AllocationWithIpRow,
  type ExitRow,
  type InventoryRow,
  StaticIpsRepository,
} from './static-ips.repository.js';
import {
  type AllocateInput,
  ASN_MAX,
  ASN_RESERVED,
  type CustomerStaticIpFilter,
  type CustomerStaticIpPage,
  EXPIRING_WITHIN_MS,
  type NewStaticIp,
  type RegionCount,
  type RegionCountOptions,
  type StaticIp,
  type StaticIpAllocation,
  type StaticIpFilter,
  type StaticIpHolder,
  type StaticIpPatch,
  type StaticIpProductType,
  type StaticIpStatus,
  type ValidExit,
} from './static-ips.types.js';

export interface StaticIpsServiceOptions {
  readonly now?: () => number;
}

const DAY_MS = 86_400_000;
/** Most IPs one allocation call may take. */
export const ALLOCATE_COUNT_MAX = 1000;
/** Longest allocation or renewal, in days (10 years). */
export const DAYS_MAX = 3650;
export const TRADE_NO_MAX = 64;

const PRODUCT_TYPE_RULE = describeTypes(STATIC_IP_TYPES);

function isStaticType(type: number): type is StaticIpProductType {
  return STATIC_IP_TYPES.includes(type);
}

function isCount(value: number, max: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= max;
}

export const ASN_RULE = `an AS number from 1 to ${ASN_MAX} (0: not recorded), not ${ASN_RESERVED.join(' or ')}`;

/** An AS number an address can be announced from, or 0 for none recorded. */
export function isAsn(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= ASN_MAX && !ASN_RESERVED.includes(value);
}

/**
 * What a customer's allocation shows at `now`: 2 once it has ended (expired or released),
 * else 4 while its IP is in maintenance, 3 within 3 days of expiry, 1 otherwise.
 * An ended allocation stays 2 whatever its IP's state: maintenance is about IPs one holds.
 */
export function statusOf(
  allocation: { expiresAt: number; releasedAt: number | null; maintenance: boolean },
  now: number,
): StaticIpStatus {
  if (allocation.releasedAt !== null || allocation.expiresAt <= now) return 2;
  if (allocation.maintenance) return 4;
  return allocation.expiresAt <= now + EXPIRING_WITHIN_MS ? 3 : 1;
}

/** The canonical text of a unicast address (as whitelisted IPs and the gateway write it), or undefined. */
function usableIp(text: string): string | undefined {
  const ip = canonicalIp(text);
  if (ip === undefined) return undefined;
  return ['unspecified', 'multicast', 'broadcast'].includes(ipaddr.parse(ip).range()) ? undefined : ip;
}

/** `ip:port`, an IPv6 address in brackets. */
function address(ip: string, port: number): string {
  return `${ip.includes(':') ? `[${ip}]` : ip}:${port}`;
}

/**
 * Static IPs: the inventory the operator loads (each one an exit: a local source address or
 * an upstream proxy, the URL stored encrypted) and its allocations to users. One user holds
 * an IP at a time, until its allocation expires or is released. Every write records a
 * change_log 'static_ip' row per IP touched, in the same transaction, so a gateway following
 * the feed refreshes exactly those IPs.
 */
export class StaticIpsService {
  readonly #now: () => number;

  /** @param box a SecretBox for purpose 'static-ip-url'. */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly caps: DialectCapabilities,
    private readonly box: SecretBox,
    options: StaticIpsServiceOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
  }

  /** Adds one IP to the inventory; refuses an ip:port already there. */
  async add(input: NewStaticIp): Promise<StaticIp> {
    const errors: Record<string, string> = {};
    const ip = usableIp(input.ip.trim());
    if (ip === undefined) errors.ip = 'a unicast IPv4 or IPv6 address';
    if (!isCount(input.port, 65535)) errors.port = 'an integer from 1 to 65535';
    const country = normalizeCountry(input.country);
    if (country === undefined) errors.country = COUNTRY_RULE;
    const state = normalizePlace(input.state ?? '');
    if (state === undefined) errors.state = PLACE_RULE;
    const city = normalizePlace(input.city ?? '');
    if (city === undefined) errors.city = PLACE_RULE;
    if (!isStaticType(input.productType)) errors.product_type = PRODUCT_TYPE_RULE;
    const asn = input.asn ?? 0;
    if (!isAsn(asn)) errors.asn = ASN_RULE;
    let url: string | undefined;
    let urlDisplay: string | undefined;
    const urlText = input.url?.trim() ?? '';
    if (urlText === '') {
      if (ip !== undefined) {
        url = formatNodeUrl({ kind: 'direct', localAddress: ip });
        urlDisplay = url;
      }
    } else {
      const parsed = parseNodeUrl(urlText);
      if (parsed.ok) {
        url = formatNodeUrl(parsed.endpoint);
        urlDisplay = formatNodeUrl(parsed.endpoint, { maskPassword: true });
      } else errors.url = parsed.problem;
    }
    if (
      Object.keys(errors).length > 0 ||
      ip === undefined ||
      country === undefined ||
      state === undefined ||
      city === undefined ||
      url === undefined ||
      urlDisplay === undefined
    ) {
      throw invalidParams(errors);
    }
    const now = this.#now();
    const exists = () => new AppError('TG_ERR_STATIC_IP_EXISTS', { params: { ip: address(ip, input.port) } });
    try {
      const row = await this.db.transaction().execute(async (trx) => {
        const repo = new StaticIpsRepository(trx, this.caps);
        if (await repo.findByAddress(ip, input.port)) throw exists();
        const inserted = await repo.insert({
          ip,
          port: input.port,
          country,
          state,
          city,
          product_type: input.productType,
          url_enc: this.box.encrypt(url),
          url_display: urlDisplay,
          maintenance: 0,
          asn,
          created_at: now,
          updated_at: now,
        });
        await recordChange(trx, 'static_ip', [Number(inserted.id)], now);
        return inserted;
      });
      return this.#toStaticIp({
        ...row,
        alloc_id: null,
        alloc_user_id: null,
        alloc_trade_no: null,
        alloc_created_at: null,
        alloc_expires_at: null,
      });
    } catch (err) {
      // Two adds of one address at once: the unique index decides.
      if (this.caps.isUniqueViolation(err)) throw exists();
      throw err;
    }
  }

  /** The inventory by id, each IP with the allocation holding it now. */
  async list(filter: StaticIpFilter = {}): Promise<StaticIp[]> {
    const country = filter.country === undefined ? undefined : filter.country.trim().toUpperCase();
    if (filter.asn !== undefined && !isAsn(filter.asn)) throw invalidParams({ asn: ASN_RULE });
    const rows = await new StaticIpsRepository(this.db, this.caps).list(this.#now(), {
      country,
      productType: filter.productType,
      asn: filter.asn,
    });
    return rows.map((r) => this.#toStaticIp(r));
  }

  async get(id: number): Promise<StaticIp> {
    const [row] = await new StaticIpsRepository(this.db, this.caps).list(this.#now(), { id });
    if (!row) throw new AppError('TG_ERR_STATIC_IP_NOT_FOUND');
    return this.#toStaticIp(row);
  }

  /** Removes an IP (and its past allocations); refused while an allocation holds it. */
  async remove(id: number): Promise<void> {
    const now = this.#now();
    await this.db.transaction().execute(async (trx) => {
      const repo = new StaticIpsRepository(trx, this.caps);
      if ((await repo.lock([id])).length === 0) throw new AppError('TG_ERR_STATIC_IP_NOT_FOUND');
      if ((await repo.holders([id], now)).length > 0) throw new AppError('TG_ERR_STATIC_IP_ALLOCATED');
      await repo.delete(id);
      await recordChange(trx, 'static_ip', [id], now);
    });
  }

  /** In maintenance an IP is neither allocated nor routed through; its holder keeps the allocation. */
  setMaintenance(id: number, on: boolean): Promise<StaticIp> {
    return this.update(id, { maintenance: on });
  }

  /**
   * Changes an IP's maintenance state and/or ASN, all or nothing (TG_ERR_INVALID_PARAMS names
   * each bad field; an empty patch is one too).
   */
  async update(id: number, patch: StaticIpPatch): Promise<StaticIp> {
    const errors: Record<string, string> = {};
    if (patch.asn !== undefined && !isAsn(patch.asn)) errors.asn = ASN_RULE;
    if (patch.maintenance === undefined && patch.asn === undefined) errors.maintenance = 'maintenance or asn to change';
    if (Object.keys(errors).length > 0) throw invalidParams(errors);
    const now = this.#now();
    await this.db.transaction().execute(async (trx) => {
      const row = await new StaticIpsRepository(trx, this.caps).update(id, {
        ...(patch.maintenance === undefined ? {} : { maintenance: patch.maintenance ? 1 : 0 }),
        ...(patch.asn === undefined ? {} : { asn: patch.asn }),
        updated_at: now,
      });
      if (!row) throw new AppError('TG_ERR_STATIC_IP_NOT_FOUND');
      await recordChange(trx, 'static_ip', [id], now);
    });
    return this.get(id);
  }

  /**
   * Gives a user `count` unallocated, in-service IPs of a country and type for `days` days,
   * all or none: with too few free it throws TG_ERR_STATIC_IP_UNAVAILABLE (region `US:2`) and
   * changes nothing. Concurrent calls never take one IP twice: candidates are locked
   * (PostgreSQL, skipping rows another allocation holds) and re-checked before use; SQLite
   * runs one write transaction at a time.
   */
  async allocate(input: AllocateInput): Promise<StaticIpAllocation[]> {
    this.#checkAllocate(input);
    const now = this.#now();
    return this.db.transaction().execute((trx) => this.allocateIn(trx, input, now));
  }

  /**
   * allocate() inside the caller's transaction (an order being paid): the change_log rows go in
   * with it, and a failure leaves the caller to roll back everything it did.
   */
  async allocateIn(trx: Transaction<Database>, input: AllocateInput, now = this.#now()): Promise<StaticIpAllocation[]> {
    const country = this.#checkAllocate(input);
    const tradeNo = input.tradeNo?.trim() ?? '';
    const repo = new StaticIpsRepository(trx, this.caps);
    if (!(await repo.userExists(input.userId))) throw new AppError('TG_ERR_USER_NOT_FOUND');
    const chosen: number[] = [];
    const skip: number[] = [];
    while (chosen.length < input.count) {
      const locked = await repo.lockFree(country, input.productType, now, input.count - chosen.length, [...chosen, ...skip]);
      if (locked.length === 0) break;
      const held = new Set((await repo.holders(locked, now)).map((a) => Number(a.static_ip_id)));
      for (const id of locked) (held.has(id) ? skip : chosen).push(id);
    }
    if (chosen.length < input.count) {
      throw new AppError('TG_ERR_STATIC_IP_UNAVAILABLE', {
        params: { region: `${country}:${input.count}` },
        data: { region: `${country}:${input.count}`, available: chosen.length },
      });
    }
    const inserted = await repo.insertAllocations(
      chosen.map((staticIpId) => ({
        static_ip_id: staticIpId,
        user_id: input.userId,
        trade_no: tradeNo,
        created_at: now,
        expires_at: now + input.days * DAY_MS,
        released_at: null,
      })),
    );
    await recordChange(trx, 'static_ip', chosen, now);
    const rows = await repo.withIps(inserted.map((r) => Number(r.id)));
    return rows.map((r) => this.#toAllocation(r));
  }

  /** Validates an allocation request; returns its normalized country. */
  #checkAllocate(input: AllocateInput): string {
    const errors: Record<string, string> = {};
    const country = normalizeCountry(input.country);
    if (country === undefined) errors.country = COUNTRY_RULE;
    if (!isStaticType(input.productType)) errors.product_type = PRODUCT_TYPE_RULE;
    if (!isCount(input.count, ALLOCATE_COUNT_MAX)) errors.count = `an integer from 1 to ${ALLOCATE_COUNT_MAX}`;
    if (!isCount(input.days, DAYS_MAX)) errors.days = `an integer from 1 to ${DAYS_MAX}`;
    const tradeNo = input.tradeNo?.trim() ?? '';
    if (tradeNo.length > TRADE_NO_MAX) errors.trade_no = `at most ${TRADE_NO_MAX} characters`;
    if (Object.keys(errors).length > 0 || country === undefined) throw invalidParams(errors);
    return country;
  }

  /**
   * Extends a user's allocations by `days` from their expiry, or from now for one that has
   * expired (if no one else holds its IP meanwhile: TG_ERR_STATIC_IP_ALLOCATED). All or none.
   * Unknown ids, another user's and released allocations: TG_ERR_STATIC_IP_NO_ALLOCATION.
   */
  async renew(userId: number, allocationIds: readonly number[], days: number): Promise<StaticIpAllocation[]> {
    this.#checkRenew(allocationIds, days);
    const now = this.#now();
    return this.db.transaction().execute((trx) => this.renewIn(trx, userId, allocationIds, days, now));
  }

  /** The operator's renewal of one allocation, whoever holds it (admin API and CLI); as renew(). */
  async renewAllocation(allocationId: number, days: number): Promise<StaticIpAllocation> {
    this.#checkRenew([allocationId], days);
    const now = this.#now();
    return this.db.transaction().execute(async (trx) => {
      const [current] = await this.allocationsIn(trx, [allocationId]);
      if (!current) throw new AppError('TG_ERR_STATIC_IP_NO_ALLOCATION');
      const [renewed] = await this.renewIn(trx, current.userId, [allocationId], days, now);
      if (!renewed) throw new AppError('TG_ERR_STATIC_IP_NO_ALLOCATION');
      return renewed;
    });
  }

  /** renew() inside the caller's transaction. */
  async renewIn(
    trx: Transaction<Database>,
    userId: number,
    allocationIds: readonly number[],
    days: number,
    now = this.#now(),
  ): Promise<StaticIpAllocation[]> {
    const ids = this.#checkRenew(allocationIds, days);
    const repo = new StaticIpsRepository(trx, this.caps);
    const found = await repo.allocationsByIds(ids);
    const usable = new Map(
      found.filter((a) => Number(a.user_id) === userId && a.released_at === null).map((a) => [Number(a.id), a]),
    );
    const missing = ids.filter((id) => !usable.has(id));
    if (missing.length > 0) {
      throw new AppError('TG_ERR_STATIC_IP_NO_ALLOCATION', {
        params: { ids: listNames(missing.map(String)) },
        data: { ids: missing },
      });
    }
    const ipIds = [...new Set([...usable.values()].map((a) => Number(a.static_ip_id)))];
    await repo.lock(ipIds);
    // Re-read under the locks: a concurrent renewal or release may have changed them.
    const current = await repo.allocationsByIds(ids);
    const holders = await repo.holders(ipIds, now);
    const taken = current.filter((a) =>
      holders.some((h) => Number(h.static_ip_id) === Number(a.static_ip_id) && Number(h.id) !== Number(a.id)),
    );
    if (taken.length > 0) throw new AppError('TG_ERR_STATIC_IP_ALLOCATED', { data: { ids: taken.map((a) => Number(a.id)) } });
    const released = current.filter((a) => a.released_at !== null).map((a) => Number(a.id));
    if (released.length > 0) {
      throw new AppError('TG_ERR_STATIC_IP_NO_ALLOCATION', {
        params: { ids: listNames(released.map(String)) },
        data: { ids: released },
      });
    }
    for (const a of current) await repo.setExpiry(Number(a.id), Math.max(now, Number(a.expires_at)) + days * DAY_MS);
    await recordChange(trx, 'static_ip', ipIds, now);
    const rows = await repo.withIps(ids);
    return rows.map((r) => this.#toAllocation(r));
  }

  /** Validates a renewal; returns the distinct ids. */
  #checkRenew(allocationIds: readonly number[], days: number): number[] {
    const ids = [...new Set(allocationIds)];
    const errors: Record<string, string> = {};
    if (ids.length === 0 || !ids.every((id) => Number.isSafeInteger(id) && id > 0)) errors.ids = 'one or more allocation ids';
    if (!isCount(days, DAYS_MAX)) errors.days = `an integer from 1 to ${DAYS_MAX}`;
    if (Object.keys(errors).length > 0) throw invalidParams(errors);
    return ids;
  }

  /** Ends an allocation now; its IP is free again. Refused (6405) when unknown, released or expired. */
  async release(allocationId: number): Promise<StaticIpAllocation> {
    const now = this.#now();
    const released = await this.db.transaction().execute((trx) => this.releaseIn(trx, allocationId, now));
    return released!;
  }

  /**
   * release() inside the caller's transaction. With `ifHeld` an allocation that already ended
   * (expired or released) is no error: it answers undefined and changes nothing.
   */
  async releaseIn(
    trx: Transaction<Database>,
    allocationId: number,
    now = this.#now(),
    options: { ifHeld?: boolean } = {},
  ): Promise<StaticIpAllocation | undefined> {
    const repo = new StaticIpsRepository(trx, this.caps);
    const released: AllocationRow | undefined = await repo.release(allocationId, now);
    if (!released) {
      if (options.ifHeld) return undefined;
      throw new AppError('TG_ERR_STATIC_IP_NO_ALLOCATION', {
        params: { ids: String(allocationId) },
        data: { ids: [allocationId] },
      });
    }
    await recordChange(trx, 'static_ip', [Number(released.static_ip_id)], now);
    const [withIp] = await repo.withIps([allocationId]);
    return this.#toAllocation(withIp!);
  }

  /**
   * Takes `spanMs` back off an allocation's expiry (a renewal refunded), never below `now`: a renewal
   * already counting is cut at now. Released or ended allocations are left as they are (undefined).
   */
  async shortenIn(
    trx: Transaction<Database>,
    allocationId: number,
    spanMs: number,
    now = this.#now(),
  ): Promise<StaticIpAllocation | undefined> {
    const repo = new StaticIpsRepository(trx, this.caps);
    const [row] = await repo.allocationsByIds([allocationId]);
    if (!row || row.released_at !== null || Number(row.expires_at) <= now) return undefined;
    await repo.lock([Number(row.static_ip_id)]);
    const [current] = await repo.allocationsByIds([allocationId]);
    if (!current || current.released_at !== null || Number(current.expires_at) <= now) return undefined;
    await repo.setExpiry(allocationId, Math.max(now, Number(current.expires_at) - spanMs));
    await recordChange(trx, 'static_ip', [Number(current.static_ip_id)], now);
    const [withIp] = await repo.withIps([allocationId]);
    return this.#toAllocation(withIp!);
  }

  /** Allocations by id (any user, ended ones included), read inside the caller's transaction. */
  async allocationsIn(trx: Transaction<Database>, allocationIds: readonly number[]): Promise<StaticIpAllocation[]> {
    const rows = await new StaticIpsRepository(trx, this.caps).withIps([...new Set(allocationIds)]);
    return rows.map((r) => this.#toAllocation(r));
  }

  /**
   * Unallocated, in-service IPs of a type per country (`static-ip-region`), or per country and
   * ASN with `byAsn`; sold-out groups are left out. With `exclusive` only IPs no customer ever
   * held count: allocation takes those first, so they are what the next buyers get.
   */
  async regionCounts(productType: number, options: RegionCountOptions = {}): Promise<RegionCount[]> {
    const rows = await new StaticIpsRepository(this.db, this.caps).freeByCountry(productType, this.#now(), {
      byAsn: options.byAsn,
      neverHeld: options.exclusive,
    });
    return rows.map((r) =>
      options.byAsn ? { country: r.country, asn: r.asn, number: r.n } : { country: r.country, number: r.n },
    );
  }

  /** One page of a user's allocations, past ones included, oldest first (`ip/get-static-ip`). */
  async listForUser(userId: number, filter: CustomerStaticIpFilter): Promise<CustomerStaticIpPage> {
    const now = this.#now();
    const { rows, total } = await new StaticIpsRepository(this.db, this.caps).userPage(
      userId,
      {
        country: filter.country === undefined ? undefined : filter.country.trim().toUpperCase(),
        productType: filter.productType,
        tradeNo: filter.tradeNo,
        status: filter.status,
      },
      now,
      { offset: (filter.page - 1) * filter.size, limit: filter.size },
    );
    const list = rows.map((r) => {
      const a = this.#toAllocation(r);
      return {
        id: a.id,
        ip: a.ip,
        port: a.port,
        country: a.country,
        productType: a.productType,
        asn: a.asn,
        tradeNo: a.tradeNo,
        status: statusOf({ expiresAt: a.expiresAt, releasedAt: a.releasedAt, maintenance: r.maintenance === 1 }, now),
        createdAt: a.createdAt,
        expiresAt: a.expiresAt,
      };
    });
    return { list, total };
  }

  /** For the gateway: the user's static IPs of a type it may route through at `now` (held, in service). */
  async validExitsFor(userId: number, productType: number, now = this.#now()): Promise<ValidExit[]> {
    const rows = await new StaticIpsRepository(this.db, this.caps).exits({ userId, productType }, now);
    return rows.flatMap((r) => this.#toExit(r) ?? []);
  }

  /**
   * For the gateway, on a change-feed row 'static_ip' X: who may use static IP X now and
   * through what, or undefined (free, in maintenance, removed). Any cache entry of X held
   * for another user is stale.
   */
  async holderOf(staticIpId: number, now = this.#now()): Promise<StaticIpHolder | undefined> {
    const [row] = await new StaticIpsRepository(this.db, this.caps).exits({ staticIpId }, now);
    const exit = row && this.#toExit(row);
    if (!row || !exit) return undefined;
    return { userId: Number(row.user_id), productType: row.product_type as StaticIpProductType, exit };
  }

  #toExit(row: ExitRow): ValidExit | undefined {
    let url: string;
    try {
      url = this.box.decrypt(row.url_enc);
    } catch {
      // Sealed under another TOLLGATE_SECRET: unusable, like a missing exit.
      return undefined;
    }
    return {
      allocationId: Number(row.allocation_id),
      staticIpId: Number(row.static_ip_id),
      ip: row.ip,
      port: row.port,
      url,
      country: row.country,
      expiresAt: Number(row.expires_at),
    };
  }

  #toStaticIp(row: InventoryRow): StaticIp {
    return {
      id: Number(row.id),
      ip: row.ip,
      port: row.port,
      country: row.country,
      state: row.state,
      city: row.city,
      productType: row.product_type as StaticIpProductType,
      urlDisplay: row.url_display,
      maintenance: row.maintenance === 1,
      asn: Number(row.asn),
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
      allocation:
        row.alloc_id === null
          ? null
          : {
              id: Number(row.alloc_id),
              userId: Number(row.alloc_user_id),
              tradeNo: row.alloc_trade_no ?? '',
              createdAt: Number(row.alloc_created_at),
              expiresAt: Number(row.alloc_expires_at),
            },
    };
  }

  #toAllocation(row: AllocationWithIpRow): StaticIpAllocation {
    return {
      id: Number(row.id),
      staticIpId: Number(row.static_ip_id),
      userId: Number(row.user_id),
      tradeNo: row.trade_no,
      createdAt: Number(row.created_at),
      expiresAt: Number(row.expires_at),
      releasedAt: row.released_at === null ? null : Number(row.released_at),
      ip: row.ip,
      port: row.port,
      country: row.country,
      productType: row.product_type as StaticIpProductType,
      asn: Number(row.asn),
    };
  }
}
