/**
 * Second factors of sign-in: TOTP (RFC 6238 through otpauth: 6 digits, 30 s, SHA-1, as every authenticator app
 * reads an otpauth:// URI) and codes mailed to the user's email when the platform has a mail server. A user
 * enrols through the dashboard API; the operator can reset them. Sign-in asks for one when any is enabled.
 *
 * TOTP secrets are encrypted at rest (SecretBox); a TOTP code is accepted once (the last step used is kept),
 * within one step either side of now. Mailed codes are 6 digits, stored as an HMAC under a key derived from
 * TOLLGATE_SECRET, valid 10 minutes, one live code per user and purpose, 5 wrong tries at most, used once.
 */
import { createHmac, hkdfSync, randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import { Secret, TOTP } from 'otpauth';
import { AppError, type Language } from '../errors/index.js';
import type { Database, DialectCapabilities } from '../storage/index.js';
import type { User } from './accounts.types.js';
import { safeEqual } from './credentials.js';
import type { SecretBox } from './secret-box.js';
import type { Mailer } from './sign-in-mail.js';

/** The second factors Tollgate offers; the newer release also names `phone` and `wechat`, which it does not. */
export const VERIFY_TYPES = ['totp', 'email'] as const;
export type VerifyType = (typeof VERIFY_TYPES)[number];
/** Every `verify_type` a client may send (the newer release's list): those not in VERIFY_TYPES are refused. */
export const CLIENT_VERIFY_TYPES = ['phone', 'email', 'wechat', 'totp'] as const;

/** What a mailed code is for: a code for one purpose is never accepted for another. */
export type CodePurpose = 'login' | 'enrol' | 'confirm';

export const EMAIL_CODE_TTL_MS = 10 * 60_000;
export const EMAIL_CODE_RESEND_MS = 60_000;
export const EMAIL_CODE_MAX_ATTEMPTS = 5;
const TOTP_PERIOD = 30;

export interface SecondFactorsOptions {
  /** Encrypts TOTP secrets at rest. */
  readonly box: SecretBox;
  /** TOLLGATE_SECRET: the key of mailed codes' HMAC is derived from it. */
  readonly secret: string;
  /** Undefined when no mail server is configured: email codes are off. */
  readonly mailer: Mailer | undefined;
  /** Shown in authenticator apps and in code emails. */
  readonly issuer: string;
  /** Where a mail server's refusal is reported for the operator (pino fits). */
  readonly logger?: { warn(obj: object, msg: string): void } | undefined;
  readonly now?: () => number;
}

export interface FactorStatus {
  readonly totp: boolean;
  readonly email: boolean;
  /** Whether the platform can mail codes (TOLLGATE_SMTP_URL). */
  readonly emailAvailable: boolean;
}

/** The user's email with the local part masked, for "a code was sent to …". */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  const local = email.slice(0, at);
  return `${local.slice(0, Math.min(2, local.length - 1))}***${email.slice(at)}`;
}

const SUBJECT: Record<CodePurpose, Record<Language, string>> = {
  login: { zh: '登录验证码', en: 'sign-in code' },
  enrol: { zh: '邮箱验证码(开启二次验证)', en: 'code to turn on email verification' },
  confirm: { zh: '操作确认验证码', en: 'confirmation code' },
};

