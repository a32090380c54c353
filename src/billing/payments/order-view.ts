import type { OrderRow } from '../../storage/index.js';
import { orderDetails } from '../billing.types.js';
import { moneyNumber } from '../money.js';

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(Number(ms)).toISOString();
}

/** An order as the operator sees it (admin API and `tollgate orders list --json`). */
export function adminOrderView(o: OrderRow) {
  return {
    id: Number(o.id),
    trade_no: o.trade_no,
    user_id: Number(o.user_id),
    product_id: Number(o.product_id),
    product_type: o.product_type,
    product_name: o.product_name,
    amount: o.amount,
    total_fee: moneyNumber(Number(o.total_fee_cents)),
    discount: moneyNumber(Number(o.discount_cents)),
    pay_fee: moneyNumber(Number(o.pay_fee_cents)),
    coupon_id: o.coupon_id === null ? null : Number(o.coupon_id),
    pm_id: Number(o.pm_id),
    status: o.status,
    details: orderDetails(o) as Record<string, unknown>,
    created_at: iso(Number(o.created_at))!,
    expires_at: iso(Number(o.expires_at))!,
    paid_at: iso(o.paid_at),
    closed_at: iso(o.closed_at),
    refunded_at: iso(o.refunded_at),
  };
}
