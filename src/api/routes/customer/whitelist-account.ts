import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { SubAccount, SubAccountsService } from '../../../accounts/index.js';
import { invalidParams } from '../../../errors/index.js';
import { DEFAULT_TYPE } from '../../../products/index.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/customer.js';
import type { TimeFormatter } from '../../../time/time-format.js';
import { customerOf } from './context.js';

export interface WhitelistAccountDeps {
  readonly subAccounts: SubAccountsService;
  readonly time: TimeFormatter;
}

/** A proxy account as `whitelist-account/list` shows it (the operator's views show the same). */
export function subAccountListItem(a: SubAccount, time: TimeFormatter) {
  return {
    id: a.id,
    username: a.username,
    password: a.password,
    created_at: time.format(a.createdAt),
    remark: a.remark,
    product_type: a.productType,
    usage_flow: Math.floor(a.usedBytes / 1024),
    limit_flow: a.limitGb,
    status: a.status,
    daily_limit: a.dailyLimitGb,
    udp: a.udp ? 1 : 0,
  };
}

/** Writes change the space's accounts: a team member needs manage_accounts. */
const write = { write: true, team: 'manage_accounts' } as const;

/** The documents' proxy-account endpoints (`whitelist-account/*`). */
export const whitelistAccountRoutes: FastifyPluginAsyncTypebox<WhitelistAccountDeps> = async (app, { subAccounts, time }) => {
  app.get('/whitelist-account/list', { schema: S.WhitelistList, config: { team: 'view' } }, async (request) => {
    const accounts = await subAccounts.list(customerOf(request).id, {
      productType: request.query.product_type,
      username: request.query.username,
    });
    return ok({ list: accounts.map((a) => subAccountListItem(a, time)) }, languageOf(request));
  });

  app.post('/whitelist-account/add', { schema: S.WhitelistAdd, config: write }, async (request) => {
    const { accounts, remark, product_type } = request.body;
    await subAccounts.add(customerOf(request).id, accounts, remark, product_type ?? DEFAULT_TYPE);
    return ok(null, languageOf(request));
  });

  app.post('/whitelist-account/delete', { schema: S.WhitelistDelete, config: write }, async (request) => {
    await subAccounts.remove(customerOf(request).id, request.body.accounts, request.body.product_type);
    return ok(null, languageOf(request));
  });

  app.post('/whitelist-account/disable', { schema: S.WhitelistDisable, config: write }, async (request) => {
    await subAccounts.setStatus(customerOf(request).id, request.body.accounts, false, request.body.product_type);
    return ok(null, languageOf(request));
  });

  app.post('/whitelist-account/enable', { schema: S.WhitelistEnable, config: write }, async (request) => {
    await subAccounts.setStatus(customerOf(request).id, request.body.accounts, true, request.body.product_type);
    return ok(null, languageOf(request));
  });

  app.post('/whitelist-account/change-password', { schema: S.WhitelistChangePassword, config: write }, async (request) => {
    const { account, password, product_type } = request.body;
    await subAccounts.changePassword(customerOf(request).id, account, password, product_type);
    return ok(null, languageOf(request));
  });

  app.post('/whitelist-account/change-remark', { schema: S.WhitelistChangeRemark, config: write }, async (request) => {
    const { account, remark, product_type } = request.body;
    await subAccounts.changeRemark(customerOf(request).id, account, remark, product_type);
    return ok(null, languageOf(request));
  });

  app.post('/whitelist-account/change-limit', { schema: S.WhitelistChangeLimit, config: write }, async (request) => {
    const { account, limit, product_type } = request.body;
    await subAccounts.changeLimit(customerOf(request).id, account, limit, product_type);
    return ok(null, languageOf(request));
  });

  // The newer release's one-call change (`proxy-account/change`): any field given changes, all or none.
  app.post('/proxy-account/change', { schema: S.ProxyAccountChange, config: write }, async (request) => {
    const b = request.body;
    const account = b.account ?? b.username;
    if (account === undefined) throw invalidParams({ account: 'required: the proxy account to change' });
    await subAccounts.change(
      customerOf(request).id,
      account,
      {
        password: b.password,
        remark: b.remark,
        limitGb: b.limit,
        dailyLimitGb: b.daily_limit,
        status: b.status,
        udp: b.udp,
      },
      b.product_type,
    );
    return ok(null, languageOf(request));
  });
};
