/** Payments: signed webhooks from external methods, manual mark-paid, refunds, the operator's order list. */
export type { PaymentMethodInfo, PaymentMethodSource } from './methods.js';
export { adminOrderView } from './order-view.js';
export {
  ORDER_PAGE_SIZE_MAX,
  type OrderFilter,
  type OrderPage,
  type OrderProvision,
  parseWebhookPayload,
  type PaymentsLogger,
  PaymentsService,
  type PaymentsServiceOptions,
  type WebhookOutcome,
  type WebhookResult,
} from './payments.service.js';
export { SIGNATURE_HEADER, sha256Hex, signWebhook, verifyWebhookSignature } from './signature.js';
