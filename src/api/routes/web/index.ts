/**
 * The portal's own routes, under /web: sign-in (a cookie session), sign-out, self sign-up, the session's view
 * of the platform, and the usage series of the overview chart. Everything else the portal shows comes from the
 * customer API itself, which accepts the session cookie where it accepts app_key or Bearer.
 *
 * Answers are HTTP 200 with the code in the envelope, as on the customer API. Sign-in and sign-up need the
 * `X-CSRF-Token` header equal to the `tg_csrf` cookie GET /web/session gives; calls with a session need the
 * session's own CSRF token.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  csrfMatches,
  csrfTokenOf,
  newCsrfToken,
  type SecondFactorsService,
  type User,
  type UsersService,
  type WebSessionsService,
} from '../../../accounts/index.js';
import { AppError, invalidParams } from '../../../errors/index.js';
import type { ProductsService } from '../../../billing/catalogue/index.js';
import { productView } from '../../../billing/catalogue/catalogue-view.js';
import type { AuditService } from '../../../audit/index.js';
import type { TeamsService } from '../../../teams/index.js';
import type { AttemptGuard } from '../../../throttle/index.js';
import { bucketSeries, isTimeZone, seriesFrom, type UsageService } from '../../../usage/index.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import { dropEmptyFields, userOfSession } from '../../plugins/customer-auth.js';
import { applyTeamScope, captureTeamId, registerTeamScope } from '../../plugins/team-scope.js';
import { customerOf } from '../customer/context.js';
import { documentSurface } from '../../plugins/documentation.js';
import { registerErrorHandling } from '../../plugins/errors.js';
import * as S from '../../schemas/web.js';
import { signIn } from '../sign-in.js';
import {
  clearSessionCookies,
  csrfCookieOf,
  csrfHeaderOf,
  sessionTokenOf,
  setCsrfCookie,
  setSessionCookies,
} from '../../web/cookies.js';

export const WEB_PREFIX = '/web';

export interface WebRoutesDeps {
  readonly bodyLimit: number;
  readonly users: UsersService;
  readonly secondFactors: SecondFactorsService;
  readonly webSessions: WebSessionsService;
  readonly usage: UsageService;
  readonly products: ProductsService;
  readonly teams: TeamsService;
  readonly audit: AuditService;
  readonly loginGuard: AttemptGuard;
  readonly codeGuard: AttemptGuard;
  readonly signupOpen: boolean;
  readonly prefixes: readonly string[];
  readonly timeZone: string;
  /** Where customers connect to the proxy: the running gateway's address, else the configured one. */
  readonly proxyEndpoint: () => { host: string; port: number };
}

