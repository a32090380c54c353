import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { moneyNumber } from '../../../billing/money.js';
import type { Static } from '@sinclair/typebox';
import type { CreateOrderInput, Order, OrdersService } from '../../../billing/orders/index.js';
import { invalidParams } from '../../../errors/index.js';
import type { TimeFormatter } from '../../../time/time-format.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/order.js';
import { customerOf } from './context.js';

export interface OrderRoutesDeps {
  readonly orders: OrdersService;
  readonly time: TimeFormatter;
}

/** The dashboard's pay_method for the balance. */
export const PAY_METHOD_BALANCE = 7;

/** One order in full, as order/info (customer API and /web_v1) and pay answer it. */
export function orderDetailView(o: Order, time: TimeFormatter) {
  return {
    id: o.id,
    trade_no: o.tradeNo,
    title: o.productName,
    product_id: o.productId,
    product_type: o.productType,
    amount: o.amount,
    total_fee: moneyNumber(o.totalFeeCents),
    discount: moneyNumber(o.discountCents),
    pay_fee: moneyNumber(o.payFeeCents),
    pm_id: o.pmId,
    status: o.status,
    created_at: time.format(o.createdAt),
    expired_at: time.format(o.expiresAt),
    pay_at: o.paidAt === null ? '' : time.format(o.paidAt),
  };
}

/** order/create's and order/check's body, as the order flow takes it. */
function orderInput(b: Static<typeof S.OrderCreate.body>): CreateOrderInput {
  return {
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
    durationSkuId: b.product_sku_duration_id,
    etd: b.etd,
    rechargeAmount: b.recharge_amount,
  };
}

/**
 * The documents' order endpoints (`order/create`, `order/close`, `order/list`) and the newer release's
 * (`order/check`, `order/info`, `pay/pay-check`, `pay`).
 */
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
    const { order, payUrl } = await orders.create(customerOf(request).id, orderInput(request.body));
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
      startTime: q.start_time,
      endTime: q.end_time,
      invoice: q.invoice,
      payFeeStatus: q.pay_fee_status,
    });
    return ok(
      {
        list: items.map(view),
        pagination: { total, page_no: page, page_size: size, total_pages: Math.ceil(total / size) },
      },
      languageOf(request),
    );
  });

  // Read-only: any member may price an order in the team (creating it needs `pay`).
  app.post('/order/check', { schema: S.OrderCheck, config: { team: 'view' } }, async (request) => {
    const q = await orders.check(customerOf(request).id, orderInput(request.body));
    return ok(
      {
        pid: q.product.id,
        product_name: q.product.title,
        product_type: q.product.productType,
        pm_id: q.method.id,
        amount: q.amount,
        total_fee: moneyNumber(q.totalFeeCents),
        coupon_discount: moneyNumber(q.couponCents),
        invitation_discount: moneyNumber(q.inviteCents),
        discount: moneyNumber(q.discountCents),
        pay_fee: moneyNumber(q.payFeeCents),
      },
      languageOf(request),
    );
  });

  app.get('/order/info', { schema: S.OrderInfo, config: { team: 'view_billing' } }, async (request) =>
    ok(orderDetailView(await orders.byTradeNo(customerOf(request).id, request.query.trade_no), time), languageOf(request)),
  );

  /** `pay_method: 7` names the balance whatever `pm_id` is; otherwise `pm_id`, or the order's own method. */
  const chosenMethod = async (body: { pm_id?: number | undefined; pay_method?: number | undefined }) => {
    if (body.pay_method === undefined) return body.pm_id;
    if (body.pay_method !== PAY_METHOD_BALANCE) {
      throw invalidParams({ pay_method: `only ${PAY_METHOD_BALANCE} (the balance); other methods are named by pm_id` });
    }
    return (await orders.balanceMethod()).id;
  };

  app.post('/pay/pay-check', { schema: S.PayCheck, config: { team: 'pay' } }, async (request) => {
    const b = request.body;
    const c = await orders.payCheck(customerOf(request).id, b.trade_no, await chosenMethod(b));
    return ok(
      {
        trade_no: c.order.tradeNo,
        title: c.order.productName,
        pay_fee: moneyNumber(c.order.payFeeCents),
        pm_id: c.method.id,
        method: c.method.title,
        kind: c.method.kind,
        ...(c.balanceCents !== undefined ? { balance: moneyNumber(c.balanceCents) } : {}),
        payable: c.payable,
      },
      languageOf(request),
    );
  });

  app.post('/pay', { schema: S.Pay, config: { write: true, team: 'pay' } }, async (request) => {
    const b = request.body;
    const { order, payUrl } = await orders.pay(customerOf(request).id, b.trade_no, await chosenMethod(b));
    return ok({ ...orderDetailView(order, time), ...(payUrl !== undefined ? { pay_url: payUrl } : {}) }, languageOf(request));
  });
};
