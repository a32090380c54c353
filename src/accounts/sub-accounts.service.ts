import type { Kysely, Updateable } from 'kysely';
import { AppError, invalidParams, listNames } from '../errors/index.js';
import { ENTRY_TYPES, productKind, SUB_ACCOUNT_TYPES } from '../products/index.js';
import type { Database, DialectCapabilities, SubAccountsTable } from '../storage/index.js';
import type { SubAccount, SubAccountChange, SubAccountFilter } from './accounts.types.js';
import {
  CHANGE_PASSWORD_MAX,
  CHANGE_PASSWORD_MIN,
  isValidChangePassword,
  isValidLimitGb,
  isValidName,
  isValidPassword,
  LIMIT_MAX_GB,
  NAME_MAX,
  PASSWORD_MAX,
  PASSWORD_MIN,
  type ParsedBatch,
  parseCredentialBatch,
  parseNameBatch,
  remarkProblem,
  splitBatch,
} from './rules.js';
import type { SecretBox } from './secret-box.js';
import { type ListedRow, SubAccountsRepository } from './sub-accounts.repository.js';
import type { UserLimitSource } from './user-limits.service.js';
import { lockUser } from './users.repository.js';

export interface SubAccountsOptions {
  /** Most entries one batch may name. */
  readonly batchMax: number;
  /** Most sub-accounts per user: TOLLGATE_SUB_ACCOUNT_MAX, or the operator's override for the user. */
  readonly limits: UserLimitSource;
  readonly now?: () => number;
}

const NAME_RULE = `letters and digits only, 1-${NAME_MAX} characters`;
const PASSWORD_RULE = `letters and digits only, ${PASSWORD_MIN}-${PASSWORD_MAX} characters`;

/**
 * Sub-accounts: the proxy credentials a user creates. Every batch is checked
 * whole before anything is written and written in one transaction, so one bad
 * entry changes nothing.
 */
