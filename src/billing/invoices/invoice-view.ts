import { isoTime } from '../../time/time-format.js';
import { moneyNumber } from '../money.js';
import type { Invoice } from './invoices.types.js';

/** An invoice as the operator sees it (admin API and `tollgate invoices … --json`). */
export function adminInvoiceView(i: Invoice) {
  return {
    id: i.id,
    user_id: i.userId,
    number: i.number,
    status: i.status,
    kind: i.kind,
    title: i.title,
    tax_no: i.taxNo,
    email: i.email,
    address: i.address,
    remark: i.remark,
    amount: moneyNumber(i.amountCents),
    reason: i.reason,
    orders: i.orders.map((o) => ({
      trade_no: o.tradeNo,
      product_name: o.productName,
      amount: moneyNumber(o.amountCents),
      paid_at: isoTime(o.paidAt),
    })),
    created_at: isoTime(i.createdAt),
    issued_at: i.issuedAt === null ? null : isoTime(i.issuedAt),
    closed_at: i.closedAt === null ? null : isoTime(i.closedAt),
  };
}
