/**
 * Provisioning packages: types 9 and 12 grant a traffic package of amount × unit_bytes, valid unit_days from
 * payment; type 11 grants a time-based package record (no traffic) valid amount × unit_days, titled with its
 * bandwidth and concurrency options. The package carries the order's trade_no, title and times, is written in
 * the transaction that marks the order paid, and is recorded in order_provisions (kind 'package') for refunds.
 */
import type { PackagesService } from '../packages/index.js';
import type { OrderRow } from '../storage/index.js';
import type { OrderDetails, Provisioner } from './billing.types.js';

/** The package a paid order grants. */
function grantOf(order: OrderRow, details: OrderDetails): { totalBytes: number; days: number; title: string } {
  const unitDays = details.unitDays ?? 0;
  if (order.product_type === 11) {
    const bandwidth = details.bandwidthSku ? `${details.bandwidthSku.value} Mbps` : '';
    const concurrency = details.concurrencySku ? `${details.concurrencySku.value} concurrent` : '';
    const options = [bandwidth, concurrency].filter((s) => s !== '').join(', ');
    return {
      totalBytes: 0,
      days: unitDays * order.amount,
      title: options ? `${order.product_name} (${options})` : order.product_name,
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
          days: grant.days,
          startsAt: now,
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

/** Provisioners for types 9, 11 and 12, for the order registry. */
export function packageProvisioners(deps: { packages: PackagesService }): Map<number, Provisioner> {
  const provisioner = packageProvisioner(deps.packages);
  return new Map<number, Provisioner>([
    [9, provisioner],
    [11, provisioner],
    [12, provisioner],
  ]);
}
