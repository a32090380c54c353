import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type PackagesService, shownUsedBytes, toKb, type TrafficPackage } from '../../../packages/index.js';
import type { TimeFormatter } from '../../../time/time-format.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/packages.js';
import { customerOf } from './context.js';

export interface UserProductDeps {
  readonly packages: PackagesService;
  readonly time: TimeFormatter;
}

/** A package as user-product/list (and team/assets) lists it. */
export function packageView(time: TimeFormatter) {
  const orderTime = (ms: number | null) => (ms === null ? '' : time.format(ms));
  return (p: TrafficPackage) => ({
    id: p.id,
    created_at: time.format(p.startsAt),
    expired_at: time.format(p.expiresAt),
    product_type: p.productType,
    trade_no: p.tradeNo,
    total: toKb(p.totalBytes),
    used: toKb(shownUsedBytes(p)),
    bandwidth_mbps: p.bandwidthMbps,
    concurrency: p.concurrency,
    order: { created_at: orderTime(p.orderCreatedAt), pay_at: orderTime(p.orderPayAt), title: p.title },
  });
}

/** The documents' package endpoints (`user-product/list`, `user-product/summary`). */
export const userProductRoutes: FastifyPluginAsyncTypebox<UserProductDeps> = async (app, { packages, time }) => {
  const item = packageView(time);

  app.get('/user-product/list', { schema: S.UserProductList, config: { team: 'view' } }, async (request) => {
    const q = request.query;
    const { items, total, page, size } = await packages.list(customerOf(request).id, {
      tradeNo: q.trade_no,
      productType: q.product_type,
      page: q.page,
      size: q.size,
    });
    return ok(
      { list: items.map(item), page, page_size: size, total_count: total, total_page: Math.ceil(total / size) },
      languageOf(request),
    );
  });

  app.get('/user-product/summary', { schema: S.UserProductSummary, config: { team: 'view' } }, async (request) =>
    ok(await packages.summary(customerOf(request).id, request.query.product_type), languageOf(request)),
  );
};
