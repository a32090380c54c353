import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { normalizeEmail, type TokenService, type User, type UsersService } from '../../../accounts/index.js';
import { moneyNumber } from '../../../billing/money.js';
import { AppError } from '../../../errors/index.js';
import { type AttemptGuard, isRefused } from '../../../throttle/index.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/customer.js';
import { isoTime } from '../../../time/time-format.js';
import { customerOf } from './context.js';

export interface UserRoutesDeps {
  readonly users: UsersService;
  readonly tokens: TokenService;
  /** auth/login failure budgets, per email and per client address (TOLLGATE_LOGIN_*). */
  readonly loginGuard: AttemptGuard;
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

export const userRoutes: FastifyPluginAsyncTypebox<UserRoutesDeps> = async (app, { users, tokens, loginGuard }) => {
  app.get('/user/info', { schema: S.UserInfo }, async (request) => ok(userView(customerOf(request)), languageOf(request)));

  app.post('/auth/login', { schema: S.AuthLogin, config: { public: true } }, async (request) => {
    // Reserved before the password is hashed, so concurrent guesses cannot outrun the budgets.
    const attempt = loginGuard.begin(request.ip, normalizeEmail(request.body.email));
    if (isRefused(attempt)) throw throttled(attempt.retryAfterSeconds);
    let user: User | undefined;
    try {
      user = await users.login(request.body.email, request.body.password);
    } catch (err) {
      // No answer about the password: the attempt is given back.
      attempt.settle(false);
      throw err;
    }
    attempt.settle(!user);
    if (!user) throw new AppError('TG_ERR_AUTH_LOGIN_FAILED');
    if (user.status !== 1) throw new AppError('TG_ERR_AUTH_USER_DISABLED');
    const { token, expiresAt } = await tokens.issue(user.id, user.tokenVersion);
    return ok(
      { token, token_type: 'Bearer' as const, expires_in: tokens.ttlSeconds, expired_at: isoTime(expiresAt) },
      languageOf(request),
    );
  });
};

/** TG_ERR_AUTH_THROTTLED with its retry time (sent as Retry-After too). */
export function throttled(seconds: number): AppError {
  return new AppError('TG_ERR_AUTH_THROTTLED', { params: { after: `${seconds}s`, seconds } });
}
