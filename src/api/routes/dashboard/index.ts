/**
 * The newer release's dashboard API, mounted once at /web_v1: `Authorization: Bearer <access_token>` from its
 * user/login (the same login tokens as auth/login), never app_key. Answers are HTTP 200 with the code in the
 * envelope, as on the customer API; `team_id` works as there (plugins/team-scope.ts).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { maskEmail, type SecondFactorsService, type TokenService, type User } from '../../../accounts/index.js';
import type { Order, OrdersService } from '../../../billing/orders/index.js';
import { AppError, invalidParams } from '../../../errors/index.js';
import type { ExtractionService } from '../../../extraction/index.js';
import type { TeamsService } from '../../../teams/index.js';
import { isRefused } from '../../../throttle/index.js';
import type { TimeFormatter } from '../../../time/time-format.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import { bearerOf, checkCaller, dropEmptyFields, mergeQueryIntoBody, userOfToken } from '../../plugins/customer-auth.js';
import { documentSurface } from '../../plugins/documentation.js';
import { registerErrorHandling } from '../../plugins/errors.js';
import type { KeyRateLimiter } from '../../plugins/key-rate-limit.js';
import { applyTeamScope, callerOf, captureTeamId, registerTeamScope } from '../../plugins/team-scope.js';
import * as S from '../../schemas/dashboard.js';
import { ExtractIp } from '../../schemas/extraction.js';
import { customerOf } from '../customer/context.js';
import { orderDetailView, PAY_METHOD_BALANCE } from '../customer/order.js';
import { extractHandler } from '../customer/extraction.js';
import { userInfoView } from '../customer/user.js';
import { type SignInDeps, signIn, throttled } from '../sign-in.js';

/** Where the dashboard API is mounted (the newer release's path; not a brand prefix). */
export const DASHBOARD_PREFIX = '/web_v1';

export { PAY_METHOD_BALANCE };

export interface DashboardApiDeps extends SignInDeps {
  readonly bodyLimit: number;
  readonly tokens: TokenService;
  readonly teams: TeamsService;
  readonly orders: OrdersService;
  readonly extraction: ExtractionService;
  readonly secondFactors: SecondFactorsService;
  readonly keyLimiter: KeyRateLimiter;
  readonly requireRealName: boolean;
  readonly time: TimeFormatter;
}

