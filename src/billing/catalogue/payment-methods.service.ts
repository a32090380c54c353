import type { Kysely } from 'kysely';
import { generateAppKey, type SecretBox } from '../../accounts/index.js';
import { AppError, invalidParams, type Language } from '../../errors/index.js';
import { BALANCE_TYPES } from '../../products/index.js';
import type { Database } from '../../storage/index.js';
import { moneyText } from '../money.js';
import {
  BALANCE_GROUP,
  type NewPaymentMethod,
  PAYMENT_GROUP_MAX,
  PAYMENT_LOGO_MAX,
  PAYMENT_SECRET_MAX,
  PAYMENT_SECRET_MIN,
  PAYMENT_SORT_MAX,
  PAYMENT_TITLE_MAX,
  PAYMENT_URL_MAX,
  type PaymentGroup,
  type PaymentKind,
  type PaymentMethod,
  type PaymentMethodPatch,
} from './catalogue.types.js';
import { type PaymentMethodRow, PaymentMethodsRepository } from './payment-methods.repository.js';
import type { CatalogueServiceOptions } from './products.service.js';
import { type Check, checkInteger, checkMoney, checkText, FieldErrors, isHttpUrl } from './rules.js';

/** Names shown for groups whose name is left empty, and for the balance method's title. */
const DEFAULT_GROUP_NAMES: Readonly<Record<string, Record<Language, string>>> = {
  [BALANCE_GROUP]: { zh: '余额', en: 'Balance' },
  online: { zh: '在线支付', en: 'Online payment' },
  offline: { zh: '线下转账', en: 'Bank transfer' },
};

const DEFAULT_GROUP_OF: Readonly<Record<string, string>> = { external: 'online', manual: 'offline' };

const GROUP_CODE = /^[A-Za-z0-9_-]+$/;
const SECRET = /^[\x21-\x7e]+$/;

/** Whether `method` may pay an order of `productType`: what credits the balance (top-ups 3, make-up payments 26) cannot be paid from it. */
export function mayPayFor(method: Pick<PaymentMethod, 'kind'>, productType: number): boolean {
  return !(method.kind === 'balance' && BALANCE_TYPES.includes(productType));
}

/** Whether `cents` is within the method's bounds (max 0: no upper bound). */
export function amountInRange(method: Pick<PaymentMethod, 'minCents' | 'maxCents'>, cents: number): boolean {
  return cents >= method.minCents && (method.maxCents === 0 || cents <= method.maxCents);
}

/** The pay URL of an order: `{trade_no}` and `{amount}` (2 decimals) filled in. */
export function fillPayUrl(template: string, tradeNo: string, amountCents: number): string {
  return template.replaceAll('{trade_no}', encodeURIComponent(tradeNo)).replaceAll('{amount}', moneyText(amountCents));
}

/**
 * Payment methods: the built-in balance (exactly one, created on first need), external methods (a pay URL,
 * and a signing secret for their webhooks, stored encrypted and shown only when created or rotated) and
 * manual ones (bank transfer; the operator marks orders paid). Methods are disabled, never deleted.
 */
export class PaymentMethodsService {
  readonly #now: () => number;

