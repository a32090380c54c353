import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  LIMITS,
  type LimitName,
  type SecondFactorsService,
  type User,
  type UserLimitsService,
  type UserLimitsView,
  type UsersService,
} from '../../../accounts/index.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/admin.js';
import { userView } from '../customer/user.js';

function limitsView(userId: number, view: UserLimitsView) {
  return { user_id: userId, limits: view.effective, overrides: view.overrides, defaults: view.defaults };
}

/** A user as the operator sees it. */
export function adminUserView(user: User) {
  return { ...userView(user), kind: user.kind };
}

export interface AdminUserRoutesDeps {
  readonly users: UsersService;
  readonly limits: UserLimitsService;
  readonly secondFactors: SecondFactorsService;
}

export const adminUserRoutes: FastifyPluginAsyncTypebox<AdminUserRoutesDeps> = async (app, { users, limits, secondFactors }) => {
  app.post('/users', { schema: S.AdminCreateUser }, async (request) => {
    const b = request.body;
    const { user, appKey } = await users.create({
      email: b.email,
      password: b.password,
      phone: b.phone,
      status: b.status,
      isRealName: b.is_real_name,
    });
    return ok({ user: adminUserView(user), app_key: appKey }, languageOf(request));
  });

  app.get('/users', { schema: S.AdminListUsers }, async (request) => {
    const { page, size, email, q } = request.query;
    const { users: list, total } = await users.list(page, size, email, q);
    return ok(
      { list: list.map(adminUserView), page, page_size: size, total_count: total, total_page: Math.ceil(total / size) },
      languageOf(request),
    );
  });

  app.get('/users/:id', { schema: S.AdminShowUser }, async (request) =>
    ok(adminUserView(await users.get(request.params.id)), languageOf(request)),
  );

  app.patch('/users/:id', { schema: S.AdminUpdateUser }, async (request) => {
    const b = request.body;
    const user = await users.update(request.params.id, {
      email: b.email,
      phone: b.phone,
      password: b.password,
      status: b.status,
      isRealName: b.is_real_name,
      username: b.username,
    });
    return ok(adminUserView(user), languageOf(request));
  });

  app.post('/users/:id/mfa/reset', { schema: S.AdminResetMfa }, async (request) => {
    const user = await users.get(request.params.id);
    await secondFactors.reset(user.id);
    return ok(null, languageOf(request));
  });

  app.post('/users/:id/rotate-key', { schema: S.AdminRotateKey }, async (request) => {
    const appKey = await users.rotateAppKey(request.params.id);
    return ok({ app_key: appKey }, languageOf(request));
  });

  app.get('/users/:id/limits', { schema: S.AdminShowUserLimits }, async (request) =>
    ok(limitsView(request.params.id, await limits.get(request.params.id)), languageOf(request)),
  );

  app.patch('/users/:id/limits', { schema: S.AdminSetUserLimits }, async (request) => {
    // Only the caps: other fields are ignored, as everywhere in the API.
    const body = request.body as Partial<Record<LimitName, number | null>>;
    const patch = Object.fromEntries(LIMITS.filter((l) => body[l.name] !== undefined).map((l) => [l.name, body[l.name]]));
    return ok(limitsView(request.params.id, await limits.set(request.params.id, patch)), languageOf(request));
  });
};
