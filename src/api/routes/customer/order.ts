import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { moneyNumber } from '../../../billing/money.js';
import type { Order, OrdersService } from '../../../billing/orders/index.js';
import type { TimeFormatter } from '../../../time/time-format.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/order.js';
import { customerOf } from './context.js';

export interface OrderRoutesDeps {
  readonly orders: OrdersService;
  readonly time: TimeFormatter;
}

/** The documents' order endpoints: `order/create`, `order/close`, `order/list`. */
export const orderRoutes: FastifyPluginAsyncTypebox<OrderRoutesDeps> = async (app, { orders, time }) => {
  const view = (o: Order) => ({
    id: o.id,
    trade_no: o.tradeNo,
    product_id: o.productId,
    product_name: o.productName,
    total_fee: moneyNumber(o.totalFeeCents),
    pay_fee: moneyNumber(o.payFeeCents),
    status: o.status,
    created_at: time.format(o.createdAt),
  });

  app.post('/order/create', { schema: S.OrderCreate, config: { write: true, team: 'pay' } }, async (request) => {
    const b = request.body;
    const { order, payUrl } = await orders.create(customerOf(request).id, {
      pid: b.pid,
      pmId: b.pm_id,
      amount: b.amount,
      couponSn: b.coupon_sn,
      useInvitationDiscount: S.flagValue(b.use_invitation_registration_discount),
      regionList: b.region_list,
      upids: b.upids,
      renewDuration: b.renew_duration,
      bandwidthSkuId: b.product_sku_bandwidth_id,
      concurrencySkuId: b.product_sku_concurrency_id,
      rechargeAmount: b.recharge_amount,
    });
    return ok({ ...view(order), ...(payUrl !== undefined ? { pay_url: payUrl } : {}) }, languageOf(request));
  });

  app.post('/order/close', { schema: S.OrderClose, config: { write: true, team: 'pay' } }, async (request) => {
    await orders.close(customerOf(request).id, request.body.trade_no);
    return ok(null, languageOf(request));
  });

  app.get('/order/list', { schema: S.OrderList, config: { team: 'view_billing' } }, async (request) => {
    const q = request.query;
    const { items, total, page, size } = await orders.list(customerOf(request).id, {
      page: q.page_no,
      size: q.page_size,
      tradeNo: q.trade_no,
      status: q.status,
      productType: q.product_type,
    });
    return ok(
      {
        list: items.map(view),
        pagination: { total, page_no: page, page_size: size, total_pages: Math.ceil(total / size) },
      },
      languageOf(request),
    );
  });
};