/** The rules of `tollgate users create`: an email address, a password of at least 8 characters. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PASSWORD_MIN = 8;

export const webRoutes: FastifyPluginAsyncTypebox<WebRoutesDeps> = async (app, deps) => {
  registerErrorHandling(app, { bodyLimit: deps.bodyLimit, alwaysHttp200: true });
  documentSurface(app, { security: [{ webSession: [] }] });
  // The usage series can be a team's: team_id as on the customer API (plugins/team-scope.ts); every other
  // route here is the person's own and refuses it.
  app.decorateRequest('customer', null);
  registerTeamScope(app);
  app.addHook('preValidation', captureTeamId);
  // Forms send optional fields empty (`verify_code: ""`): absent.
  app.addHook('preValidation', dropEmptyFields);
  const personal = { team: false } as const;
  // Fail closed: a personal route never takes team_id for a team (nor ignores it).
  app.addHook('preHandler', async (request) => {
    const scope = (request.routeOptions.config as { team?: unknown }).team;
    if (scope === false && request.teamIdParam !== undefined && request.teamIdParam !== '') {
      throw new AppError('TG_ERR_TEAM_NOT_ACCEPTED');
    }
  });

  const view = (user: User | undefined, clientIp: string) => {
    const proxy = deps.proxyEndpoint();
    return {
      signed_in: user !== undefined,
      email: user?.email ?? '',
      user_id: user?.id ?? 0,
      signup_open: deps.signupOpen,
      prefixes: [...deps.prefixes],
      proxy_host: proxy.host,
      proxy_port: proxy.port,
      time_zone: deps.timeZone,
      client_ip: clientIp,
    };
  };

  /** Sign-in and sign-up come from a page of this site: the header repeats the CSRF cookie. */
  const checkPreSessionCsrf = (request: FastifyRequest) => {
    if (!csrfMatches(csrfHeaderOf(request), csrfCookieOf(request))) throw new AppError('TG_ERR_WEB_CSRF_INVALID');
  };

  const startSession = async (request: FastifyRequest, reply: FastifyReply, user: User) => {
    const previous = sessionTokenOf(request);
    if (previous !== undefined) await deps.webSessions.end(previous);
    const { token } = await deps.webSessions.start(user.id, user.tokenVersion);
    setSessionCookies(request, reply, token, csrfTokenOf(token));
  };

  app.get('/session', { schema: S.GetWebSession, config: personal }, async (request, reply) => {
    const token = sessionTokenOf(request);
    let user: User | undefined;
    if (token !== undefined) user = await userOfSession(deps, request, token).catch(() => undefined);
    if (!user) {
      if (token !== undefined) clearSessionCookies(request, reply);
      if (token !== undefined || csrfCookieOf(request) === undefined) setCsrfCookie(request, reply, newCsrfToken());
    }
    return ok(view(user, request.ip), languageOf(request));
  });

  app.post('/session', { schema: S.PostWebSession, config: personal }, async (request, reply) => {
    checkPreSessionCsrf(request);
    const body = request.body;
    const user = await signIn(deps, request, {
      identity: { email: body.email },
      password: body.password,
      verifyType: body.verify_type,
      verifyCode: body.verify_code,
    });
    await startSession(request, reply, user);
    return ok(view(user, request.ip), languageOf(request));
  });

  app.post('/session/end', { schema: S.EndWebSession, config: personal }, async (request, reply) => {
    const token = sessionTokenOf(request);
    if (token !== undefined) {
      // Only this site's pages sign a browser out.
      if (!csrfMatches(csrfHeaderOf(request), csrfTokenOf(token))) throw new AppError('TG_ERR_WEB_CSRF_INVALID');
      await deps.webSessions.end(token);
    }
    clearSessionCookies(request, reply);
    return ok(null, languageOf(request));
  });

  app.post('/sign-up', { schema: S.SignUp, config: personal }, async (request, reply) => {
    if (!deps.signupOpen) throw new AppError('TG_ERR_WEB_SIGNUP_CLOSED');
    checkPreSessionCsrf(request);
    const errors: Record<string, string> = {};
    if (!EMAIL.test(request.body.email)) errors.email = 'is not an email address';
    if (request.body.password.length < PASSWORD_MIN) errors.password = `at least ${PASSWORD_MIN} characters`;
    if (Object.keys(errors).length > 0) throw invalidParams(errors);
    const { user } = await deps.users.create({ email: request.body.email, password: request.body.password });
    await startSession(request, reply, user);
    return ok(view(user, request.ip), languageOf(request));
  });

  app.get('/products', { schema: S.WebProducts, config: personal }, async (request) => {
    const token = sessionTokenOf(request);
    if (token === undefined) throw new AppError('TG_ERR_WEB_SESSION_REQUIRED');
    await userOfSession(deps, request, token);
    const list = (await deps.products.list()).filter((p) => p.enabled && p.orderable).map(productView);
    return ok(
      {
        list: list.map((p) => ({
          id: p.id,
          title: p.title,
          description: p.description,
          product_type: p.product_type,
          price: p.price,
          unit_bytes: p.unit_bytes,
          unit_days: p.unit_days,
          skus: p.skus,
        })),
      },
      languageOf(request),
    );
  });

  app.get('/usage', { schema: S.WebUsage, config: { team: 'view' } }, async (request) => {
    const token = sessionTokenOf(request);
    if (token === undefined) throw new AppError('TG_ERR_WEB_SESSION_REQUIRED');
    await applyTeamScope(request, deps, await userOfSession(deps, request, token), null);
    const user = customerOf(request);
    const timeZone = request.query.time_zone ?? deps.timeZone;
    if (!isTimeZone(timeZone)) throw invalidParams({ time_zone: 'is not an IANA time zone' });
    const now = deps.usage.nowMs();
    const range = request.query.range;
    const hours = await deps.usage.hours(user.id, seriesFrom(range, now) - 24 * 3_600_000, request.query.username);
    const points = bucketSeries(hours, { range, now, timeZone });
    return ok(
      {
        points: points.map((p) => ({ t: Math.floor(p.start / 1000), bytes: p.bytes })),
        total_bytes: points.reduce((sum, p) => sum + p.bytes, 0),
      },
      languageOf(request),
    );
  });

  /** The person's app_key (never a team's: a team space holds none), masked to its last 4 characters. */
  app.get('/app-key', { schema: S.WebAppKey, config: personal }, async (request) => {
    const token = sessionTokenOf(request);
    if (token === undefined) throw new AppError('TG_ERR_WEB_SESSION_REQUIRED');
    const user = await userOfSession(deps, request, token);
    return ok({ app_key_last4: await deps.users.appKeyLast4(user.id) }, languageOf(request));
  });

  /**
   * A new app_key for the signed-in person (the same service as the CLI's and the admin API's rotate-key): the
   * old key stops working at once, the new one is in this answer only. The session's CSRF token is required
   * (userOfSession checks it on a POST); the audit log records who rotated, from where, and the new key's
   * last 4 characters, never the key.
   */
  app.post('/app-key/rotate', { schema: S.WebRotateAppKey, config: personal }, async (request) => {
    const token = sessionTokenOf(request);
    if (token === undefined) throw new AppError('TG_ERR_WEB_SESSION_REQUIRED');
    const user = await userOfSession(deps, request, token);
    const before = await deps.users.appKeyLast4(user.id);
    const appKey = await deps.users.rotateAppKey(user.id);
    const last4 = appKey.slice(-4);
    await deps.audit.record({
      actorKind: 'customer',
      actor: user.email,
      action: 'POST /web/app-key/rotate',
      targetType: 'user',
      targetId: user.id,
      ip: request.ip,
      status: 200,
      before: { last4: before },
      after: { last4 },
    });
    return ok({ app_key: appKey, app_key_last4: last4 }, languageOf(request));
  });
};
