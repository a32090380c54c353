import ipaddr from 'ipaddr.js';
import { canonicalIp } from '../net/ip-address.js';
import type { Kysely } from 'kysely';
import { AppError, invalidParams, listNames } from '../errors/index.js';
import type { Database, DialectCapabilities } from '../storage/index.js';
import { describeTypes, SUB_ACCOUNT_TYPES, TIME_PACKAGE_TYPES } from '../products/index.js';
import { remarkProblem, splitBatch } from './rules.js';
import type { UserLimitSource } from './user-limits.service.js';
import { type WhiteIpRow, WhiteIpsRepository } from './white-ips.repository.js';

/** A client address whose traffic is billed to its owner without credentials. */
export interface WhiteIp {
  readonly id: number;
  /** Canonical form (see canonicalIp). */
  readonly ip: string;
  readonly remark: string;
  /** The product type it is whitelisted for (9 unless proxy-ip/add named another). */
  readonly productType: number;
  /** Type 11: the time package it is bound to; null otherwise. */
  readonly userPackageId: number | null;
  /** Epoch ms. */
  readonly createdAt: number;
}

/** What proxy-ip/add adds beside the addresses: the product type, and for type 11 the time package. */
export interface WhiteIpScope {
  readonly productType: number;
  readonly userPackageId?: number | undefined;
}

export interface WhiteIpsOptions {
  /** Most addresses one user may whitelist: TOLLGATE_WHITE_IP_MAX, or the operator's override for the user. */
  readonly limits: UserLimitSource;
  readonly now?: () => number;
}

/** What to delete: ids and/or addresses, each comma-separated. */
export interface WhiteIpSelection {
  readonly ids?: string | undefined;
  readonly ips?: string | undefined;
}

/** Ranges that are never the source of a connection, so whitelisting them would mean nothing. */
const NEVER_A_SOURCE = new Set(['unspecified', 'multicast', 'broadcast']);

/** canonicalIp, also refusing addresses that never originate a connection (unspecified, multicast, broadcast). */
function whitelistableIp(text: string): string | undefined {
  const ip = canonicalIp(text);
  if (ip === undefined) return undefined;
  return NEVER_A_SOURCE.has(ipaddr.parse(ip).range()) ? undefined : ip;
}

const ID_PATTERN = /^[1-9][0-9]{0,14}$/;

/**
 * Whitelisted client IPs. An address has one owner platform-wide, since the
 * traffic coming from it is billed to that owner. Every batch is checked whole
 * and written in one transaction with its change_log row, so one bad entry
 * changes nothing and a gateway following the feed sees every change.
 */
