import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { adminOrderView, type PaymentsService } from '../../../billing/payments/index.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/payments.js';

export interface AdminOrderRoutesDeps {
  readonly payments: PaymentsService;
}

/** Orders for the operator: list, confirm a manual payment, refund. */
export const adminOrderRoutes: FastifyPluginAsyncTypebox<AdminOrderRoutesDeps> = async (app, { payments }) => {
  app.get('/orders', { schema: S.AdminListOrders }, async (request) => {
    const q = request.query;
    const { items, total, page, size } = await payments.listOrders({
      userId: q.user_id,
      status: q.status,
      tradeNo: q.trade_no,
      page: q.page,
      size: q.size,
    });
    return ok(
      { list: items.map(adminOrderView), page, page_size: size, total_count: total, total_page: Math.ceil(total / size) },
      languageOf(request),
    );
  });

  app.post('/orders/:id/mark-paid', { schema: S.AdminMarkOrderPaid }, async (request) =>
    ok(adminOrderView(await payments.markPaid(request.params.id)), languageOf(request)),
  );

  app.post('/orders/:id/refund', { schema: S.AdminRefundOrder }, async (request) =>
    ok(adminOrderView(await payments.refund(request.params.id)), languageOf(request)),
  );
};
