/**
 * API keys: more keys beside a user's app_key, each named, listed masked, revocable, and optionally bound to a
 * team. A key is shown once, when created, and stored as its SHA-256 like the app_key (credentials.ts); it
 * authenticates wherever `app_key` does. A team-bound key authenticates as its creator and acts for its team
 * only, with the creator's permissions there at the time of each call (the API checks them).
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AppError, invalidParams } from '../errors/index.js';
import type { ApiKeyRow, Database } from '../storage/index.js';
import { hashAppKey, safeEqual } from './credentials.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Keys read `tgk_` and 36 letters and digits (~214 bits): the prefix lets secret scanners recognise them. */
export const API_KEY_PREFIX = 'tgk_';
export const API_KEY_LENGTH = API_KEY_PREFIX.length + 36;
/** Active keys one space may hold: a user's personal keys, or one team's keys. */
export const API_KEYS_MAX = 50;
export const API_KEY_NAME_MAX = 64;
export const API_KEY_PAGE_SIZE_MAX = 100;
/** last_used_at is written at most this often per key, so authenticating costs no write per request. */
export const LAST_USED_RESOLUTION_MS = 60_000;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export interface ApiKey {
  readonly id: number;
  readonly userId: number;
  /** The team (its id) a team-bound key acts for; null for a personal key. */
  readonly teamId: number | null;
  readonly name: string;
  readonly last4: string;
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
}

/** Whose keys a call lists or changes: a user's personal keys, or a team's. */
export type KeySpace =
  { readonly kind: 'personal'; readonly userId: number } | { readonly kind: 'team'; readonly teamId: number };

/** What authenticated: the key's creator and, for a team-bound key, its team. */
export interface KeyIdentity {
  readonly keyId: number;
  readonly userId: number;
  readonly teamId: number | null;
}

function generateKey(): string {
  let out = '';
  while (out.length < API_KEY_LENGTH - API_KEY_PREFIX.length) {
    for (const byte of randomBytes(48)) {
      // 248 = 4 × 62: unbiased.
      if (byte < 248 && out.length < API_KEY_LENGTH - API_KEY_PREFIX.length) out += ALPHABET[byte % 62];
    }
  }
  return API_KEY_PREFIX + out;
}

/** The key as listings show it: every character but the last 4 masked. */
export function maskedKey(last4: string): string {
  return '*'.repeat(API_KEY_LENGTH - 4) + last4;
}

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: Number(row.id),
    userId: Number(row.user_id),
    teamId: row.team_id === null ? null : Number(row.team_id),
    name: row.name,
    last4: row.last4,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
  };
}

function checkName(name: string | undefined): string {
  const trimmed = (name ?? '').trim();
  if (trimmed.length > API_KEY_NAME_MAX || CONTROL.test(trimmed)) {
    throw invalidParams({ name: `at most ${API_KEY_NAME_MAX} characters on one line` });
  }
  return trimmed;
}

export class ApiKeysService {
  readonly #now: () => number;

  constructor(
    private readonly db: Kysely<Database>,
    options: { now?: () => number } = {},
  ) {
    this.#now = options.now ?? Date.now;
  }