  /** @param box a SecretBox for purpose 'payment-secret'. */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: SecretBox,
    options: CatalogueServiceOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
  }

  /** The balance method, created (titled 余额 / Balance, group `balance`) when there is none. */
  async ensureBalanceMethod(): Promise<PaymentMethod> {
    const found = await new PaymentMethodsRepository(this.db).firstOfKind('balance');
    if (found) return this.#toMethod(found);
    const row = await this.db.transaction().execute(async (trx) => {
      const repo = new PaymentMethodsRepository(trx);
      const again = await repo.firstOfKind('balance');
      if (again) return again;
      const now = this.#now();
      return repo.insert({
        kind: 'balance',
        title: '',
        logo: '',
        group_code: BALANCE_GROUP,
        group_name: '',
        secret_enc: '',
        pay_url: '',
        disabled: 0,
        min_cents: 0,
        max_cents: 0,
        sort: 0,
        created_at: now,
        updated_at: now,
      });
    });
    return this.#toMethod(row);
  }

  /** Adds an external or manual method; answers it and, for external ones, the signing secret (shown only now). */
  async add(input: NewPaymentMethod): Promise<{ method: PaymentMethod; secret: string | undefined }> {
    const f = new FieldErrors();
    const kind = input.kind === 'external' || input.kind === 'manual' ? input.kind : undefined;
    if (!kind) {
      f.add(
        'kind',
        input.kind === 'balance' ? 'the balance method is built in; add external or manual methods' : 'external or manual',
      );
    }
    const title = f.take('title', checkText(input.title, PAYMENT_TITLE_MAX));
    const logo = f.take('logo', checkLogo(input.logo ?? ''));
    const group = f.take('group', checkGroup(input.group ?? DEFAULT_GROUP_OF[kind ?? 'external'] ?? 'online'));
    const groupName = f.take('group_name', checkText(input.groupName ?? '', PAYMENT_TITLE_MAX, true));
    const payUrl = f.take('pay_url', checkPayUrl(input.payUrl ?? '', kind === 'external'));
    let secret: string | undefined;
    if (kind === 'external') secret = input.secret === undefined ? generateAppKey() : f.take('secret', checkSecret(input.secret));
    else if (input.secret !== undefined) f.add('secret', 'only external methods have a signing secret');
    const minCents = f.take('min', checkMoney(input.min ?? 0));
    const maxCents = f.take('max', checkMoney(input.max ?? 0));
    const sort = f.take('sort', checkInteger(input.sort ?? 0, -PAYMENT_SORT_MAX, PAYMENT_SORT_MAX));
    if (minCents !== undefined && maxCents !== undefined) checkBounds(minCents, maxCents, f);
    if (
      f.any ||
      !kind ||
      title === undefined ||
      logo === undefined ||
      group === undefined ||
      groupName === undefined ||
      payUrl === undefined ||
      minCents === undefined ||
      maxCents === undefined ||
      sort === undefined
    ) {
      throw invalidParams(f.errors);
    }
    const now = this.#now();
    const row = await new PaymentMethodsRepository(this.db).insert({
      kind,
      title,
      logo,
      group_code: group,
      group_name: groupName,
      secret_enc: secret === undefined ? '' : this.box.encrypt(secret),
      pay_url: payUrl,
      disabled: input.disabled ? 1 : 0,
      min_cents: minCents,
      max_cents: maxCents,
      sort,
      created_at: now,
      updated_at: now,
    });
    return { method: this.#toMethod(row), secret };
  }

  /** Every method (disabled ones too), by sort then id; the balance method is created first when missing. */
  async list(lang: Language = 'zh'): Promise<PaymentMethod[]> {
    const balance = await this.ensureBalanceMethod();
    const rows = await new PaymentMethodsRepository(this.db).list();
    // Only the first balance method counts (should two processes ever have created one each).
    return rows.filter((r) => r.kind !== 'balance' || Number(r.id) === balance.id).map((r) => this.#toMethod(r, lang));
  }

  /**
   * The method; TG_ERR_PAYMENT_METHOD_NOT_FOUND when there is none. `secret` is decrypted for external
   * methods. Pass a transaction as `db` to read inside it.
   */
  async get(id: number, db: Kysely<Database> = this.db): Promise<PaymentMethod> {
    const row = await new PaymentMethodsRepository(db).findById(id);
    if (!row) throw new AppError('TG_ERR_PAYMENT_METHOD_NOT_FOUND', { params: { pm_id: id } });
    return this.#toMethod(row);
  }

  /** Changes the given fields. The balance method takes title, logo, group_name, disabled, min, max and sort. */
  async update(id: number, patch: PaymentMethodPatch): Promise<PaymentMethod> {
    const f = new FieldErrors();
    const title = patch.title === undefined ? undefined : f.take('title', checkText(patch.title, PAYMENT_TITLE_MAX, true));
    const logo = patch.logo === undefined ? undefined : f.take('logo', checkLogo(patch.logo));
    const group = patch.group === undefined ? undefined : f.take('group', checkGroup(patch.group));
    const groupName =
      patch.groupName === undefined ? undefined : f.take('group_name', checkText(patch.groupName, PAYMENT_TITLE_MAX, true));
    const minCents = patch.min === undefined ? undefined : f.take('min', checkMoney(patch.min));
    const maxCents = patch.max === undefined ? undefined : f.take('max', checkMoney(patch.max));
    const sort =
      patch.sort === undefined ? undefined : f.take('sort', checkInteger(patch.sort, -PAYMENT_SORT_MAX, PAYMENT_SORT_MAX));
    if (f.any) throw invalidParams(f.errors);
    const row = await this.db.transaction().execute(async (trx) => {
      const repo = new PaymentMethodsRepository(trx);
      const current = await repo.findById(id);
      if (!current) throw new AppError('TG_ERR_PAYMENT_METHOD_NOT_FOUND', { params: { pm_id: id } });
      const kind = current.kind as PaymentKind;
      if (kind === 'balance') {
        if (group !== undefined) f.add('group', 'the balance method stays in group balance');
        if (patch.payUrl !== undefined) f.add('pay_url', 'the balance method has no pay URL');
      } else if (title === '') f.add('title', 'must not be empty');
      const payUrl = patch.payUrl === undefined ? undefined : f.take('pay_url', checkPayUrl(patch.payUrl, kind === 'external'));
      checkBounds(minCents ?? Number(current.min_cents), maxCents ?? Number(current.max_cents), f);
      if (f.any) throw invalidParams(f.errors);
      return repo.update(id, {
        ...(title !== undefined ? { title } : {}),
        ...(logo !== undefined ? { logo } : {}),
        ...(group !== undefined ? { group_code: group } : {}),
        ...(groupName !== undefined ? { group_name: groupName } : {}),
        ...(payUrl !== undefined ? { pay_url: payUrl } : {}),
        ...(patch.disabled !== undefined ? { disabled: patch.disabled ? 1 : 0 } : {}),
        ...(minCents !== undefined ? { min_cents: minCents } : {}),
        ...(maxCents !== undefined ? { max_cents: maxCents } : {}),
        ...(sort !== undefined ? { sort } : {}),
        updated_at: this.#now(),
      });
    });
    if (!row) throw new AppError('TG_ERR_PAYMENT_METHOD_NOT_FOUND', { params: { pm_id: id } });
    return this.#toMethod(row);
  }

  /** A new signing secret for an external method (the given one, or generated); the old one stops at once. Shown only now. */
  async rotateSecret(id: number, secret?: string): Promise<{ method: PaymentMethod; secret: string }> {
    const f = new FieldErrors();
    const next = secret === undefined ? generateAppKey() : f.take('secret', checkSecret(secret));
    if (f.any || next === undefined) throw invalidParams(f.errors);
    const repo = new PaymentMethodsRepository(this.db);
    const current = await repo.findById(id);
    if (!current) throw new AppError('TG_ERR_PAYMENT_METHOD_NOT_FOUND', { params: { pm_id: id } });
    if (current.kind !== 'external') throw invalidParams({ kind: 'only external methods have a signing secret' });
    const row = await repo.update(id, { secret_enc: this.box.encrypt(next), updated_at: this.#now() });
    if (!row) throw new AppError('TG_ERR_PAYMENT_METHOD_NOT_FOUND', { params: { pm_id: id } });
    return { method: this.#toMethod(row), secret: next };
  }

  /**
   * payment/groups: the methods grouped by `group`, groups and items by sort then id, disabled ones included
   * (marked). With `tradeNo` (one of the caller's orders; TG_ERR_ORDER_NOT_FOUND otherwise), only the methods
   * that may pay it: not the balance for a top-up (3) or make-up payment (26), and only those whose min/max
   * admit its pay_fee.
   */
  async groups(userId: number, tradeNo: string | undefined, lang: Language): Promise<PaymentGroup[]> {
    let methods = await this.list(lang);
    if (tradeNo !== undefined) {
      const order = await new PaymentMethodsRepository(this.db).findOrder(userId, tradeNo);
      if (!order) throw new AppError('TG_ERR_ORDER_NOT_FOUND');
      const fee = Number(order.pay_fee_cents);
      methods = methods.filter((m) => mayPayFor(m, order.product_type) && amountInRange(m, fee));
    }
    const groups = new Map<string, { name: string; logos: string[]; items: PaymentMethod[] }>();
    for (const method of methods) {
      let group = groups.get(method.group);
      if (!group) {
        const named = method.groupName !== '' ? method.groupName : (DEFAULT_GROUP_NAMES[method.group]?.[lang] ?? method.group);
        group = { name: named, logos: [], items: [] };
        groups.set(method.group, group);
      }
      group.items.push(method);
      if (method.logo !== '' && !group.logos.includes(method.logo)) group.logos.push(method.logo);
    }
    return [...groups.values()];
  }

  /** The balance method's title, when the operator set none, is 余额 (Balance in English). */
  #toMethod(row: PaymentMethodRow, lang: Language = 'zh'): PaymentMethod {
    const kind = row.kind as PaymentKind;
    let secret: string | undefined;
    if (kind === 'external' && row.secret_enc !== '') {
      try {
        secret = this.box.decrypt(row.secret_enc);
      } catch {
        // Sealed under another TOLLGATE_SECRET: no webhook can verify until the secret is rotated.
        secret = undefined;
      }
    }
    return {
      id: Number(row.id),
      kind,
      title: row.title === '' && kind === 'balance' ? (DEFAULT_GROUP_NAMES[BALANCE_GROUP]?.[lang] ?? '') : row.title,
      logo: row.logo,
      group: row.group_code,
      groupName: row.group_name,
      disabled: row.disabled === 1,
      minCents: Number(row.min_cents),
      maxCents: Number(row.max_cents),
      sort: row.sort,
      secret,
      payUrl: row.pay_url,
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
    };
  }
}

function checkLogo(input: string): Check<string> {
  const text = input.trim();
  if (text === '') return { ok: true, value: '' };
  if (text.length > PAYMENT_LOGO_MAX) return { ok: false, reason: `at most ${PAYMENT_LOGO_MAX} characters` };
  return isHttpUrl(text) ? { ok: true, value: text } : { ok: false, reason: 'an http(s) URL, or empty' };
}

function checkGroup(input: string): Check<string> {
  const text = input.trim();
  if (!GROUP_CODE.test(text) || text.length > PAYMENT_GROUP_MAX) {
    return { ok: false, reason: `letters, digits, _ and -, 1-${PAYMENT_GROUP_MAX} characters` };
  }
  return { ok: true, value: text };
}

/** External methods need an http(s) URL naming {trade_no}; manual ones may link their instructions. */
function checkPayUrl(input: string, external: boolean): Check<string> {
  const text = input.trim();
  if (text === '') return external ? { ok: false, reason: 'is required for external methods' } : { ok: true, value: '' };
  if (text.length > PAYMENT_URL_MAX) return { ok: false, reason: `at most ${PAYMENT_URL_MAX} characters` };
  if (!isHttpUrl(fillPayUrl(text, '1', 100))) return { ok: false, reason: 'an http(s) URL' };
  if (external && !text.includes('{trade_no}')) return { ok: false, reason: 'must contain {trade_no}' };
  return { ok: true, value: text };
}

function checkSecret(input: string): Check<string> {
  if (input.length < PAYMENT_SECRET_MIN || input.length > PAYMENT_SECRET_MAX || !SECRET.test(input)) {
    return {
      ok: false,
      reason: `${PAYMENT_SECRET_MIN}-${PAYMENT_SECRET_MAX} printable ASCII characters without spaces`,
    };
  }
  return { ok: true, value: input };
}

function checkBounds(minCents: number, maxCents: number, f: FieldErrors): void {
  if (maxCents !== 0 && maxCents < minCents) f.add('max', 'must be 0 (no limit) or at least min');
}
