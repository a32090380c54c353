/**
 * Provisioning packages, by what the product registry says the type provisions: a traffic package (9, 12) of
 * amount × unit_bytes, valid unit_days from payment; a time package (11) valid amount × unit_days with the
 * bandwidth and concurrency of the chosen SKUs, titled with them. The package carries the order's trade_no,
 * title and times, is written in the transaction that marks the order paid, and is recorded in
 * order_provisions (kind 'package') for refunds.
 */
import type { PackagesService } from '../packages/index.js';
import { PACKAGE_TYPES, productKind } from '../products/index.js';
import type { OrderRow } from '../storage/index.js';
import { recordAutoRenewalIn } from './auto-renewal/provision.js';
import type { OrderDetails, Provisioner } from './billing.types.js';

/** The package a paid order grants. */
function grantOf(
  order: OrderRow,
  details: OrderDetails,
): { totalBytes?: number; bandwidthMbps?: number; concurrency?: number; days: number; title: string } {
  const unitDays = details.unitDays ?? 0;
  if (productKind(order.product_type)?.provisions === 'time-package') {
    // An order without its SKUs grants nothing usable: the grant's rules refuse it and the payment rolls back.
    const bandwidthMbps = details.bandwidthSku?.value ?? 0;
    const concurrency = details.concurrencySku?.value ?? 0;
    return {
      bandwidthMbps,
      concurrency,
      days: unitDays * order.amount,
      title: `${order.product_name} (${bandwidthMbps} Mbit/s, ${concurrency} concurrent)`,
    };
  }
  return { totalBytes: (details.unitBytes ?? 0) * order.amount, days: unitDays, title: order.product_name };
}

function packageProvisioner(packages: PackagesService): Provisioner {
  return {
    async provision(trx, order, details, now) {
      const grant = grantOf(order, details);
      const pkg = await packages.grantIn(
        trx,
        {
          userId: Number(order.user_id),
          productType: order.product_type,
          totalBytes: grant.totalBytes,
          bandwidthMbps: grant.bandwidthMbps,
          concurrency: grant.concurrency,
          days: grant.days,
          // A renewal starts when the package it renews ends.
          startsAt: details.startsAt ?? now,
          tradeNo: order.trade_no,
          title: grant.title.slice(0, 255),
          orderCreatedAt: Number(order.created_at),
          orderPayAt: order.paid_at === null ? now : Number(order.paid_at),
        },
        now,
      );
      await trx
        .insertInto('order_provisions')
        .values({
          order_id: order.id,
          kind: 'package',
          ref_id: pkg.id,
          detail: JSON.stringify({ totalBytes: pkg.totalBytes }),
          created_at: now,
        })
        .execute();
      await recordAutoRenewalIn(trx, order, details, pkg.id, now);
    },
    async reverse(trx, order, _details, now) {
      const rows = await trx
        .selectFrom('order_provisions')
        .select('ref_id')
        .where('order_id', '=', order.id)
        .where('kind', '=', 'package')
        .orderBy('id')
        .execute();
      // What was used stays used; the rest is taken back.
      for (const row of rows) await packages.withdrawUnusedIn(trx, Number(row.ref_id), now);
    },
  };
}

/** Provisioners for the package types of the product registry (traffic 9, 12; time 11), for the order registry. */
export function packageProvisioners(deps: { packages: PackagesService }): Map<number, Provisioner> {
  const provisioner = packageProvisioner(deps.packages);
  return new Map<number, Provisioner>(PACKAGE_TYPES.map((type) => [type, provisioner]));
}
