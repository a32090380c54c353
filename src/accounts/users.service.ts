import { AppError } from '../errors/index.js';
import type { DialectCapabilities, NewUserRow, UserRow } from '../storage/index.js';
import type { User, UserKind, UserPatch } from './accounts.types.js';
import {
  DUMMY_PASSWORD_HASH,
  generateAppKey,
  generateOpenId,
  hashAppKey,
  hashPassword,
  safeEqual,
  verifyPassword,
} from './credentials.js';
import type { UsersRepository } from './users.repository.js';

export interface NewUser {
  readonly email: string;
  readonly password?: string | undefined;
  readonly phone?: string | undefined;
  readonly isRealName?: boolean | undefined;
  readonly status?: 0 | 1 | undefined;
}

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    phone: row.phone,
    balanceCents: row.balance_cents,
    status: row.status,
    isRealName: row.is_real_name === 1,
    tokenVersion: row.token_version,
    kind: row.kind === 'team' ? 'team' : 'person',
    username: row.username,
    openid: row.openid,
    createdAt: row.created_at,
  };
}

/** Agent usernames: 3-32 of [a-z0-9_.-], starting with a letter; compared in lower case. */
export const USERNAME = /^[a-z][a-z0-9_.-]{2,31}$/;

export function normalizeUsername(username: string): string {
  return username.trim().toLowerCase();
}

/**
 * The users row of a team's space (kind 'team'): it owns the team's resources as a user would, and can never
 * sign in — no password, no username, an app_key nobody was ever shown (and refused by kind all the same).
 * Its email is a placeholder under `.invalid` (RFC 2606), unique because the team's public id is.
 */
export function teamSpaceRow(publicId: string, now: number): NewUserRow {
  return {
    email: `team-${publicId.toLowerCase()}@teams.invalid`,
    phone: '',
    password_hash: null,
    app_key_hash: hashAppKey(generateAppKey()),
    status: 1,
    is_real_name: 0,
    balance_cents: 0,
    token_version: 0,
    kind: 'team' satisfies UserKind,
    username: null,
    openid: generateOpenId(),
    created_at: now,
    updated_at: now,
  };
}

