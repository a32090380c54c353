/** Orders: create (pricing, discounts, balance payment), close, list, and the expiry of unpaid orders. */
export { type CatalogueServices, orderCatalogue } from './catalogue-port.js';
export { ORDER_EXPIRY_INTERVAL_MS, OrderExpiry, type OrderExpiryOptions } from './expiry.js';
export { parseRegionList, parseUpids } from './order-input.js';
export { OrdersRepository } from './orders.repository.js';
export { OrdersService, type OrdersServiceDeps, type OrdersServiceOptions, toOrder } from './orders.service.js';
export {
  type CreatedOrder,
  type CreateOrderInput,
  type Order,
  ORDER_AMOUNT_MAX,
  ORDER_PAGE_SIZE_DEFAULT,
  ORDER_PAGE_SIZE_MAX,
  ORDER_TOTAL_MAX_CENTS,
  type OrderCatalogue,
  type OrderListFilter,
  type OrderPage,
  type OrderQuote,
  type PaidOrder,
  type PayCheck,
  REGIONS_MAX,
  RENEW_IDS_MAX,
} from './orders.types.js';
