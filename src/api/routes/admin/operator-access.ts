/**
 * Who is calling /admin, and may they: the admin token (automation; everything) or an operator's console
 * session (the `tollgate_console` cookie, with the session's CSRF token in `X-CSRF-Token` on every call that is
 * not a read), each route's role need enforced per operator. Then every call that is not a read is written to
 * the audit log: who, what, the target as its show route had it before, and the answer after.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hashAppKey, safeEqual } from '../../../accounts/index.js';
import type { AuditService } from '../../../audit/index.js';
import { AppError } from '../../../errors/index.js';
import { type Operator, type OperatorAccess, type OperatorsService, roleAllows } from '../../../operators/index.js';
import { type AttemptGuard, isRefused } from '../../../throttle/index.js';
import { consoleToken } from '../../plugins/console-cookie.js';
import { throttled } from '../sign-in.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * What an operator needs for this /admin route: `read` (any operator), `support` (support's writes: user
     * status, password resets) or `admin`. Default: `read` for GET, `admin` for everything else.
     */
    access?: OperatorAccess;
  }
  interface FastifyRequest {
    /** Set on /admin once authenticated: the admin token, or the signed-in operator. */
    adminActor?: AdminActor;
  }
}

export type AdminActor = { readonly kind: 'token' } | { readonly kind: 'operator'; readonly operator: Operator };

interface AuditState {
  before?: unknown;
  error?: string;
}

const auditStates = new WeakMap<FastifyRequest, AuditState>();

function isRead(request: FastifyRequest): boolean {
  return request.method === 'GET' || request.method === 'HEAD';
}

function accessOf(request: FastifyRequest): OperatorAccess {
  return request.routeOptions.config?.access ?? (isRead(request) ? 'read' : 'admin');
}

/** `users` and `12` of `/admin/users/:id/packages` with id 12. */
function targetOf(request: FastifyRequest): { type: string; id: string | undefined; showUrl: string | undefined } {
  const route = request.routeOptions.url ?? '';
  const segments = route.replace(/^\/admin\/?/, '').split('/');
  const type = segments[0] ?? '';
  const params = (request.params ?? {}) as Record<string, unknown>;
  const key = segments[1]?.startsWith(':') ? segments[1].slice(1) : undefined;
  const id = key !== undefined && params[key] !== undefined ? String(params[key]) : undefined;
  return { type, id, showUrl: id !== undefined ? `/admin/${type}/${encodeURIComponent(id)}` : undefined };
}

/** An id in the answer of a create (`{id}` or `{user: {id}}`). */
function createdId(after: unknown): string | undefined {
  if (!after || typeof after !== 'object') return undefined;
  const a = after as Record<string, unknown>;
  if (typeof a.id === 'number' || typeof a.id === 'string') return String(a.id);
  for (const v of Object.values(a)) {
    if (v && typeof v === 'object' && 'id' in v) {
      const id = (v as { id: unknown }).id;
      if (typeof id === 'number' || typeof id === 'string') return String(id);
    }
  }
  return undefined;
}

export interface OperatorAccessDeps {
  readonly adminToken: string;
  readonly guard: AttemptGuard;
  readonly operators: OperatorsService;
  readonly audit: AuditService;
}

/** Installs authentication, role checks and the audit log on the /admin context. */
export function operatorAccess(app: FastifyInstance, deps: OperatorAccessDeps): void {
  // Compare digests so the comparison is constant-time whatever the lengths.
  const expected = hashAppKey(deps.adminToken);
  app.decorateRequest('adminActor', undefined);

  app.addHook('onRequest', async (request: FastifyRequest) => {
    // Reserved before anything is compared: past the budget, even the right credentials wait.
    const attempt = deps.guard.begin(request.ip);
    if (isRefused(attempt)) throw throttled(attempt.retryAfterSeconds);
    const authorization = request.headers.authorization;
    const cookie = authorization === undefined ? consoleToken(request) : undefined;
    if (cookie === undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
      const ok = match?.[1] !== undefined && safeEqual(hashAppKey(match[1]), expected);
      attempt.settle(!ok);
      if (!ok) throw new AppError('TG_ERR_AUTH_ADMIN_TOKEN_INVALID');
      request.adminActor = { kind: 'token' };
      return;
    }
    let session;
    try {
      session = await deps.operators.session(cookie);
    } catch (err) {
      attempt.settle(false);
      throw err;
    }
    attempt.settle(!session);
    if (!session) throw new AppError('TG_ERR_OPERATOR_SESSION_INVALID');
    // SameSite=Strict keeps other sites' requests from carrying the cookie; the header is the second lock.
    const header = request.headers['x-csrf-token'];
    if (!isRead(request) && !deps.operators.csrfMatches(session, typeof header === 'string' ? header : undefined)) {
      throw new AppError('TG_ERR_OPERATOR_CSRF_INVALID');
    }
    request.adminActor = { kind: 'operator', operator: session.operator };
  });

  app.addHook('preHandler', async (request: FastifyRequest) => {
    const state: AuditState = {};
    if (!isRead(request)) auditStates.set(request, state);
    const actor = request.adminActor;
    if (actor?.kind === 'operator' && !roleAllows(actor.operator.role, accessOf(request))) {
      throw new AppError('TG_ERR_OPERATOR_ROLE_DENIED', {
        params: { role: actor.operator.role },
        data: { role: actor.operator.role, needs: accessOf(request) },
      });
    }
    if (isRead(request)) return;
    // The target as its show route has it (users, nodes, products, coupons, …; nothing where there is none).
    const target = targetOf(request);
    if (target.showUrl === undefined) return;
    const res = await app.inject({
      method: 'GET',
      url: target.showUrl,
      headers: {
        ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
        ...(request.headers.cookie ? { cookie: request.headers.cookie } : {}),
      },
    });
    if (res.statusCode === 200) state.before = (res.json() as { data?: unknown }).data;
  });

  app.addHook('onError', async (request, _reply, err) => {
    const state = auditStates.get(request);
    if (state && err instanceof AppError) state.error = err.key;
  });

  // Written before the answer leaves, so a client that reads the log right after its call finds the entry.
  app.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const actor = request.adminActor;
    if (!actor || isRead(request)) return payload;
    const state = auditStates.get(request) ?? {};
    let after: unknown;
    let code: number | undefined;
    // Answers holding long lists are serialized to bytes (src/api/projecting-serializer.ts).
    const text = Buffer.isBuffer(payload) ? payload.toString() : payload;
    if (typeof text === 'string') {
      try {
        const body = JSON.parse(text) as { code?: number; data?: unknown };
        code = body.code;
        after = body.code === 200 ? body.data : undefined;
      } catch {
        after = undefined;
      }
    }
    const target = targetOf(request);
    const route = request.routeOptions.url ?? request.url.split('?')[0] ?? '';
    try {
      await deps.audit.record({
        actorKind: actor.kind,
        operatorId: actor.kind === 'operator' ? actor.operator.id : undefined,
        actor: actor.kind === 'operator' ? actor.operator.email : 'admin-token',
        action: `${request.method} ${route}`,
        targetType: target.type,
        targetId: target.id ?? (code === 200 ? createdId(after) : undefined),
        ip: request.ip,
        status: reply.statusCode,
        error: state.error ?? (code !== undefined && code !== 200 ? String(code) : undefined),
        request: { params: request.params, body: request.body },
        before: state.before,
        after,
      });
    } catch (err) {
      // The action happened; a lost audit row is logged in full, never silently dropped.
      request.log.error({ err, action: `${request.method} ${route}` }, 'audit log write failed');
    }
    return payload;
  });
}