/** Users (the platform's customers): creation, lookup by credential, admin updates. */
export class UsersService {
  constructor(
    private readonly repo: UsersRepository,
    private readonly caps: DialectCapabilities,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates a user; the app_key is returned here and never again. */
  async create(input: NewUser): Promise<{ user: User; appKey: string }> {
    const email = normalizeEmail(input.email);
    if (await this.repo.findByEmail(email)) throw new AppError('TG_ERR_USER_EMAIL_TAKEN', { params: { email } });
    const appKey = generateAppKey();
    const now = this.now();
    try {
      const row = await this.repo.insert({
        email,
        phone: input.phone ?? '',
        password_hash: input.password ? await hashPassword(input.password) : null,
        app_key_hash: hashAppKey(appKey),
        app_key_last4: appKey.slice(-4),
        status: input.status ?? 1,
        is_real_name: input.isRealName ? 1 : 0,
        balance_cents: 0,
        token_version: 0,
        openid: generateOpenId(),
        created_at: now,
        updated_at: now,
      });
      return { user: toUser(row), appKey };
    } catch (err) {
      // Lost a race with another create of the same email.
      if (this.caps.isUniqueViolation(err)) throw new AppError('TG_ERR_USER_EMAIL_TAKEN', { params: { email } });
      throw err;
    }
  }

  async get(id: number): Promise<User> {
    const row = await this.repo.findById(id);
    if (!row) throw new AppError('TG_ERR_USER_NOT_FOUND');
    return toUser(row);
  }

  /** The person (never a team space) with this id, or undefined: what a login token may name. */
  async personById(id: number): Promise<User | undefined> {
    const row = await this.repo.findById(id);
    return row && row.kind === 'person' ? toUser(row) : undefined;
  }

  async findByEmail(email: string): Promise<User | undefined> {
    const row = await this.repo.findByEmail(normalizeEmail(email));
    return row && toUser(row);
  }

  /** A page of users; `search` matches part of the email, username or phone (any case), or the exact id. */
  async list(page: number, size: number, email?: string, search?: string): Promise<{ users: User[]; total: number }> {
    const { rows, total } = await this.repo.list({
      offset: (page - 1) * size,
      limit: size,
      email: email === undefined ? undefined : normalizeEmail(email),
      search: search?.trim().toLowerCase(),
    });
    return { users: rows.map(toUser), total };
  }

  async update(id: number, patch: UserPatch): Promise<User> {
    const current = await this.repo.findById(id);
    if (!current) throw new AppError('TG_ERR_USER_NOT_FOUND');
    if (current.kind === 'team') throw new AppError('TG_ERR_USER_IS_TEAM', { params: { id } });
    const email = patch.email === undefined ? undefined : normalizeEmail(patch.email);
    if (email !== undefined && email !== current.email && (await this.repo.findByEmail(email))) {
      throw new AppError('TG_ERR_USER_EMAIL_TAKEN', { params: { email } });
    }
    const username = patch.username === undefined || patch.username === null ? patch.username : normalizeUsername(patch.username);
    if (typeof username === 'string') {
      if (!USERNAME.test(username)) {
        throw new AppError('TG_ERR_PARAM_INVALID', {
          errors: { username: '3-32 letters, digits, _ . or -, starting with a letter' },
        });
      }
      const holder = await this.repo.findByUsername(username);
      if (holder && holder.id !== id) throw new AppError('TG_ERR_USERNAME_TAKEN', { params: { username } });
    }
    // A new password or a disable ends every issued login token.
    const revoke = patch.password !== undefined || (patch.status === 0 && current.status !== 0);
    try {
      const row = await this.repo.update(id, {
        ...(email !== undefined ? { email } : {}),
        ...(patch.phone !== undefined ? { phone: patch.phone } : {}),
        ...(patch.password !== undefined ? { password_hash: await hashPassword(patch.password) } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        ...(patch.isRealName !== undefined ? { is_real_name: patch.isRealName ? 1 : 0 } : {}),
        ...(username !== undefined ? { username } : {}),
        ...(revoke ? { token_version: current.token_version + 1 } : {}),
        updated_at: this.now(),
      });
      if (!row) throw new AppError('TG_ERR_USER_NOT_FOUND');
      return toUser(row);
    } catch (err) {
      if (this.caps.isUniqueViolation(err)) {
        // Lost a race: the email or the username was taken in the meantime.
        if (typeof username === 'string' && (await this.repo.findByUsername(username))?.id !== id) {
          throw new AppError('TG_ERR_USERNAME_TAKEN', { params: { username } });
        }
        throw new AppError('TG_ERR_USER_EMAIL_TAKEN', { params: { email: email ?? '' } });
      }
      throw err;
    }
  }

  /** Replaces the user's app_key; the old one stops working at once. */
  async rotateAppKey(id: number): Promise<string> {
    const current = await this.repo.findById(id);
    if (!current) throw new AppError('TG_ERR_USER_NOT_FOUND');
    if (current.kind === 'team') throw new AppError('TG_ERR_USER_IS_TEAM', { params: { id } });
    const appKey = generateAppKey();
    const row = await this.repo.update(id, {
      app_key_hash: hashAppKey(appKey),
      app_key_last4: appKey.slice(-4),
      updated_at: this.now(),
    });
    if (!row) throw new AppError('TG_ERR_USER_NOT_FOUND');
    return appKey;
  }

  /** The last 4 characters of the user's current app_key; '' when it was issued before they were kept. */
  async appKeyLast4(id: number): Promise<string> {
    const row = await this.repo.findById(id);
    if (!row) throw new AppError('TG_ERR_USER_NOT_FOUND');
    return row.app_key_last4;
  }

  /** The user owning this app_key, or undefined. */
  async authenticateAppKey(appKey: string): Promise<User | undefined> {
    if (appKey.length === 0 || appKey.length > 128) return undefined;
    const hash = hashAppKey(appKey);
    const row = await this.repo.findByAppKeyHash(hash);
    // The index lookup matched on the hash; confirm in constant time all the same. A team space holds no key.
    return row && row.kind === 'person' && safeEqual(row.app_key_hash, hash) ? toUser(row) : undefined;
  }

  /** The user for an email and password, or undefined; takes the same time whether the email exists or not. */
  async login(email: string, password: string): Promise<User | undefined> {
    return this.#checkPassword(await this.repo.findByEmail(normalizeEmail(email)), password);
  }

  /** The user for an agent username and password, or undefined; as login, in the same time either way. */
  async loginByUsername(username: string, password: string): Promise<User | undefined> {
    const name = normalizeUsername(username);
    return this.#checkPassword(USERNAME.test(name) ? await this.repo.findByUsername(name) : undefined, password);
  }

  /** The person with this agent username (for the sign-in budget: keyed by the account, whatever names it). */
  async findByUsername(username: string): Promise<User | undefined> {
    const name = normalizeUsername(username);
    const row = USERNAME.test(name) ? await this.repo.findByUsername(name) : undefined;
    return row && toUser(row);
  }

  async #checkPassword(row: UserRow | undefined, password: string): Promise<User | undefined> {
    const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_PASSWORD_HASH);
    return row?.password_hash && row.kind === 'person' && ok ? toUser(row) : undefined;
  }
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
