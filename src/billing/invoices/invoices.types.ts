/**
 * Invoices: customers keep invoice profiles (whom an invoice is made out to) and request an invoice for paid
 * orders; the operator issues it (a number, a PDF) or rejects it. Money is integer cents.
 *
 * Which orders can be invoiced: paid ones (status 1) with something paid (pay_fee > 0) by a method other than
 * the balance. An order paid from the balance spent money that came in as a top-up (type 3) or a make-up
 * payment (26), and those orders are invoiceable themselves: invoicing both would invoice the money twice.
 * Gifts (recharge bonus) were never paid, so they are on no invoice. An order is on one invoice that counts
 * (requested or issued) at most; a rejected, cancelled or voided invoice gives its orders back.
 */

export const INVOICE_STATUS = { REQUESTED: 0, ISSUED: 1, REJECTED: 2, CANCELLED: 3, VOIDED: 4 } as const;
export const INVOICE_STATUS_NAMES = ['requested', 'issued', 'rejected', 'cancelled', 'voided'] as const;

export const INVOICE_KINDS = ['personal', 'company'] as const;
export type InvoiceKind = (typeof INVOICE_KINDS)[number];

export const INVOICE_PROFILES_MAX = 20;
export const INVOICE_ORDERS_MAX = 100;
export const INVOICE_TITLE_MAX = 200;
export const INVOICE_TAX_NO_MAX = 64;
export const INVOICE_ADDRESS_MAX = 500;
export const INVOICE_REMARK_MAX = 255;
export const INVOICE_NUMBER_MAX = 64;
export const INVOICE_PAGE_SIZE_MAX = 100;

export interface InvoiceProfile {
  readonly id: number;
  readonly kind: InvoiceKind;
  readonly title: string;
  readonly taxNo: string;
  readonly email: string;
  readonly address: string;
  readonly remark: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A profile as written; the service checks every field. */
export interface InvoiceProfileInput {
  readonly kind: string;
  readonly title: string;
  readonly taxNo?: string | undefined;
  readonly email?: string | undefined;
  readonly address?: string | undefined;
  readonly remark?: string | undefined;
}

/** An order an invoice covers (or could cover). */
export interface InvoiceableOrder {
  readonly orderId: number;
  readonly tradeNo: string;
  readonly productName: string;
  readonly productType: number;
  readonly amountCents: number;
  readonly paidAt: number;
}

export interface Invoice {
  readonly id: number;
  readonly userId: number;
  readonly kind: string;
  readonly title: string;
  readonly taxNo: string;
  readonly email: string;
  readonly address: string;
  readonly remark: string;
  readonly amountCents: number;
  /** 0 requested, 1 issued, 2 rejected, 3 cancelled, 4 voided. */
  readonly status: number;
  readonly number: string | null;
  readonly reason: string;
  readonly createdAt: number;
  readonly issuedAt: number | null;
  readonly closedAt: number | null;
  /** What it covers; empty once rejected, cancelled or voided (the orders were given back). */
  readonly orders: readonly InvoiceableOrder[];
}

export interface InvoiceStatistics {
  /** Paid orders on no invoice yet. */
  readonly invoiceableCents: number;
  /** On issued invoices. */
  readonly invoicedCents: number;
  /** On requested invoices the operator has not issued yet. */
  readonly processingCents: number;
}

export interface InvoicePage<T> {
  readonly items: readonly T[];
  readonly total: number;
  readonly page: number;
  readonly size: number;
}