export class SecondFactorsService {
  readonly #now: () => number;
  readonly #codeKey: Buffer;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly caps: DialectCapabilities,
    private readonly options: SecondFactorsOptions,
  ) {
    this.#now = options.now ?? Date.now;
    this.#codeKey = Buffer.from(hkdfSync('sha256', options.secret, 'tollgate', 'verify-code', 32));
  }

  get emailAvailable(): boolean {
    return this.options.mailer !== undefined;
  }

  async status(userId: number): Promise<FactorStatus> {
    const row = await this.#row(userId);
    return {
      totp: row?.totp_enabled_at != null,
      email: row?.email_enabled_at != null,
      emailAvailable: this.emailAvailable,
    };
  }

  /**
   * The types a sign-in of this user must complete with one of; empty when the user has none enabled. An email
   * factor counts even while no mail server is configured (fail closed: the user then cannot complete it and
   * the operator resets the factor), but is only offered when codes can be sent.
   */
  async required(userId: number): Promise<{ required: boolean; types: VerifyType[] }> {
    const s = await this.status(userId);
    const types: VerifyType[] = [];
    if (s.totp) types.push('totp');
    if (s.email && s.emailAvailable) types.push('email');
    return { required: s.totp || s.email, types };
  }

  /** Starts (or restarts) TOTP enrolment: a new secret, confirmed by `confirmTotp`. Refused when TOTP is on. */
  async beginTotp(user: User): Promise<{ secret: string; uri: string }> {
    const row = await this.#row(user.id);
    if (row?.totp_enabled_at != null) throw new AppError('TG_ERR_MFA_ALREADY_ENABLED', { params: { type: 'totp' } });
    const secret = new Secret({ size: 20 });
    await this.#upsert(user.id, { totp_pending_enc: this.options.box.encrypt(secret.base32) });
    return { secret: secret.base32, uri: this.#totp(secret.base32, user.email).toString() };
  }

  /** Turns TOTP on when `code` is right for the secret being enrolled. */
  async confirmTotp(userId: number, code: string): Promise<void> {
    const row = await this.#row(userId);
    if (row?.totp_enabled_at != null) throw new AppError('TG_ERR_MFA_ALREADY_ENABLED', { params: { type: 'totp' } });
    if (!row?.totp_pending_enc) throw new AppError('TG_ERR_MFA_NOT_ENROLLING');
    const secret = this.options.box.decrypt(row.totp_pending_enc);
    const step = this.#totpStep(secret, code);
    if (step === undefined) throw new AppError('TG_ERR_AUTH_VERIFY_CODE_INVALID');
    const now = this.#now();
    const result = await this.db
      .updateTable('user_second_factors')
      .set({
        totp_secret_enc: row.totp_pending_enc,
        totp_pending_enc: null,
        totp_enabled_at: now,
        totp_last_step: step,
        updated_at: now,
      })
      .where('user_id', '=', userId)
      .where('totp_pending_enc', '=', row.totp_pending_enc)
      .where('totp_enabled_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new AppError('TG_ERR_MFA_NOT_ENROLLING');
  }

  /**
   * Mails a fresh code for `purpose` to the user. One per user and purpose per minute: within it, nothing is
   * sent and `retryAfterSeconds` says when one may be (the code sent before stays valid).
   */
  async sendEmailCode(user: User, purpose: CodePurpose, lang: Language): Promise<{ sent: boolean; retryAfterSeconds: number }> {
    const mailer = this.options.mailer;
    if (!mailer) throw new AppError('TG_ERR_MFA_EMAIL_UNAVAILABLE');
    const now = this.#now();
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const issued = await this.db.transaction().execute(async (trx) => {
      const live = await trx
        .selectFrom('verify_codes')
        .select(['id', 'created_at'])
        .where('user_id', '=', user.id)
        .where('purpose', '=', purpose)
        .executeTakeFirst();
      if (live && now - Number(live.created_at) < EMAIL_CODE_RESEND_MS) {
        return {
          sent: false,
          retryAfterSeconds: Math.max(1, Math.ceil((Number(live.created_at) + EMAIL_CODE_RESEND_MS - now) / 1000)),
        };
      }
      if (live) await trx.deleteFrom('verify_codes').where('id', '=', live.id).execute();
      try {
        await trx
          .insertInto('verify_codes')
          .values({
            user_id: user.id,
            purpose,
            code_hash: this.#codeHash(user.id, purpose, code),
            attempts: 0,
            created_at: now,
            expires_at: now + EMAIL_CODE_TTL_MS,
          })
          .execute();
      } catch (err) {
        // Another request issued one at the same moment: that one is the code.
        if (this.caps.isUniqueViolation(err)) return { sent: false, retryAfterSeconds: EMAIL_CODE_RESEND_MS / 1000 };
        throw err;
      }
      return { sent: true, retryAfterSeconds: EMAIL_CODE_RESEND_MS / 1000 };
    });
    if (!issued.sent) return issued;
    const what = SUBJECT[purpose][lang];
    const issuer = this.options.issuer;
    const text =
      lang === 'zh'
        ? `您的${issuer}${what}是 ${code},10 分钟内有效,仅可使用一次。\n如非本人操作,请忽略本邮件并尽快修改密码。\n`
        : `Your ${issuer} ${what} is ${code}. It is valid for 10 minutes and works once.\nIf you did not ask for it, ignore this email and change your password.\n`;
    try {
      await mailer.send({ to: user.email, subject: `${issuer}: ${what} ${code}`, text });
    } catch (err) {
      // Not sent: the code is withdrawn so that a retry can send another at once.
      await this.db.deleteFrom('verify_codes').where('user_id', '=', user.id).where('purpose', '=', purpose).execute();
      this.options.logger?.warn({ err, user_id: user.id, purpose }, 'verification email not sent');
      throw new AppError('TG_ERR_MAIL_SEND_FAILED');
    }
    return issued;
  }

  /** Turns email codes on with a code mailed for 'enrol' (sendEmailCode). */
  async enableEmail(userId: number, code: string): Promise<void> {
    if (!this.emailAvailable) throw new AppError('TG_ERR_MFA_EMAIL_UNAVAILABLE');
    const row = await this.#row(userId);
    if (row?.email_enabled_at != null) throw new AppError('TG_ERR_MFA_ALREADY_ENABLED', { params: { type: 'email' } });
    if (!(await this.#checkEmailCode(userId, 'enrol', code))) throw new AppError('TG_ERR_AUTH_VERIFY_CODE_INVALID');
    await this.#upsert(userId, { email_enabled_at: this.#now() });
  }

  /**
   * Whether `code` proves the user holds factor `type` (which must be enabled): a TOTP code not used before, or
   * the live mailed code of `purpose` (consumed). Use it to confirm a sensitive operation with `purpose` 'confirm'.
   */
  async verify(userId: number, type: VerifyType, code: string, purpose: CodePurpose): Promise<boolean> {
    const row = await this.#row(userId);
    if (type === 'totp') {
      if (row?.totp_enabled_at == null || !row.totp_secret_enc) return false;
      const step = this.#totpStep(this.options.box.decrypt(row.totp_secret_enc), code);
      if (step === undefined) return false;
      // Once: only a step after the last one used, decided by a guarded update so two requests cannot both win.
      const result = await this.db
        .updateTable('user_second_factors')
        .set({ totp_last_step: step, updated_at: this.#now() })
        .where('user_id', '=', userId)
        .where('totp_last_step', '<', step)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    }
    if (row?.email_enabled_at == null || !this.emailAvailable) return false;
    return this.#checkEmailCode(userId, purpose, code);
  }

  /** Turns a factor off, proven by a code of that factor (TOTP: a current code; email: a code mailed for 'confirm'). */
  async disable(userId: number, type: VerifyType, code: string): Promise<void> {
    const s = await this.status(userId);
    if (!(type === 'totp' ? s.totp : s.email)) throw new AppError('TG_ERR_MFA_NOT_ENABLED', { params: { type } });
    if (!(await this.verify(userId, type, code, 'confirm'))) throw new AppError('TG_ERR_AUTH_VERIFY_CODE_INVALID');
    await this.#upsert(
      userId,
      type === 'totp' ? { totp_secret_enc: null, totp_pending_enc: null, totp_enabled_at: null } : { email_enabled_at: null },
    );
  }

  /** The operator's reset: every factor off, codes withdrawn (a user who lost their authenticator). */
  async reset(userId: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('user_second_factors').where('user_id', '=', userId).execute();
      await trx.deleteFrom('verify_codes').where('user_id', '=', userId).execute();
    });
  }

  #totp(secretBase32: string, label: string): TOTP {
    return new TOTP({
      issuer: this.options.issuer,
      label,
      algorithm: 'SHA1',
      digits: 6,
      period: TOTP_PERIOD,
      secret: Secret.fromBase32(secretBase32),
    });
  }

  /** The time step `code` is valid for (one step either side of now), or undefined. */
  #totpStep(secretBase32: string, code: string): number | undefined {
    if (!/^\d{6}$/.test(code)) return undefined;
    const timestamp = this.#now();
    const delta = this.#totp(secretBase32, '').validate({ token: code, timestamp, window: 1 });
    if (delta === null) return undefined;
    return Math.floor(timestamp / 1000 / TOTP_PERIOD) + delta;
  }

  #codeHash(userId: number, purpose: CodePurpose, code: string): string {
    return createHmac('sha256', this.#codeKey).update(`${userId}:${purpose}:${code}`).digest('hex');
  }

  /** Checks the live code of `purpose`: right and unexpired, it is consumed; wrong, it uses one of its tries. */
  async #checkEmailCode(userId: number, purpose: CodePurpose, code: string): Promise<boolean> {
    if (!/^\d{6}$/.test(code)) return false;
    const now = this.#now();
    const live = await this.db
      .selectFrom('verify_codes')
      .selectAll()
      .where('user_id', '=', userId)
      .where('purpose', '=', purpose)
      .executeTakeFirst();
    if (!live || Number(live.expires_at) <= now || live.attempts >= EMAIL_CODE_MAX_ATTEMPTS) return false;
    if (safeEqual(live.code_hash, this.#codeHash(userId, purpose, code))) {
      // Consumed by whoever deletes it: two requests with the same code cannot both pass.
      const deleted = await this.db.deleteFrom('verify_codes').where('id', '=', live.id).executeTakeFirst();
      return Number(deleted.numDeletedRows) === 1;
    }
    await this.db
      .updateTable('verify_codes')
      .set((eb) => ({ attempts: eb(eb.ref('attempts'), '+', 1) }))
      .where('id', '=', live.id)
      .execute();
    return false;
  }

  async #row(userId: number) {
    return this.db.selectFrom('user_second_factors').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  async #upsert(
    userId: number,
    patch: Partial<{
      totp_secret_enc: string | null;
      totp_pending_enc: string | null;
      totp_enabled_at: number | null;
      email_enabled_at: number | null;
    }>,
  ): Promise<void> {
    const now = this.#now();
    await this.db
      .insertInto('user_second_factors')
      .values({
        user_id: userId,
        totp_secret_enc: null,
        totp_pending_enc: null,
        totp_enabled_at: null,
        totp_last_step: 0,
        email_enabled_at: null,
        updated_at: now,
        ...patch,
      })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ ...patch, updated_at: now }))
      .execute();
  }
}
