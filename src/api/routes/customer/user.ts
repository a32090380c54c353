import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { TokenService, User } from '../../../accounts/index.js';
import { moneyNumber } from '../../../billing/money.js';
import type { OrdersService } from '../../../billing/orders/index.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/customer.js';
import { isoTime } from '../../../time/time-format.js';
import { type SignInDeps, signIn } from '../sign-in.js';
import { customerOf } from './context.js';

export { throttled } from '../sign-in.js';

export interface UserRoutesDeps extends SignInDeps {
  readonly tokens: TokenService;
  /** For total_recharge_fee. */
  readonly orders: OrdersService;
}

/** The documents' User, as user/info and the admin API show it. */
export function userView(user: User) {
  return {
    id: user.id,
    email: user.email,
    phone: user.phone,
    balance: moneyNumber(user.balanceCents),
    status: user.status,
    is_real_name: user.isRealName,
    created_at: isoTime(user.createdAt),
    openid: user.openid,
    username: user.username ?? '',
  };
}

/** user/info (customer API and dashboard): the caller, with what they recharged in all. */
export async function userInfoView(user: User, orders: OrdersService) {
  return { ...userView(user), total_recharge_fee: moneyNumber(await orders.totalRechargeCents(user.id)) };
}

export const userRoutes: FastifyPluginAsyncTypebox<UserRoutesDeps> = async (app, deps) => {
  const { tokens, orders } = deps;
  // The caller's own account: never a team's (team/detail and team/wallet/detail show a team).
  app.get('/user/info', { schema: S.UserInfo, config: { team: false } }, async (request) =>
    ok(await userInfoView(customerOf(request), orders), languageOf(request)),
  );

  app.post('/auth/login', { schema: S.AuthLogin, config: { public: true, team: false } }, async (request) => {
    const b = request.body;
    const user = await signIn(deps, request, {
      identity: { email: b.email },
      password: b.password,
      verifyType: b.verify_type,
      verifyCode: b.verify_code,
    });
    const { token, expiresAt } = await tokens.issue(user.id, user.tokenVersion);
    return ok(
      { token, token_type: 'Bearer' as const, expires_in: tokens.ttlSeconds, expired_at: isoTime(expiresAt) },
      languageOf(request),
    );
  });
};