export class WhiteIpsService {
  readonly #now: () => number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly caps: DialectCapabilities,
    private readonly options: WhiteIpsOptions,
  ) {
    this.#now = options.now ?? Date.now;
  }

  #repo(db: Kysely<Database> = this.db): WhiteIpsRepository {
    return new WhiteIpsRepository(db, this.caps);
  }

  /** The user's addresses, newest first; only those whitelisted for `productType` when given. */
  async list(userId: number, productType?: number): Promise<WhiteIp[]> {
    return (await this.#repo().listByUser(userId, productType)).map(toWhiteIp);
  }

  /**
   * Adds comma-separated addresses, all or none; returns them in the order given. `scope` (proxy-ip/add): the
   * product type they are for, one with sub-accounts; a time-package type (11) names one of the user's valid
   * packages of that type (TG_ERR_WHITE_IP_PACKAGE_INVALID otherwise), other types none. Default: type 9.
   */
  async add(userId: number, ipsCsv: string, remark: string, scope: WhiteIpScope = { productType: 9 }): Promise<WhiteIp[]> {
    checkScope(scope);
    const entries = splitBatch(ipsCsv);
    const invalid: string[] = [];
    const ips: string[] = [];
    for (const entry of entries) {
      const ip = whitelistableIp(entry);
      if (ip === undefined) invalid.push(entry);
      else ips.push(ip);
    }
    if (invalid.length > 0) throw invalidIps(invalid);
    if (ips.length === 0) throw invalidParams({ ips: 'no IP addresses given' });
    const problem = remarkProblem(remark);
    if (problem) throw invalidParams({ remark: problem });
    const seen = new Set<string>();
    const repeated = new Set<string>();
    for (const ip of ips) (seen.has(ip) ? repeated : seen).add(ip);
    if (repeated.size > 0) throw duplicate([...repeated]);

    const now = this.#now();
    const packageId = scope.userPackageId ?? null;
    const rows = ips.map((ip) => ({
      user_id: userId,
      ip,
      remark,
      product_type: scope.productType,
      user_package_id: packageId,
      created_at: now,
    }));
    // A unique violation means another request whitelisted an address between our check and our
    // insert; if that address is free again by the time we look, the batch is retried once.
    for (let attempt = 1; ; attempt++) {
      try {
        const inserted = await this.db.transaction().execute(async (trx) => {
          const repo = this.#repo(trx);
          await repo.lockUser(userId);
          if (packageId !== null && !(await repo.validPackage(userId, scope.productType, packageId, now))) {
            throw new AppError('TG_ERR_WHITE_IP_PACKAGE_INVALID', { params: { id: packageId } });
          }
          const max = await this.options.limits.limitOf(trx, userId, 'white_ips');
          if (ips.length > max) throw limit(max);
          const taken = await repo.taken(ips);
          if (taken.length > 0) throw duplicate(ips.filter((ip) => taken.includes(ip)));
          if ((await repo.countByUser(userId)) + ips.length > max) throw limit(max);
          const out = await repo.insertMany(rows);
          await repo.recordChange([userId], now);
          return out;
        });
        const byIp = new Map(inserted.map((r) => [r.ip, r]));
        return ips.map((ip) => toWhiteIp(byIp.get(ip) as WhiteIpRow));
      } catch (err) {
        if (!this.caps.isUniqueViolation(err)) throw err;
        const taken = await this.#repo().taken(ips);
        if (taken.length > 0) throw duplicate(ips.filter((ip) => taken.includes(ip)));
        if (attempt >= 2) throw err;
      }
    }
  }

  /**
   * Deletes the user's addresses named by id and/or by address, all or none:
   * an unknown one (or another user's) deletes nothing.
   */
  async delete(userId: number, selection: WhiteIpSelection): Promise<void> {
    const idEntries = splitBatch(selection.ids ?? '');
    const ipEntries = splitBatch(selection.ips ?? '');
    if (idEntries.length === 0 && ipEntries.length === 0) throw invalidParams({ ids: 'give ids or ips' });
    const badIds = idEntries.filter((e) => !ID_PATTERN.test(e));
    if (badIds.length > 0) {
      throw invalidParams({ ids: `invalid entries: ${listNames(badIds)}; each is a whitelisted IP's id` }, { invalid: badIds });
    }
    const ids = [...new Set(idEntries.map(Number))];
    const badIps = ipEntries.filter((e) => canonicalIp(e) === undefined);
    if (badIps.length > 0) throw invalidIps(badIps);
    const ips = [...new Set(ipEntries.map((e) => canonicalIp(e) as string))];

    const now = this.#now();
    await this.db.transaction().execute(async (trx) => {
      const repo = this.#repo(trx);
      const byId = ids.length > 0 ? await repo.findOwnedByIds(userId, ids) : [];
      const byIp = ips.length > 0 ? await repo.findOwnedByIps(userId, ips) : [];
      const foundIds = new Set(byId.map((r) => r.id));
      const foundIps = new Set(byIp.map((r) => r.ip));
      const missingIds = ids.filter((id) => !foundIds.has(id));
      const missingIps = ips.filter((ip) => !foundIps.has(ip));
      if (missingIds.length > 0 || missingIps.length > 0) {
        throw new AppError('TG_ERR_WHITE_IP_NOT_FOUND', {
          params: { ids: listNames([...missingIds.map(String), ...missingIps]) },
          data: { ids: missingIds, ips: missingIps },
        });
      }
      await repo.deleteByIds([...new Set([...foundIds, ...byIp.map((r) => r.id)])]);
      await repo.recordChange([userId], now);
    });
  }

  /** The user an address belongs to, if whitelisted (`ip` in any form canonicalIp accepts, e.g. a socket's remoteAddress). */
  async ownerOf(ip: string): Promise<number | undefined> {
    const canonical = canonicalIp(ip);
    return canonical === undefined ? undefined : this.#repo().ownerOf(canonical);
  }

  /** The user's addresses in canonical form, oldest first. */
  allByUser(userId: number): Promise<string[]> {
    return this.#repo().ipsByUser(userId);
  }

  /** Every whitelisted address with its owner (a gateway's initial load). */
  all(): Promise<{ ip: string; userId: number }[]> {
    return this.#repo().all();
  }
}

function toWhiteIp(row: WhiteIpRow): WhiteIp {
  return {
    id: row.id,
    ip: row.ip,
    remark: row.remark,
    productType: row.product_type,
    userPackageId: row.user_package_id,
    createdAt: row.created_at,
  };
}

function checkScope(scope: WhiteIpScope): void {
  if (!SUB_ACCOUNT_TYPES.includes(scope.productType)) {
    throw invalidParams({ product_type: `one of ${describeTypes(SUB_ACCOUNT_TYPES)}` });
  }
  const timed = TIME_PACKAGE_TYPES.includes(scope.productType);
  if (timed && scope.userPackageId === undefined) {
    throw invalidParams({
      user_product_id: `is required for product type ${scope.productType}: a package id from user-product/list`,
    });
  }
  if (!timed && scope.userPackageId !== undefined) {
    throw invalidParams({ user_product_id: `only for ${describeTypes(TIME_PACKAGE_TYPES)}` });
  }
}

function invalidIps(entries: string[]): AppError {
  return new AppError('TG_ERR_WHITE_IP_INVALID', {
    params: { ips: listNames(entries) },
    errors: { ips: 'each entry is one IPv4 or IPv6 address a client connects from (no ranges, hostnames or zone ids)' },
    data: { ips: entries },
  });
}

function duplicate(ips: string[]): AppError {
  return new AppError('TG_ERR_WHITE_IP_DUPLICATE', { params: { ips: listNames(ips) }, data: { ips } });
}

function limit(max: number): AppError {
  return new AppError('TG_ERR_WHITE_IP_LIMIT', { params: { max } });
}

export { canonicalIp };
