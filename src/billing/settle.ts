/**
 * The two status changes that move money or goods: paying (0 → 1, then
 * provisioning) and refunding (1 → 3, then reversing). Each is one guarded
 * UPDATE inside the caller's transaction: only the caller that actually changes
 * the status provisions or reverses, so retries, concurrent calls and webhook
 * replays provision exactly once.
 */
import type { Transaction } from 'kysely';
import { AppError } from '../errors/index.js';
import type { Database, OrderRow } from '../storage/index.js';
import { ORDER_STATUS, orderDetails, type ProvisionerRegistry } from './billing.types.js';
import { changeBalance } from './ledger.js';

/**
 * Marks a pending order paid and provisions it. Returns false (changing nothing) when the order is not
 * pending any more: already paid (a replay), closed or refunded — the caller decides what that means.
 */
export async function settleOrder(
  trx: Transaction<Database>,
  order: OrderRow,
  registry: ProvisionerRegistry,
  now: number,
): Promise<boolean> {
  const provisioner = registry.get(order.product_type);
  if (!provisioner) throw new AppError('TG_ERR_PRODUCT_NOT_ORDERABLE', { params: { type: order.product_type } });
  const result = await trx
    .updateTable('orders')
    .set({ status: ORDER_STATUS.PAID, paid_at: now, updated_at: now })
    .where('id', '=', order.id)
    .where('status', '=', ORDER_STATUS.PENDING)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return false;
  await provisioner.provision(trx, { ...order, status: ORDER_STATUS.PAID, paid_at: now }, orderDetails(order), now);
  return true;
}

/**
 * Refunds a paid order: status 3, what it provisioned reversed, and — when it was paid from the balance —
 * its pay_fee credited back (a 'refund' ledger row; the 'order' row stays). Throws TG_ERR_ORDER_NOT_PAID
 * when it is not paid; any reversal failure rolls the whole refund back.
 */
export async function refundOrder(
  trx: Transaction<Database>,
  order: OrderRow,
  registry: ProvisionerRegistry,
  paidFromBalance: boolean,
  now: number,
): Promise<void> {
  const provisioner = registry.get(order.product_type);
  if (!provisioner) throw new AppError('TG_ERR_PRODUCT_NOT_ORDERABLE', { params: { type: order.product_type } });
  const result = await trx
    .updateTable('orders')
    .set({ status: ORDER_STATUS.REFUNDED, refunded_at: now, updated_at: now })
    .where('id', '=', order.id)
    .where('status', '=', ORDER_STATUS.PAID)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new AppError('TG_ERR_ORDER_NOT_PAID');
  await provisioner.reverse(trx, order, orderDetails(order), now);
  if (paidFromBalance && order.pay_fee_cents > 0) {
    await changeBalance(trx, {
      userId: order.user_id,
      deltaCents: order.pay_fee_cents,
      reason: 'refund',
      orderId: order.id,
      now,
    });
  }
}
