import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { SubAccountsService, UsersService } from '../../../accounts/index.js';
import type { TimeFormatter } from '../../../time/time-format.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/admin.js';
import { subAccountListItem } from '../customer/whitelist-account.js';

export interface AdminSubAccountRoutesDeps {
  readonly subAccounts: SubAccountsService;
  readonly users: UsersService;
  readonly time: TimeFormatter;
}

/** A user's proxy accounts, and the one change call the customer has (`proxy-account/change`) for the operator. */
export const adminSubAccountRoutes: FastifyPluginAsyncTypebox<AdminSubAccountRoutesDeps> = async (
  app,
  { subAccounts, users, time },
) => {
  app.get('/users/:id/sub-accounts', { schema: S.AdminListSubAccounts }, async (request) => {
    const user = await users.get(request.params.id);
    const list = await subAccounts.list(user.id, { productType: request.query.product_type });
    return ok({ list: list.map((a) => subAccountListItem(a, time)) }, languageOf(request));
  });

  app.patch('/users/:id/sub-accounts/:account', { schema: S.AdminChangeSubAccount }, async (request) => {
    const user = await users.get(request.params.id);
    const b = request.body;
    await subAccounts.change(
      user.id,
      request.params.account,
      { password: b.password, remark: b.remark, limitGb: b.limit, dailyLimitGb: b.daily_limit, status: b.status, udp: b.udp },
      b.product_type,
    );
    const [changed] = await subAccounts.list(user.id, { username: request.params.account, productType: b.product_type });
    return ok(changed ? subAccountListItem(changed, time) : null, languageOf(request));
  });
};
