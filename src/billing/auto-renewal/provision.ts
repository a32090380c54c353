/**
 * Auto-renewal's part of provisioning a package, in the transaction that marks the order paid: an order placed
 * with `renew_duration` 1m/2m/em marks the package it bought; a renewal order moves its auto-renewal row to the
 * package it bought and logs the renewal — guarded, so a package is renewed at most once (a second renewal order
 * of it fails and rolls back).
 */
import type { Transaction } from 'kysely';
import type { Database, OrderRow } from '../../storage/index.js';
import type { OrderDetails } from '../billing.types.js';
import { AutoRenewalRepository } from './auto-renewal.repository.js';

export async function recordAutoRenewalIn(
  trx: Transaction<Database>,
  order: OrderRow,
  details: OrderDetails,
  packageId: number,
  now: number,
): Promise<void> {
  const repo = new AutoRenewalRepository(trx);
  const userId = Number(order.user_id);
  if (details.renewal) {
    const { autoRenewalId, fromPackageId } = details.renewal;
    if (!(await repo.moveTo(autoRenewalId, fromPackageId, packageId, now))) {
      throw new Error(`package ${fromPackageId} was renewed already, or its auto-renewal turned off`);
    }
    await repo.log({
      user_id: userId,
      user_package_id: fromPackageId,
      new_user_package_id: packageId,
      status: 1,
      trade_no: order.trade_no,
      pay_fee_cents: Number(order.pay_fee_cents),
      error_code: 0,
      reason: '',
      created_at: now,
    });
  } else if (details.autoRenew) {
    await repo.upsert(userId, packageId, true, details.autoRenew.remaining, now);
  }
}
