/**
 * The operator console's sign-in, beside the /admin API (not behind its authentication): POST /admin/session
 * checks an operator's email and password under the same failure budgets as auth/login (per client address and
 * per account) and sets the httpOnly, SameSite=Strict session cookie; GET shows who is signed in with the
 * session's CSRF token; DELETE signs out.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AuditService } from '../../../audit/index.js';
import { AppError } from '../../../errors/index.js';
import type { Operator, OperatorSession, OperatorsService } from '../../../operators/index.js';
import { type AttemptGuard, isRefused } from '../../../throttle/index.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import { clearConsoleCookie, consoleToken, setConsoleCookie } from '../../plugins/console-cookie.js';
import * as S from '../../schemas/console.js';
import { throttled } from '../sign-in.js';

export function operatorView(op: Operator) {
  return {
    id: op.id,
    email: op.email,
    role: op.role,
    status: op.status,
    last_sign_in_at: op.lastSignInAt === null ? null : new Date(op.lastSignInAt).toISOString(),
    created_at: new Date(op.createdAt).toISOString(),
  };
}

function sessionView(session: OperatorSession) {
  return {
    operator: operatorView(session.operator),
    csrf_token: session.csrfToken,
    expires_at: new Date(session.expiresAt).toISOString(),
  };
}

export interface ConsoleSessionRoutesDeps {
  readonly operators: OperatorsService;
  readonly audit: AuditService;
  /** auth/login's guard: password failures per client address and per account. */
  readonly loginGuard: AttemptGuard;
  readonly sessionTtlSeconds: number;
}

export const consoleSessionRoutes: FastifyPluginAsyncTypebox<ConsoleSessionRoutesDeps> = async (app, deps) => {
  const { operators, audit, loginGuard } = deps;
  const open = { config: { public: true } };

  app.post('/session', { ...open, schema: S.OperatorSignIn }, async (request, reply) => {
    const { email, password } = request.body;
    // The operator's budget is apart from any customer's of the same email.
    const attempt = loginGuard.begin(request.ip, `operator:${email.trim().toLowerCase()}`);
    if (isRefused(attempt)) throw throttled(attempt.retryAfterSeconds);
    let operator: Operator | undefined;
    try {
      operator = await operators.checkPassword(email, password);
    } catch (err) {
      attempt.settle(false);
      throw err;
    }
    attempt.settle(!operator);
    if (!operator) throw new AppError('TG_ERR_OPERATOR_LOGIN_FAILED');
    if (operator.status !== 1) throw new AppError('TG_ERR_OPERATOR_DISABLED');
    const session = await operators.openSession(operator);
    setConsoleCookie(request, reply, session.token, deps.sessionTtlSeconds);
    await audit.record({
      actorKind: 'operator',
      operatorId: operator.id,
      actor: operator.email,
      action: 'POST /admin/session',
      targetType: 'operators',
      targetId: operator.id,
      ip: request.ip,
      status: 200,
    });
    return ok(sessionView(session), languageOf(request));
  });

  app.get('/session', { ...open, schema: S.OperatorSessionShow }, async (request) => {
    const token = consoleToken(request);
    const session = token === undefined ? undefined : await operators.session(token);
    if (!session) throw new AppError('TG_ERR_OPERATOR_SESSION_INVALID');
    return ok(sessionView(session), languageOf(request));
  });

  app.delete('/session', { ...open, schema: S.OperatorSignOut }, async (request, reply) => {
    const token = consoleToken(request);
    const session = token === undefined ? undefined : await operators.session(token);
    if (session) {
      const header = request.headers['x-csrf-token'];
      if (!operators.csrfMatches(session, typeof header === 'string' ? header : undefined)) {
        throw new AppError('TG_ERR_OPERATOR_CSRF_INVALID');
      }
      await operators.closeSession(session.token);
      await audit.record({
        actorKind: 'operator',
        operatorId: session.operator.id,
        actor: session.operator.email,
        action: 'DELETE /admin/session',
        targetType: 'operators',
        targetId: session.operator.id,
        ip: request.ip,
        status: 200,
      });
    }
    clearConsoleCookie(request, reply);
    return ok(null, languageOf(request));
  });
};
