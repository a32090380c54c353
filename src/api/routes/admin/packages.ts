import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { UsersService } from '../../../accounts/index.js';
import { invalidParams } from '../../../errors/index.js';
import { type PackagesService, packageView } from '../../../packages/index.js';
import { productKind } from '../../../products/index.js';
import type { TimeFormatter } from '../../../time/time-format.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/packages.js';

export interface AdminPackageRoutesDeps {
  readonly packages: PackagesService;
  readonly users: UsersService;
  readonly time: TimeFormatter;
}

const GB = 1024 ** 3;

/** Reads `starts_at`: ISO 8601 with a zone, or Y-m-d H:i:s in the platform time zone. */
function parseStart(text: string, time: TimeFormatter): number | undefined {
  if (/[Tt].*([Zz]|[+-]\d{2}:?\d{2})$/.test(text.trim())) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return time.parse(text);
}

/** Operator grants: give a user a package, list a user's packages, withdraw one. */
export const adminPackageRoutes: FastifyPluginAsyncTypebox<AdminPackageRoutesDeps> = async (app, { packages, users, time }) => {
  app.post('/users/:id/packages', { schema: S.AdminGrantPackage }, async (request) => {
    const b = request.body;
    const traffic = productKind(b.product_type)?.provisions === 'traffic-package';
    if (b.gb !== undefined && b.kb !== undefined) throw invalidParams({ gb: 'give the size as gb or as kb, not both' });
    if (traffic && b.gb === undefined && b.kb === undefined) throw invalidParams({ gb: 'give the size as gb or as kb' });
    const totalBytes = b.gb !== undefined ? Math.round(b.gb * GB) : b.kb !== undefined ? b.kb * 1024 : undefined;
    let startsAt: number | undefined;
    if (b.starts_at !== undefined) {
      startsAt = parseStart(b.starts_at, time);
      if (startsAt === undefined) throw invalidParams({ starts_at: 'ISO 8601 with a zone, or Y-m-d H:i:s' });
    }
    const pkg = await packages.grant({
      userId: request.params.id,
      productType: b.product_type,
      totalBytes,
      bandwidthMbps: b.bandwidth_mbps,
      concurrency: b.concurrency,
      days: b.days,
      startsAt,
      tradeNo: b.trade_no,
      title: b.title,
    });
    return ok(packageView(pkg), languageOf(request));
  });

  app.get('/users/:id/packages', { schema: S.AdminListPackages }, async (request) => {
    const user = await users.get(request.params.id);
    const q = request.query;
    const { items, total, page, size } = await packages.list(user.id, {
      page: q.page,
      size: q.size,
      productType: q.product_type,
      tradeNo: q.trade_no,
      includeWithdrawn: true,
    });
    return ok(
      { list: items.map(packageView), page, page_size: size, total_count: total, total_page: Math.ceil(total / size) },
      languageOf(request),
    );
  });

  app.delete('/packages/:id', { schema: S.AdminRevokePackage }, async (request) =>
    ok(packageView(await packages.revoke(request.params.id)), languageOf(request)),
  );
};
