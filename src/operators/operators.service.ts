/**
 * Operator accounts (the console's people, apart from customers) and their console sessions.
 *
 * Passwords are scrypt-hashed as customers' are; a session token is 32 random bytes given to the browser in an
 * httpOnly cookie and stored only as its SHA-256. The CSRF token of a session is an HMAC of its token, so it
 * needs no storage and cannot be derived by anyone who cannot read the cookie.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { DUMMY_PASSWORD_HASH, hashPassword, normalizeEmail, safeEqual, verifyPassword } from '../accounts/index.js';
import { AppError, invalidParams } from '../errors/index.js';
import type { DialectCapabilities } from '../storage/index.js';
import type { OperatorRow, OperatorsRepository } from './operators.repository.js';
import {
  type Operator,
  OPERATOR_PASSWORD_MAX,
  OPERATOR_PASSWORD_MIN,
  OPERATOR_ROLES,
  type OperatorRole,
  type OperatorSession,
} from './operators.types.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function toOperator(row: OperatorRow): Operator {
  return {
    id: Number(row.id),
    email: row.email,
    role: row.role === 'admin' ? 'admin' : 'support',
    status: row.status,
    lastSignInAt: row.last_sign_in_at === null ? null : Number(row.last_sign_in_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The CSRF token of a session: derived from its (secret) token, so nothing more is stored. */
function csrfOf(token: string): string {
  return createHmac('sha256', token).update('tollgate-console-csrf').digest('base64url');
}

export interface OperatorsServiceOptions {
  readonly now?: () => number;
  /** Session lifetime (TOLLGATE_CONSOLE_SESSION_TTL). */
  readonly sessionTtlMs: number;
}

export class OperatorsService {
  readonly #now: () => number;

  constructor(
    private readonly repo: OperatorsRepository,
    private readonly caps: DialectCapabilities,
    private readonly options: OperatorsServiceOptions,
  ) {
    this.#now = options.now ?? Date.now;
  }

  /** Throws TG_ERR_PARAM_INVALID naming the field when the password is too short or long. */
  static checkPassword(password: string): void {
    if (password.length < OPERATOR_PASSWORD_MIN || password.length > OPERATOR_PASSWORD_MAX) {
      throw invalidParams({ password: `${OPERATOR_PASSWORD_MIN} to ${OPERATOR_PASSWORD_MAX} characters` });
    }
  }

  async create(input: { email: string; password: string; role?: string | undefined }): Promise<Operator> {
    const email = normalizeEmail(input.email);
    if (!EMAIL.test(email)) throw invalidParams({ email: 'is not an email address' });
    const role = (input.role ?? 'admin') as OperatorRole;
    if (!OPERATOR_ROLES.includes(role)) throw invalidParams({ role: `must be one of ${OPERATOR_ROLES.join(', ')}` });
    OperatorsService.checkPassword(input.password);
    if (await this.repo.findByEmail(email)) throw new AppError('TG_ERR_OPERATOR_EXISTS', { params: { email } });
    const now = this.#now();
    try {
      const row = await this.repo.insert({
        email,
        password_hash: await hashPassword(input.password),
        role,
        status: 1,
        last_sign_in_at: null,
        created_at: now,
        updated_at: now,
      });
      return toOperator(row);
    } catch (err) {
      if (this.caps.isUniqueViolation(err)) throw new AppError('TG_ERR_OPERATOR_EXISTS', { params: { email } });
      throw err;
    }
  }

  async list(): Promise<Operator[]> {
    return (await this.repo.list()).map(toOperator);
  }

  /** By id, or by email when given text with an @. */
  async get(idOrEmail: number | string): Promise<Operator> {
    const row =
      typeof idOrEmail === 'number' || /^\d+$/.test(idOrEmail)
        ? await this.repo.findById(Number(idOrEmail))
        : await this.repo.findByEmail(normalizeEmail(idOrEmail));
    if (!row) throw new AppError('TG_ERR_OPERATOR_NOT_FOUND');
    return toOperator(row);
  }

  /** Enables or disables; disabling ends the operator's sessions. */
  async setStatus(idOrEmail: number | string, status: 0 | 1): Promise<Operator> {
    const op = await this.get(idOrEmail);
    const row = await this.repo.update(op.id, { status, updated_at: this.#now() });
    if (!row) throw new AppError('TG_ERR_OPERATOR_NOT_FOUND');
    if (status === 0) await this.repo.deleteSessionsOf(op.id, this.#now());
    return toOperator(row);
  }

  async setRole(idOrEmail: number | string, role: string): Promise<Operator> {
    if (!OPERATOR_ROLES.includes(role as OperatorRole))
      throw invalidParams({ role: `must be one of ${OPERATOR_ROLES.join(', ')}` });
    const op = await this.get(idOrEmail);
    const row = await this.repo.update(op.id, { role, updated_at: this.#now() });
    if (!row) throw new AppError('TG_ERR_OPERATOR_NOT_FOUND');
    return toOperator(row);
  }

  /** Sets a new password and ends the operator's sessions. */
  async resetPassword(idOrEmail: number | string, password: string): Promise<Operator> {
    OperatorsService.checkPassword(password);
    const op = await this.get(idOrEmail);
    const row = await this.repo.update(op.id, { password_hash: await hashPassword(password), updated_at: this.#now() });
    if (!row) throw new AppError('TG_ERR_OPERATOR_NOT_FOUND');
    await this.repo.deleteSessionsOf(op.id, this.#now());
    return toOperator(row);
  }

  /** The operator for this email and password, or undefined; the same time whether the email exists or not. */
  async checkPassword(email: string, password: string): Promise<Operator | undefined> {
    const row = await this.repo.findByEmail(normalizeEmail(email));
    const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_PASSWORD_HASH);
    return row && ok ? toOperator(row) : undefined;
  }

  /** Opens a console session for an active operator. */
  async openSession(operator: Operator): Promise<OperatorSession> {
    if (operator.status !== 1) throw new AppError('TG_ERR_OPERATOR_DISABLED');
    const now = this.#now();
    const token = randomBytes(32).toString('base64url');
    const expiresAt = now + this.options.sessionTtlMs;
    await this.repo.insertSession({
      token_hash: tokenHash(token),
      operator_id: operator.id,
      created_at: now,
      expires_at: expiresAt,
    });
    const row = await this.repo.update(operator.id, { last_sign_in_at: now });
    return { operator: row ? toOperator(row) : operator, token, csrfToken: csrfOf(token), expiresAt };
  }

  /** The live session of this cookie token (an active operator's, not expired), or undefined. */
  async session(token: string): Promise<OperatorSession | undefined> {
    if (token.length === 0 || token.length > 128) return undefined;
    const found = await this.repo.findSession(tokenHash(token), this.#now());
    if (!found || found.operator.status !== 1) return undefined;
    return { operator: toOperator(found.operator), token, csrfToken: csrfOf(token), expiresAt: found.expiresAt };
  }

  /** Whether `given` is the CSRF token of the session (constant-time). */
  csrfMatches(session: OperatorSession, given: string | undefined): boolean {
    return given !== undefined && safeEqual(given, session.csrfToken);
  }

  async closeSession(token: string): Promise<void> {
    await this.repo.deleteSession(tokenHash(token));
  }
}
