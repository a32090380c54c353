/**
 * Provisioning balance top-ups: type 3 credits the recharge and its gift (two ledger rows, 'recharge' and 'gift'),
 * type 26 (making up a short payment) credits the amount alone. Each credit is recorded in order_provisions (kind
 * 'balance', ref: the ledger row), so a refund debits exactly those back.
 */
import type { Transaction } from 'kysely';
import { BALANCE_TYPES, TOP_UP_TYPE } from '../products/index.js';
import type { Database, OrderRow } from '../storage/index.js';
import type { OrderDetails, Provisioner } from './billing.types.js';
import { changeBalance, type LedgerReason } from './ledger.js';

async function credit(
  trx: Transaction<Database>,
  order: OrderRow,
  cents: number,
  reason: LedgerReason,
  now: number,
): Promise<void> {
  if (cents <= 0) return;
  const { ledgerId } = await changeBalance(trx, {
    userId: Number(order.user_id),
    deltaCents: cents,
    reason,
    orderId: Number(order.id),
    now,
  });
  await trx
    .insertInto('order_provisions')
    .values({
      order_id: order.id,
      kind: 'balance',
      ref_id: ledgerId,
      detail: JSON.stringify({ deltaCents: cents, reason }),
      created_at: now,
    })
    .execute();
}

/**
 * Debits back every credit the order made (a 'refund' ledger row each, negative). When the user has spent it
 * meanwhile the balance cannot cover it: TG_ERR_BALANCE_INSUFFICIENT, and the caller's transaction (the whole
 * refund) rolls back — the operator settles that by other means.
 */
async function debitBack(trx: Transaction<Database>, order: OrderRow, now: number): Promise<void> {
  const credits = await trx
    .selectFrom('balance_ledger')
    .select(['delta_cents'])
    .where('id', 'in', (eb) =>
      eb.selectFrom('order_provisions').select('ref_id').where('order_id', '=', order.id).where('kind', '=', 'balance'),
    )
    .execute();
  const total = credits.reduce((sum, c) => sum + Number(c.delta_cents), 0);
  if (total <= 0) return;
  await changeBalance(trx, {
    userId: Number(order.user_id),
    deltaCents: -total,
    reason: 'refund',
    orderId: Number(order.id),
    now,
  });
}

function rechargeProvisioner(withGift: boolean): Provisioner {
  return {
    async provision(trx, order, details: OrderDetails, now) {
      await credit(trx, order, details.rechargeCents ?? 0, 'recharge', now);
      if (withGift) await credit(trx, order, details.giftCents ?? 0, 'gift', now);
    },
    async reverse(trx, order, _details, now) {
      await debitBack(trx, order, now);
    },
  };
}

/** Provisioners for the balance types: the top-up (3, with its gift) and making up a payment (26). */
export function balanceProvisioners(): Map<number, Provisioner> {
  return new Map<number, Provisioner>(BALANCE_TYPES.map((type) => [type, rechargeProvisioner(type === TOP_UP_TYPE)]));
}