export class SubAccountsService {
  readonly #now: () => number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly caps: DialectCapabilities,
    private readonly box: SecretBox,
    private readonly options: SubAccountsOptions,
  ) {
    this.#now = options.now ?? Date.now;
  }

  #repo(db: Kysely<Database> = this.db): SubAccountsRepository {
    return new SubAccountsRepository(db, this.caps);
  }

  async list(userId: number, filter: SubAccountFilter = {}): Promise<SubAccount[]> {
    const rows = await this.#repo().listByUser(userId, filter);
    return rows.map((row) => this.#toSubAccount(userId, row));
  }

  /**
   * Adds `user01:pass,user02:pass` for one product type, all or none. A name must be free among every product
   * type served by the same gateway entry (the entry finds an account by its name alone).
   */
  async add(userId: number, accounts: string, remark: string, productType: number): Promise<void> {
    const entry = productKind(productType)?.entry;
    if (entry === undefined) throw invalidParams({ product_type: `one of ${SUB_ACCOUNT_TYPES.join(', ')}` });
    const sameEntry = ENTRY_TYPES[entry];
    this.#checkSize(accounts);
    const batch = parseCredentialBatch(accounts);
    this.#checkBatch(batch, `each entry is username:password, ${NAME_RULE} (password ${PASSWORD_RULE})`);
    if (batch.duplicates.length > 0) {
      throw invalidParams(
        { accounts: `names repeated in the batch: ${listNames(batch.duplicates)}` },
        { duplicates: batch.duplicates },
      );
    }
    const problem = remarkProblem(remark);
    if (problem) throw invalidParams({ remark: problem });

    const names = batch.items.map((c) => c.username);
    const now = this.#now();
    const rows = batch.items.map((c) => ({
      user_id: userId,
      product_type: productType,
      username: c.username,
      password_enc: this.box.encrypt(c.password),
      remark,
      limit_gb: 0,
      used_bytes: 0,
      status: 1,
      created_at: now,
      updated_at: now,
    }));
    // A unique violation means another request took a name between our check and our insert;
    // if that name is free again by the time we look, the batch is simply retried once.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db.transaction().execute(async (trx) => {
          const repo = this.#repo(trx);
          await lockUser(trx, userId);
          const max = await this.options.limits.limitOf(trx, userId, 'sub_accounts');
          const count = (await repo.countByUser(userId)) + rows.length;
          if (count > max) throw new AppError('TG_ERR_ACCOUNT_LIMIT', { params: { max, count } });
          const taken = await repo.takenNames(sameEntry, names);
          if (taken.length > 0) throw nameTaken(taken);
          // New names may be remembered as unknown by a gateway: tell it.
          await repo.recordChange(await repo.insertMany(rows), now);
        });
        return;
      } catch (err) {
        if (!this.caps.isUniqueViolation(err)) throw err;
        const taken = await this.#repo().takenNames(sameEntry, names);
        if (taken.length > 0) throw nameTaken(taken);
        if (attempt >= 2) throw err;
      }
    }
  }

  async remove(userId: number, accounts: string, productType?: number): Promise<void> {
    await this.#applyToBatch(userId, accounts, productType, (repo, ids) => repo.deleteByIds(ids));
  }

  async setStatus(userId: number, accounts: string, enabled: boolean, productType?: number): Promise<void> {
    const status = enabled ? 1 : 0;
    await this.#applyToBatch(userId, accounts, productType, (repo, ids) =>
      repo.updateByIds(ids, { status, updated_at: this.#now() }),
    );
  }

  async changePassword(userId: number, account: string, password: string, productType?: number): Promise<void> {
    const errors: Record<string, string> = {};
    if (!isValidName(account)) errors.account = NAME_RULE;
    if (!isValidPassword(password)) errors.password = PASSWORD_RULE;
    if (Object.keys(errors).length > 0) throw invalidParams(errors);
    const passwordEnc = this.box.encrypt(password);
    await this.#applyToOne(userId, account, productType, { password_enc: passwordEnc });
  }

  async changeRemark(userId: number, account: string, remark: string, productType?: number): Promise<void> {
    const errors: Record<string, string> = {};
    if (!isValidName(account)) errors.account = NAME_RULE;
    const problem = remarkProblem(remark);
    if (problem) errors.remark = problem;
    if (Object.keys(errors).length > 0) throw invalidParams(errors);
    await this.#applyToOne(userId, account, productType, { remark });
  }

  async changeLimit(userId: number, account: string, limitGb: number, productType?: number): Promise<void> {
    const errors: Record<string, string> = {};
    if (!isValidName(account)) errors.account = NAME_RULE;
    if (!Number.isInteger(limitGb) || limitGb < 0 || limitGb > LIMIT_MAX_GB)
      errors.limit = `an integer from 0 to ${LIMIT_MAX_GB} (GB; 0 = unlimited)`;
    if (Object.keys(errors).length > 0) throw invalidParams(errors);
    await this.#applyToOne(userId, account, productType, { limit_gb: limitGb });
  }

  /**
   * The newer release's `proxy-account/change`: any of password (6-16 letters and digits), remark, limit,
   * daily limit, status and udp of one account, in one transaction. Every field is checked before anything is
   * written; at least one must be given. Gateways reload the account through the change feed (a new password or
   * a disabled status closes its connections; a lower limit or daily limit cuts them when already reached).
   */
  async change(userId: number, account: string, change: SubAccountChange, productType?: number): Promise<void> {
    const errors: Record<string, string> = {};
    if (!isValidName(account)) errors.account = NAME_RULE;
    const patch: {
      password_enc?: string;
      remark?: string;
      limit_gb?: number;
      daily_limit_gb?: number;
      status?: number;
      udp?: number;
    } = {};
    if (change.password !== undefined) {
      if (isValidChangePassword(change.password)) patch.password_enc = this.box.encrypt(change.password);
      else errors.password = `letters and digits only, ${CHANGE_PASSWORD_MIN}-${CHANGE_PASSWORD_MAX} characters`;
    }
    if (change.remark !== undefined) {
      const problem = remarkProblem(change.remark);
      if (problem) errors.remark = problem;
      else patch.remark = change.remark;
    }
    if (change.limitGb !== undefined) {
      if (isValidLimitGb(change.limitGb)) patch.limit_gb = change.limitGb;
      else errors.limit = `an integer from 0 to ${LIMIT_MAX_GB} (GB; 0 = unlimited)`;
    }
    if (change.dailyLimitGb !== undefined) {
      if (isValidLimitGb(change.dailyLimitGb)) patch.daily_limit_gb = change.dailyLimitGb;
      else errors.daily_limit = `an integer from 0 to ${LIMIT_MAX_GB} (GB per day; 0 = none)`;
    }
    if (change.status !== undefined) {
      if (change.status === 0 || change.status === 1) patch.status = change.status;
      else errors.status = '1 (enabled) or 0 (disabled)';
    }
    if (change.udp !== undefined) {
      if (change.udp === 0 || change.udp === 1) patch.udp = change.udp;
      else errors.udp = '1 (SOCKS5 UDP allowed) or 0 (refused)';
    }
    if (Object.keys(errors).length > 0) throw invalidParams(errors);
    if (Object.keys(patch).length === 0) {
      throw invalidParams({ account: 'nothing to change: give password, remark, limit, daily_limit, status or udp' });
    }
    await this.#applyToOne(userId, account, productType, patch);
  }

  #checkSize(value: string): void {
    const count = splitBatch(value).length;
    if (count > this.options.batchMax) {
      throw new AppError('TG_ERR_ACCOUNT_BATCH_TOO_LARGE', { params: { max: this.options.batchMax, count } });
    }
  }

  #checkBatch<T>(batch: ParsedBatch<T>, rule: string): void {
    if (batch.invalid.length > 0) {
      throw invalidParams({ accounts: `invalid entries: ${listNames(batch.invalid)}; ${rule}` }, { invalid: batch.invalid });
    }
    if (batch.items.length === 0) throw invalidParams({ accounts: 'no accounts given' });
  }

  async #applyToBatch(
    userId: number,
    accounts: string,
    productType: number | undefined,
    apply: (repo: SubAccountsRepository, ids: number[]) => Promise<void>,
  ): Promise<void> {
    this.#checkSize(accounts);
    const batch = parseNameBatch(accounts);
    this.#checkBatch(batch, NAME_RULE);
    await this.db.transaction().execute(async (trx) => {
      const repo = this.#repo(trx);
      const owned = await repo.findOwned(userId, batch.items, productType);
      const found = new Set(owned.map((o) => o.username));
      const missing = batch.items.filter((n) => !found.has(n));
      if (missing.length > 0) throw notFound(missing);
      const ids = owned.map((o) => o.id);
      await apply(repo, ids);
      await repo.recordChange(ids, this.#now());
    });
  }

  async #applyToOne(
    userId: number,
    account: string,
    productType: number | undefined,
    patch: Updateable<SubAccountsTable>,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const repo = this.#repo(trx);
      const owned = await repo.findOwned(userId, [account], productType);
      if (owned.length === 0) throw notFound([account]);
      const ids = owned.map((o) => o.id);
      await repo.updateByIds(ids, { ...patch, updated_at: this.#now() });
      await repo.recordChange(ids, this.#now());
    });
  }

  #toSubAccount(userId: number, row: ListedRow): SubAccount {
    return {
      id: row.id,
      userId,
      productType: row.product_type,
      username: row.username,
      password: this.box.decrypt(row.password_enc),
      remark: row.remark,
      limitGb: row.limit_gb,
      dailyLimitGb: row.daily_limit_gb,
      udp: row.udp === 1,
      usedBytes: row.used_bytes,
      status: row.status,
      createdAt: row.created_at,
    };
  }
}

function nameTaken(names: string[]): AppError {
  return new AppError('TG_ERR_ACCOUNT_NAME_TAKEN', { params: { names: listNames(names) }, data: { accounts: names } });
}

function notFound(names: string[]): AppError {
  return new AppError('TG_ERR_ACCOUNT_NOT_FOUND', { params: { names: listNames(names) }, data: { accounts: names } });
}
