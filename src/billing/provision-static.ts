/**
 * Provisioning static IPs: types 14 (datacenter) and 25 (residential) allocate the ordered regions, all or
 * nothing; type 19 renews the user's allocations. Everything runs in the transaction that marks the order
 * paid (or refunded), and each allocation or renewal is recorded in order_provisions so a refund can take
 * exactly that back.
 */
import type { Transaction } from 'kysely';
import { invalidParams } from '../errors/index.js';
import { typesWhere } from '../products/index.js';
import type { StaticIpsService } from '../static-ips/index.js';
import type { Database } from '../storage/index.js';
import type { Provisioner } from './billing.types.js';

const DAY_MS = 86_400_000;

/** What a 'renewal' order_provisions row remembers. */
interface RenewalDetail {
  readonly previousExpiresAt: number;
  readonly newExpiresAt: number;
  readonly days: number;
}

async function provisionsOf(trx: Transaction<Database>, orderId: number, kind: string) {
  return trx
    .selectFrom('order_provisions')
    .selectAll()
    .where('order_id', '=', orderId)
    .where('kind', '=', kind)
    .orderBy('id')
    .execute();
}

function parseDetail(text: string): Partial<RenewalDetail> {
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed !== null && typeof parsed === 'object' ? (parsed as Partial<RenewalDetail>) : {};
  } catch {
    return {};
  }
}

/** Static-IP types (14, 25): one allocation per IP, for the product's unit_days, trade_no the order's. */
function allocationProvisioner(staticIps: StaticIpsService, productType: number): Provisioner {
  return {
    async provision(trx, order, details, now) {
      const regions = details.regions ?? [];
      if (regions.length === 0) throw invalidParams({ region_list: 'one or more regions, e.g. US:2,DE:1' });
      const days = details.unitDays ?? 0;
      const ids: number[] = [];
      for (const region of regions) {
        // A region short of IPs throws TG_ERR_STATIC_IP_UNAVAILABLE; the caller's transaction rolls all back.
        const allocated = await staticIps.allocateIn(
          trx,
          { userId: order.user_id, country: region.country, productType, count: region.count, days, tradeNo: order.trade_no },
          now,
        );
        ids.push(...allocated.map((a) => a.id));
      }
      await trx
        .insertInto('order_provisions')
        .values(ids.map((id) => ({ order_id: order.id, kind: 'static', ref_id: id, detail: '{}', created_at: now })))
        .execute();
    },
    async reverse(trx, order, _details, now) {
      const rows = await provisionsOf(trx, order.id, 'static');
      // Allocations that already ended (expired, released) have nothing left to take back.
      for (const row of rows) await staticIps.releaseIn(trx, Number(row.ref_id), now, { ifHeld: true });
    },
  };
}

/** Type 19: renews the user's allocations (`upids`) by renewDuration × unit_days days. */
function renewalProvisioner(staticIps: StaticIpsService): Provisioner {
  return {
    async provision(trx, order, details, now) {
      const upids = details.upids ?? [];
      const days = (details.renewDuration ?? 1) * (details.unitDays ?? 0);
      const before = await staticIps.allocationsIn(trx, upids);
      const previous = new Map(before.map((a) => [a.id, a.expiresAt]));
      const renewed = await staticIps.renewIn(trx, order.user_id, upids, days, now);
      await trx
        .insertInto('order_provisions')
        .values(
          renewed.map((a) => ({
            order_id: order.id,
            kind: 'renewal',
            ref_id: a.id,
            detail: JSON.stringify({
              previousExpiresAt: previous.get(a.id) ?? now,
              newExpiresAt: a.expiresAt,
              days,
            } satisfies RenewalDetail),
            created_at: now,
          })),
        )
        .execute();
    },
    async reverse(trx, order, _details, now) {
      const rows = await provisionsOf(trx, order.id, 'renewal');
      for (const row of rows) {
        const detail = parseDetail(row.detail);
        const days = Number(detail.days ?? 0);
        if (!Number.isFinite(days) || days <= 0) continue;
        await staticIps.shortenIn(trx, Number(row.ref_id), days * DAY_MS, now);
      }
    },
  };
}

/** Provisioners for the types the product registry says provision static IPs (14, 25) or renew them (19). */
export function staticProvisioners(deps: { staticIps: StaticIpsService }): Map<number, Provisioner> {
  const registry = new Map<number, Provisioner>();
  for (const type of typesWhere((k) => k.provisions === 'static-ip'))
    registry.set(type, allocationProvisioner(deps.staticIps, type));
  const renewal = renewalProvisioner(deps.staticIps);
  for (const type of typesWhere((k) => k.provisions === 'static-renewal')) registry.set(type, renewal);
  return registry;
}