export const dashboardApi: FastifyPluginAsyncTypebox<DashboardApiDeps> = async (app, deps) => {
  const { tokens, orders, secondFactors, time, codeGuard } = deps;
  registerErrorHandling(app, { bodyLimit: deps.bodyLimit, alwaysHttp200: true });
  documentSurface(app, { security: [{ bearer: [] }] });
  app.decorateRequest('customer', null);
  registerTeamScope(app);
  app.addHook('preValidation', mergeQueryIntoBody);
  app.addHook('preValidation', captureTeamId);
  app.addHook('preValidation', dropEmptyFields);
  app.addHook('preValidation', async (request: FastifyRequest) => {
    const config = request.routeOptions.config as { public?: boolean };
    if (config.public || request.is404) return;
    const token = bearerOf(request);
    const user = token === undefined ? undefined : await userOfToken(deps, token);
    if (!user) throw new AppError('TG_ERR_AUTH_TOKEN_INVALID');
    checkCaller(request, deps, user);
    await applyTeamScope(request, deps, user, null);
  });

  const orderView = (o: Order) => orderDetailView(o, time);

  app.post('/user/login', { schema: S.DashboardLogin, config: { public: true, team: false } }, async (request) => {
    const b = request.body;
    // The newer release's phone sign-in sends a phone, its country calling code and `ted`.
    if (b.phone !== undefined || b.ted !== undefined) throw new AppError('TG_ERR_AUTH_PHONE_LOGIN_UNSUPPORTED');
    const type = b.type ?? (b.username !== undefined && b.email === undefined ? 2 : 1);
    const name = type === 1 ? b.email : b.username;
    if (name === undefined)
      throw invalidParams(type === 1 ? { email: 'is required with type 1' } : { username: 'is required with type 2' });
    const user = await signIn(deps, request, {
      identity: type === 1 ? { email: name } : { username: name },
      password: b.password,
      verifyType: b.verify_type,
      verifyCode: b.verify_code,
    });
    const { token, expiresAt } = await tokens.issue(user.id, user.tokenVersion);
    return ok(
      {
        access_token: token,
        token_type: 'Bearer' as const,
        expires_in: tokens.ttlSeconds,
        expired_at: new Date(expiresAt).toISOString(),
      },
      languageOf(request),
    );
  });

  app.get('/user/info', { schema: S.DashboardUserInfo, config: { team: false } }, async (request) =>
    ok(await userInfoView(customerOf(request), orders), languageOf(request)),
  );

  app.post('/order/info', { schema: S.DashboardOrderInfo, config: { team: 'view_billing' } }, async (request) =>
    ok(orderView(await orders.byTradeNo(customerOf(request).id, request.body.trade_no)), languageOf(request)),
  );

  app.post('/pay', { schema: S.DashboardPay, config: { write: true, team: 'pay' } }, async (request) => {
    if (request.body.pay_method !== PAY_METHOD_BALANCE) {
      throw invalidParams({
        pay_method: `only ${PAY_METHOD_BALANCE} (the balance) is paid here; other methods pay at order/create's pay_url`,
      });
    }
    return ok(orderView(await orders.payFromBalance(customerOf(request).id, request.body.trade_no)), languageOf(request));
  });

  app.get(
    '/ip/get-ip-v3',
    { schema: ExtractIp, config: { team: 'manage_accounts', changes: true } },
    extractHandler(deps.extraction),
  );

  // Second factors: the caller's own, never a team's.
  const own = { team: false } as const;
  const status = async (user: User) => {
    const s = await secondFactors.status(user.id);
    const { types } = await secondFactors.required(user.id);
    return { verify_type: types, totp: s.totp, email: s.email, email_available: s.emailAvailable };
  };
  /** A code checked outside sign-in is budgeted like one inside it (per user, TOLLGATE_LOGIN_FAIL_PER_EMAIL). */
  const guarded = async (user: User, check: () => Promise<void>) => {
    const attempt = codeGuard.begin(`u${user.id}`);
    if (isRefused(attempt)) throw throttled(attempt.retryAfterSeconds);
    let failed = true;
    try {
      await check();
      failed = false;
    } catch (err) {
      failed = err instanceof AppError && err.key === 'TG_ERR_AUTH_VERIFY_CODE_INVALID';
      throw err;
    } finally {
      attempt.settle(failed);
    }
  };

  app.get('/user/mfa', { schema: S.MfaStatus, config: own }, async (request) =>
    ok(await status(callerOf(request)), languageOf(request)),
  );

  app.post('/user/mfa/totp/setup', { schema: S.MfaTotpSetup, config: own }, async (request) => {
    const { secret, uri } = await secondFactors.beginTotp(callerOf(request));
    return ok({ secret, otpauth_url: uri }, languageOf(request));
  });

  app.post('/user/mfa/totp/enable', { schema: S.MfaTotpEnable, config: own }, async (request) => {
    const user = callerOf(request);
    await guarded(user, () => secondFactors.confirmTotp(user.id, request.body.verify_code));
    return ok(await status(user), languageOf(request));
  });

  app.post('/user/mfa/email/send', { schema: S.MfaEmailSend, config: own }, async (request) => {
    const user = callerOf(request);
    const sent = await secondFactors.sendEmailCode(user, request.body.purpose, languageOf(request));
    if (!sent.sent) {
      throw new AppError('TG_ERR_MFA_CODE_RECENTLY_SENT', {
        params: { after: `${sent.retryAfterSeconds}s`, seconds: sent.retryAfterSeconds },
      });
    }
    return ok({ email: maskEmail(user.email), expires_in: 600 }, languageOf(request));
  });

  app.post('/user/mfa/email/enable', { schema: S.MfaEmailEnable, config: own }, async (request) => {
    const user = callerOf(request);
    await guarded(user, () => secondFactors.enableEmail(user.id, request.body.verify_code));
    return ok(await status(user), languageOf(request));
  });

  app.post('/user/mfa/disable', { schema: S.MfaDisable, config: own }, async (request) => {
    const user = callerOf(request);
    const type = request.body.verify_type;
    if (type !== 'totp' && type !== 'email') throw new AppError('TG_ERR_AUTH_VERIFY_TYPE_UNAVAILABLE', { params: { type } });
    await guarded(user, () => secondFactors.disable(user.id, type, request.body.verify_code));
    return ok(await status(user), languageOf(request));
  });
};
