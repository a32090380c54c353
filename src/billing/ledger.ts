/**
 * The balance ledger: every change to a user's balance is one row (delta,
 * reason, order, balance after), written in the same transaction as the
 * guarded update of users.balance_cents, so the balance always equals the sum
 * of the user's ledger and can never go below zero — two concurrent debits are
 * serialized by the row update (PostgreSQL row lock; SQLite's single writer).
 */
import type { Kysely, Transaction } from 'kysely';
import { AppError } from '../errors/index.js';
import type { Database } from '../storage/index.js';

export type LedgerReason = 'recharge' | 'gift' | 'order' | 'refund' | 'adjust';

export interface BalanceChange {
  readonly userId: number;
  /** Cents; negative debits. */
  readonly deltaCents: number;
  readonly reason: LedgerReason;
  readonly orderId?: number | undefined;
  readonly now: number;
  /** The operator's reason, for 'adjust'. */
  readonly note?: string | undefined;
}

/**
 * Applies one balance change inside `trx`; returns the ledger row id and the balance after.
 * Throws TG_ERR_BALANCE_INSUFFICIENT (changing nothing) when a debit would take the balance below zero.
 */
export async function changeBalance(
  trx: Transaction<Database> | Kysely<Database>,
  change: BalanceChange,
): Promise<{ ledgerId: number; balanceAfterCents: number }> {
  const { userId, deltaCents, reason, now } = change;
  const updated = await trx
    .updateTable('users')
    .set((eb) => ({ balance_cents: eb(eb.ref('balance_cents'), '+', deltaCents) }))
    .where('id', '=', userId)
    .where((eb) => eb(eb(eb.ref('balance_cents'), '+', deltaCents), '>=', 0))
    .returning('balance_cents')
    .executeTakeFirst();
  if (!updated) {
    const exists = await trx.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
    if (!exists) throw new AppError('TG_ERR_USER_NOT_FOUND');
    throw new AppError('TG_ERR_BALANCE_INSUFFICIENT');
  }
  const balanceAfterCents = Number(updated.balance_cents);
  const row = await trx
    .insertInto('balance_ledger')
    .values({
      user_id: userId,
      delta_cents: deltaCents,
      reason,
      order_id: change.orderId ?? null,
      balance_after_cents: balanceAfterCents,
      created_at: now,
      ...(change.note ? { note: change.note } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { ledgerId: Number(row.id), balanceAfterCents };
}

/** The sum of the user's ledger (equals users.balance_cents; tests check it). */
export async function ledgerSum(db: Kysely<Database>, userId: number): Promise<number> {
  const row = await db
    .selectFrom('balance_ledger')
    .select((eb) => eb.fn.sum<number>('delta_cents').as('sum'))
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(row?.sum ?? 0);
}
