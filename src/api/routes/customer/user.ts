import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { TokenService, User, UsersService } from '../../../accounts/index.js';
import { moneyNumber } from '../../../billing/money.js';
import { AppError } from '../../../errors/index.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/customer.js';
import { isoTime } from '../../../time/time-format.js';
import { customerOf } from './context.js';

export interface UserRoutesDeps {
  readonly users: UsersService;
  readonly tokens: TokenService;
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
  };
}

export const userRoutes: FastifyPluginAsyncTypebox<UserRoutesDeps> = async (app, { users, tokens }) => {
  app.get('/user/info', { schema: S.UserInfo }, async (request) => ok(userView(customerOf(request)), languageOf(request)));

  app.post('/auth/login', { schema: S.AuthLogin, config: { public: true } }, async (request) => {
    const user = await users.login(request.body.email, request.body.password);
    if (!user) throw new AppError('TG_ERR_AUTH_LOGIN_FAILED');
    if (user.status !== 1) throw new AppError('TG_ERR_AUTH_USER_DISABLED');
    const { token, expiresAt } = await tokens.issue(user.id, user.tokenVersion);
    return ok(
      { token, token_type: 'Bearer' as const, expires_in: tokens.ttlSeconds, expired_at: isoTime(expiresAt) },
      languageOf(request),
    );
  });
};
