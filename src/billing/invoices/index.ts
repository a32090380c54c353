/** Invoices: profiles, requests for paid orders, the operator issuing them with a PDF. */
export { latin1, renderInvoicePdf } from './invoice-pdf.js';
export { adminInvoiceView } from './invoice-view.js';
export { InvoicesRepository } from './invoices.repository.js';
export { InvoicesService, type InvoicesServiceOptions } from './invoices.service.js';
export {
  type Invoice,
  INVOICE_KINDS,
  INVOICE_NUMBER_MAX,
  INVOICE_ORDERS_MAX,
  INVOICE_PAGE_SIZE_MAX,
  INVOICE_PROFILES_MAX,
  INVOICE_STATUS,
  INVOICE_STATUS_NAMES,
  type InvoiceableOrder,
  type InvoiceKind,
  type InvoicePage,
  type InvoiceProfile,
  type InvoiceProfileInput,
  type InvoiceStatistics,
} from './invoices.types.js';
