import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  LIMITS,
  type LimitName,
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

export const adminUserRoutes: FastifyPluginAsyncTypebox<{ users: UsersService; limits: UserLimitsService }> = async (
  app,
  { users, limits },
) => {
  app.post('/users', { schema: S.AdminCreateUser }, async (request) => {
    const b = request.body;
    const { user, appKey } = await users.create({
      email: b.email,
      password: b.password,
      phone: b.phone,
      status: b.status,
      isRealName: b.is_real_name,
    });
    return ok({ user: userView(user), app_key: appKey }, languageOf(request));
  });

  app.get('/users', { schema: S.AdminListUsers }, async (request) => {
    const { page, size, email } = request.query;
    const { users: list, total } = await users.list(page, size, email);
    return ok(
      { list: list.map(userView), page, page_size: size, total_count: total, total_page: Math.ceil(total / size) },
      languageOf(request),
    );
  });

  app.get('/users/:id', { schema: S.AdminShowUser }, async (request) =>
    ok(userView(await users.get(request.params.id)), languageOf(request)),
  );

  app.patch('/users/:id', { schema: S.AdminUpdateUser }, async (request) => {
    const b = request.body;
    const user = await users.update(request.params.id, {
      email: b.email,
      phone: b.phone,
      password: b.password,
      status: b.status,
      isRealName: b.is_real_name,
    });
    return ok(userView(user), languageOf(request));
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
