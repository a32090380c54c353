/**
 * Portal sessions (the web consoles' customer sign-ins). The browser holds a random token in an httpOnly cookie;
 * the database holds only its SHA-256, the user, and the user's token version at sign-in, so a password change
 * (which bumps the version) ends every session. A session lasts TOLLGATE_WEB_SESSION_TTL seconds from its last
 * use; uses extend it, written at most once a minute.
 *
 * The CSRF token of a session is derived from its token (SHA-256 of a label and the token): the page reads it
 * from a cookie and sends it back as a header; a site that cannot read the cookie cannot forge it.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../storage/index.js';
import { safeEqual } from './credentials.js';

/** A session's last use is written at most this often. */
export const SESSION_TOUCH_MS = 60_000;

export interface WebSession {
  readonly userId: number;
  readonly tokenVersion: number;
  readonly expiresAt: number;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The CSRF token bound to a session token. */
export function csrfTokenOf(sessionToken: string): string {
  return createHash('sha256').update(`tollgate-web-csrf:${sessionToken}`, 'utf8').digest('base64url');
}

/** A CSRF token for a browser that has no session yet (sign-in, sign-up): random, compared with its cookie. */
export function newCsrfToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Constant-time check of a CSRF header against the expected token. */
export function csrfMatches(header: string | undefined, expected: string | undefined): boolean {
  return header !== undefined && expected !== undefined && expected !== '' && safeEqual(header, expected);
}

export class WebSessionsService {
  readonly #now: () => number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly ttlSeconds: number,
    options: { now?: () => number } = {},
  ) {
    this.#now = options.now ?? Date.now;
  }

  /** Starts a session for the user; returns its token (for the cookie, never stored) and when it expires. */
  async start(userId: number, tokenVersion: number): Promise<{ token: string; expiresAt: number }> {
    const now = this.#now();
    const token = randomBytes(32).toString('base64url');
    const expiresAt = now + this.ttlSeconds * 1000;
    // Sessions past their end are removed as new ones start: the table holds live sessions and a few stale ones.
    await this.db.deleteFrom('web_sessions').where('expires_at', '<', now).execute();
    await this.db
      .insertInto('web_sessions')
      .values({
        token_hash: hashToken(token),
        user_id: userId,
        token_version: tokenVersion,
        created_at: now,
        last_seen_at: now,
        expires_at: expiresAt,
      })
      .execute();
    return { token, expiresAt };
  }

  /** The live session of a token (extending it), or undefined: unknown, expired, or ended. */
  async resume(token: string): Promise<WebSession | undefined> {
    if (token.length < 16 || token.length > 128) return undefined;
    const now = this.#now();
    const row = await this.db
      .selectFrom('web_sessions')
      .selectAll()
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirst();
    if (!row || Number(row.expires_at) <= now) return undefined;
    let expiresAt = Number(row.expires_at);
    if (now - Number(row.last_seen_at) >= SESSION_TOUCH_MS) {
      expiresAt = now + this.ttlSeconds * 1000;
      await this.db
        .updateTable('web_sessions')
        .set({ last_seen_at: now, expires_at: expiresAt })
        .where('token_hash', '=', row.token_hash)
        .execute();
    }
    return { userId: Number(row.user_id), tokenVersion: Number(row.token_version), expiresAt };
  }

  /** Ends the session of a token (sign-out); a token without one is fine. */
  async end(token: string): Promise<void> {
    await this.db.deleteFrom('web_sessions').where('token_hash', '=', hashToken(token)).execute();
  }
}
