/** Billing: products, payment methods, coupons, gift tiers, orders, the balance ledger, provisioning. */
export { ORDER_STATUS, type OrderDetails, orderDetails, type Provisioner, type ProvisionerRegistry } from './billing.types.js';
export { type BalanceChange, changeBalance, type LedgerReason, ledgerSum } from './ledger.js';
export { ADJUST_MAX_CENTS, ADJUST_NOTE_MAX, BalanceAdjustments, type LedgerEntry } from './balance-adjust.js';
export { applyBasisPoints, moneyNumber, moneyText, parseMoney } from './money.js';
export { refundOrder, settleOrder } from './settle.js';