  /** Creates a key for `userId` (bound to `teamId` when given); the key is returned here and never again. */
  async create(input: {
    userId: number;
    teamId: number | null;
    name?: string | undefined;
  }): Promise<{ apiKey: ApiKey; key: string }> {
    const name = checkName(input.name);
    const key = generateKey();
    const now = this.#now();
    const row = await this.db.transaction().execute(async (trx) => {
      const owner = await trx.selectFrom('users').select(['id', 'kind']).where('id', '=', input.userId).executeTakeFirst();
      if (!owner) throw new AppError('TG_ERR_USER_NOT_FOUND');
      if (owner.kind !== 'person') throw new AppError('TG_ERR_USER_IS_TEAM', { params: { id: input.userId } });
      // Serialize creates in one space so two at once cannot both pass the cap.
      await trx
        .updateTable('users')
        .set((eb) => ({ status: eb.ref('status') }))
        .where('id', '=', input.userId)
        .execute();
      let active = trx
        .selectFrom('api_keys')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('revoked_at', 'is', null);
      active =
        input.teamId === null
          ? active.where('user_id', '=', input.userId).where('team_id', 'is', null)
          : active.where('team_id', '=', input.teamId);
      const { n } = await active.executeTakeFirstOrThrow();
      if (Number(n) >= API_KEYS_MAX) throw new AppError('TG_ERR_API_KEY_LIMIT', { params: { max: API_KEYS_MAX } });
      return trx
        .insertInto('api_keys')
        .values({
          user_id: input.userId,
          team_id: input.teamId,
          name,
          key_hash: hashAppKey(key),
          last4: key.slice(-4),
          created_at: now,
          last_used_at: null,
          revoked_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    return { apiKey: toApiKey(row), key };
  }

  /** Active keys of the space, newest first. */
  async list(space: KeySpace, page = 1, size = 20): Promise<{ items: ApiKey[]; total: number; page: number; size: number }> {
    const errors: Record<string, string> = {};
    if (!Number.isSafeInteger(page) || page < 1) errors.page = 'an integer ≥ 1';
    if (!Number.isInteger(size) || size < 1 || size > API_KEY_PAGE_SIZE_MAX) errors.pageSize = `1-${API_KEY_PAGE_SIZE_MAX}`;
    if (Object.keys(errors).length > 0) throw invalidParams(errors);
    let q = this.db.selectFrom('api_keys').where('revoked_at', 'is', null);
    q =
      space.kind === 'personal'
        ? q.where('user_id', '=', space.userId).where('team_id', 'is', null)
        : q.where('team_id', '=', space.teamId);
    const [rows, count] = await Promise.all([
      q
        .selectAll()
        .orderBy('id', 'desc')
        .offset((page - 1) * size)
        .limit(size)
        .execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toApiKey), total: Number(count.n), page, size };
  }

  /** An active key of the space; TG_ERR_API_KEY_NOT_FOUND otherwise. */
  async get(space: KeySpace, id: number): Promise<ApiKey> {
    let q = this.db.selectFrom('api_keys').selectAll().where('id', '=', id).where('revoked_at', 'is', null);
    q =
      space.kind === 'personal'
        ? q.where('user_id', '=', space.userId).where('team_id', 'is', null)
        : q.where('team_id', '=', space.teamId);
    const row = await q.executeTakeFirst();
    if (!row) throw new AppError('TG_ERR_API_KEY_NOT_FOUND');
    return toApiKey(row);
  }

  async rename(space: KeySpace, id: number, name: string): Promise<ApiKey> {
    const checked = checkName(name);
    const key = await this.get(space, id);
    const row = await this.db
      .updateTable('api_keys')
      .set({ name: checked })
      .where('id', '=', key.id)
      .where('revoked_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new AppError('TG_ERR_API_KEY_NOT_FOUND');
    return toApiKey(row);
  }

  /** Revokes the key: it stops authenticating at once. */
  async revoke(space: KeySpace, id: number): Promise<void> {
    const key = await this.get(space, id);
    const result = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: this.#now() })
      .where('id', '=', key.id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new AppError('TG_ERR_API_KEY_NOT_FOUND');
  }

  /** Every active key of a user, personal and team-bound (the operator's view). */
  async listForUser(userId: number): Promise<ApiKey[]> {
    const rows = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .orderBy('id')
      .execute();
    return rows.map(toApiKey);
  }

  /** Revokes any user's key by id (the operator). */
  async revokeById(id: number): Promise<ApiKey> {
    const row = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: this.#now() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new AppError('TG_ERR_API_KEY_NOT_FOUND');
    return toApiKey(row);
  }

  /**
   * Who this key is, or undefined (unknown or revoked). Looked up by hash and confirmed in constant time, as
   * app_keys are; last_used_at is brought up to date when it is older than LAST_USED_RESOLUTION_MS.
   */
  async authenticate(key: string): Promise<KeyIdentity | undefined> {
    if (key.length !== API_KEY_LENGTH || !key.startsWith(API_KEY_PREFIX)) return undefined;
    const hash = hashAppKey(key);
    const row = await this.db.selectFrom('api_keys').selectAll().where('key_hash', '=', hash).executeTakeFirst();
    if (!row || row.revoked_at !== null || !safeEqual(row.key_hash, hash)) return undefined;
    const now = this.#now();
    if (row.last_used_at === null || now - Number(row.last_used_at) >= LAST_USED_RESOLUTION_MS) {
      await this.db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', row.id).execute();
    }
    return { keyId: Number(row.id), userId: Number(row.user_id), teamId: row.team_id === null ? null : Number(row.team_id) };
  }
}
