/**
 * The operator's view of a user's balance: the ledger page by page, and manual adjustments (ledger reason
 * `adjust`, with the operator's reason as its note), applied like every other balance change (ledger.ts).
 */
import type { Kysely } from 'kysely';
import { AppError, invalidParams } from '../errors/index.js';
import type { Database } from '../storage/index.js';
import { changeBalance } from './ledger.js';

export interface LedgerEntry {
  readonly id: number;
  readonly deltaCents: number;
  readonly reason: string;
  readonly note: string;
  readonly orderId: number | null;
  readonly balanceAfterCents: number;
  readonly createdAt: number;
}

/** Longest reason an operator may give. */
export const ADJUST_NOTE_MAX = 255;
/** Largest single adjustment, either way: 100,000,000.00. */
export const ADJUST_MAX_CENTS = 10_000_000_000;

export class BalanceAdjustments {
  readonly #now: () => number;

  constructor(
    private readonly db: Kysely<Database>,
    options: { now?: () => number } = {},
  ) {
    this.#now = options.now ?? Date.now;
  }

  /**
   * Adds `deltaCents` (negative takes away) with a ledger row of reason `adjust`. Refuses a zero or oversized
   * change and an empty reason (TG_ERR_PARAM_INVALID), a missing user, and a balance that would go below zero
   * (TG_ERR_BALANCE_INSUFFICIENT); a refusal changes nothing.
   */
  async adjust(userId: number, deltaCents: number, note: string): Promise<LedgerEntry> {
    const reason = note.trim();
    if (!Number.isSafeInteger(deltaCents) || deltaCents === 0 || Math.abs(deltaCents) > ADJUST_MAX_CENTS) {
      throw invalidParams({ amount_cents: `a whole number of cents, not 0, at most ${ADJUST_MAX_CENTS} either way` });
    }
    if (reason === '' || reason.length > ADJUST_NOTE_MAX) throw invalidParams({ reason: `1 to ${ADJUST_NOTE_MAX} characters` });
    const now = this.#now();
    const { ledgerId, balanceAfterCents } = await this.db
      .transaction()
      .execute((trx) => changeBalance(trx, { userId, deltaCents, reason: 'adjust', note: reason, now }));
    return { id: ledgerId, deltaCents, reason: 'adjust', note: reason, orderId: null, balanceAfterCents, createdAt: now };
  }

  /** The user's ledger, newest first. */
  async ledger(userId: number, page: number, size: number): Promise<{ items: LedgerEntry[]; total: number }> {
    const exists = await this.db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
    if (!exists) throw new AppError('TG_ERR_USER_NOT_FOUND');
    const q = this.db.selectFrom('balance_ledger').where('user_id', '=', userId);
    const [rows, count] = await Promise.all([
      q
        .selectAll()
        .orderBy('id', 'desc')
        .limit(size)
        .offset((page - 1) * size)
        .execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return {
      items: rows.map((r) => ({
        id: Number(r.id),
        deltaCents: Number(r.delta_cents),
        reason: r.reason,
        note: r.note,
        orderId: r.order_id === null ? null : Number(r.order_id),
        balanceAfterCents: Number(r.balance_after_cents),
        createdAt: Number(r.created_at),
      })),
      total: Number(count.n),
    };
  }
}
