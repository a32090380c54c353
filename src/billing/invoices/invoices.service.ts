import type { Kysely } from 'kysely';
import { AppError, invalidParams, listNames } from '../../errors/index.js';
import type { Database, DialectCapabilities } from '../../storage/index.js';
import type { TimeFormatter } from '../../time/time-format.js';
import { renderInvoicePdf } from './invoice-pdf.js';
import { InvoicesRepository } from './invoices.repository.js';
import {
  type Invoice,
  INVOICE_ADDRESS_MAX,
  INVOICE_KINDS,
  INVOICE_NUMBER_MAX,
  INVOICE_ORDERS_MAX,
  INVOICE_PAGE_SIZE_MAX,
  INVOICE_PROFILES_MAX,
  INVOICE_REMARK_MAX,
  INVOICE_STATUS,
  INVOICE_STATUS_NAMES,
  INVOICE_TAX_NO_MAX,
  INVOICE_TITLE_MAX,
  type InvoiceableOrder,
  type InvoiceKind,
  type InvoicePage,
  type InvoiceProfile,
  type InvoiceProfileInput,
  type InvoiceStatistics,
} from './invoices.types.js';

export interface InvoicesServiceOptions {
  /** Who issues invoices: the lines at the top of the PDF (TOLLGATE_INVOICE_SELLER). */
  readonly seller: readonly string[];
  readonly now?: () => number;
}

type InvoiceRow = NonNullable<Awaited<ReturnType<InvoicesRepository['findInvoice']>>>;
type ProfileRow = NonNullable<Awaited<ReturnType<InvoicesRepository['profile']>>>;

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const NUMBER = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

function toProfile(r: ProfileRow): InvoiceProfile {
  return {
    id: Number(r.id),
    kind: r.kind as InvoiceKind,
    title: r.title,
    taxNo: r.tax_no,
    email: r.email,
    address: r.address,
    remark: r.remark,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function toInvoice(r: InvoiceRow, orders: readonly InvoiceableOrder[]): Invoice {
  return {
    id: Number(r.id),
    userId: Number(r.user_id),
    kind: r.kind,
    title: r.title,
    taxNo: r.tax_no,
    email: r.email,
    address: r.address,
    remark: r.remark,
    amountCents: Number(r.amount_cents),
    status: r.status,
    number: r.number,
    reason: r.reason,
    createdAt: Number(r.created_at),
    issuedAt: r.issued_at === null ? null : Number(r.issued_at),
    closedAt: r.closed_at === null ? null : Number(r.closed_at),
    orders,
  };
}

function statusError(status: number): AppError {
  const name = INVOICE_STATUS_NAMES[status] ?? String(status);
  return new AppError('TG_ERR_INVOICE_STATUS', { params: { status: name }, data: { status } });
}

/** A text field: trimmed, within `max`, no control characters. */
function text(errors: Record<string, string>, field: string, value: string | undefined, max: number, required = false): string {
  const v = (value ?? '').trim();
  if (required && v === '') errors[field] = 'is required';
  else if (v.length > max) errors[field] = `at most ${max} characters`;
  else if (CONTROL.test(v)) errors[field] = 'no control characters';
  return v;
}

function pageOf(page: number | undefined, size: number | undefined): { page: number; size: number } {
  const p = page ?? 1;
  const s = size ?? 20;
  const errors: Record<string, string> = {};
  if (!Number.isSafeInteger(p) || p < 1) errors.page = 'an integer ≥ 1';
  if (!Number.isInteger(s) || s < 1 || s > INVOICE_PAGE_SIZE_MAX) errors.page_size = `1-${INVOICE_PAGE_SIZE_MAX}`;
  if (Object.keys(errors).length > 0) throw invalidParams(errors);
  return { page: p, size: s };
}

/**
 * Invoice profiles and invoices of a space (a user or a team's space: the routes pass the acting customer's id),
 * and the operator's side: issue (a number and the PDF), reject, void. Every change is one guarded transaction:
 * an order is on one counting invoice at most (invoice_orders' key), so two concurrent requests naming one order
 * cannot both succeed.
 */
export class InvoicesService {
  readonly #now: () => number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly caps: DialectCapabilities,
    private readonly time: TimeFormatter,
    private readonly options: InvoicesServiceOptions,
  ) {
    this.#now = options.now ?? Date.now;
  }

  #repo(db: Kysely<Database> = this.db): InvoicesRepository {
    return new InvoicesRepository(db, this.caps);
  }

  async profiles(userId: number): Promise<InvoiceProfile[]> {
    return (await this.#repo().profiles(userId)).map(toProfile);
  }

  #checkProfile(input: InvoiceProfileInput) {
    const errors: Record<string, string> = {};
    const kind = input.kind.trim();
    if (!(INVOICE_KINDS as readonly string[]).includes(kind)) errors.kind = `one of ${INVOICE_KINDS.join(', ')}`;
    const title = text(errors, 'title', input.title, INVOICE_TITLE_MAX, true);
    const taxNo = text(errors, 'tax_no', input.taxNo, INVOICE_TAX_NO_MAX);
    if (kind === 'company' && taxNo === '' && !errors.tax_no) errors.tax_no = 'is required for a company';
    const email = text(errors, 'email', input.email, 254);
    if (email !== '' && !errors.email && !EMAIL.test(email)) errors.email = 'an email address';
    const address = text(errors, 'address', input.address, INVOICE_ADDRESS_MAX);
    const remark = text(errors, 'remark', input.remark, INVOICE_REMARK_MAX);
    if (Object.keys(errors).length > 0) throw invalidParams(errors);
    return { kind, title, tax_no: taxNo, email, address, remark };
  }

  /** Adds a profile (at most INVOICE_PROFILES_MAX per space). */
  async addProfile(userId: number, input: InvoiceProfileInput): Promise<InvoiceProfile> {
    const fields = this.#checkProfile(input);
    const now = this.#now();
    const row = await this.db.transaction().execute(async (trx) => {
      const repo = this.#repo(trx);
      await repo.lockUser(userId);
      if ((await repo.countProfiles(userId)) >= INVOICE_PROFILES_MAX) {
        throw new AppError('TG_ERR_INVOICE_PROFILE_LIMIT', { params: { max: INVOICE_PROFILES_MAX } });
      }
      return repo.insertProfile({ user_id: userId, ...fields, created_at: now, updated_at: now });
    });
    return toProfile(row);
  }

  /** Replaces a profile's fields; invoices already requested keep what they copied. */
  async updateProfile(userId: number, id: number, input: InvoiceProfileInput): Promise<InvoiceProfile> {
    const fields = this.#checkProfile(input);
    const row = await this.#repo().updateProfile(userId, id, { ...fields, updated_at: this.#now() });
    if (!row) throw new AppError('TG_ERR_INVOICE_PROFILE_NOT_FOUND');
    return toProfile(row);
  }

  async deleteProfile(userId: number, id: number): Promise<void> {
    if (!(await this.#repo().deleteProfile(userId, id))) throw new AppError('TG_ERR_INVOICE_PROFILE_NOT_FOUND');
  }

  /** The space's orders that can be invoiced now, oldest paid first. */
  async invoiceableOrders(
    userId: number,
    page?: number,
    size?: number,
  ): Promise<InvoicePage<InvoiceableOrder> & { sumCents: number }> {
    const p = pageOf(page, size);
    const { rows, total, sum } = await this.#repo().invoiceableOrders(userId, (p.page - 1) * p.size, p.size);
    return { items: rows, total, page: p.page, size: p.size, sumCents: sum };
  }

  async statistics(userId: number): Promise<InvoiceStatistics> {
    const repo = this.#repo();
    const [{ sum }, sums] = await Promise.all([repo.invoiceableOrders(userId, 0, 1), repo.sumsByStatus(userId)]);
    return {
      invoiceableCents: sum,
      invoicedCents: sums.get(INVOICE_STATUS.ISSUED) ?? 0,
      processingCents: sums.get(INVOICE_STATUS.REQUESTED) ?? 0,
    };
  }

  /**
   * Requests an invoice made out to profile `profileId` for the space's orders `tradeNos` (1-INVOICE_ORDERS_MAX,
   * each invoiceable: TG_ERR_INVOICE_ORDERS_INVALID names the others, and nothing changes).
   */
  async request(
    userId: number,
    input: { profileId: number; tradeNos: readonly string[]; remark?: string | undefined },
  ): Promise<Invoice> {
    const errors: Record<string, string> = {};
    const tradeNos = [...new Set(input.tradeNos.map((t) => t.trim()).filter((t) => t !== ''))];
    if (tradeNos.length === 0) errors.trade_nos = 'one or more order numbers from user-invoice/invoiceable-orders';
    else if (tradeNos.length > INVOICE_ORDERS_MAX) errors.trade_nos = `at most ${INVOICE_ORDERS_MAX} orders`;
    else if (tradeNos.some((t) => t.length > 64)) errors.trade_nos = 'order numbers are at most 64 characters';
    const remark = text(errors, 'remark', input.remark, INVOICE_REMARK_MAX);
    if (Object.keys(errors).length > 0) throw invalidParams(errors);
    const now = this.#now();
    const { row, orders } = await this.db.transaction().execute(async (trx) => {
      const repo = this.#repo(trx);
      await repo.lockUser(userId);
      const profile = await repo.profile(userId, input.profileId);
      if (!profile) throw new AppError('TG_ERR_INVOICE_PROFILE_NOT_FOUND');
      const found = await repo.invoiceableByTradeNo(userId, tradeNos);
      const ok = new Set(found.map((o) => o.tradeNo));
      const refused = tradeNos.filter((t) => !ok.has(t));
      if (refused.length > 0) {
        throw new AppError('TG_ERR_INVOICE_ORDERS_INVALID', {
          params: { trade_nos: listNames(refused) },
          data: { trade_nos: refused },
        });
      }
      const row = await repo.insertInvoice({
        user_id: userId,
        kind: profile.kind,
        title: profile.title,
        tax_no: profile.tax_no,
        email: profile.email,
        address: profile.address,
        remark,
        amount_cents: found.reduce((sum, o) => sum + o.amountCents, 0),
        status: INVOICE_STATUS.REQUESTED,
        number: null,
        reason: '',
        created_at: now,
        issued_at: null,
        closed_at: null,
        updated_at: now,
      });
      await repo.coverOrders(Number(row.id), found);
      return { row, orders: found };
    });
    return toInvoice(row, orders);
  }

  /** The space's invoices, newest first, optionally of one status. */
  async records(userId: number, filter: { status?: number | undefined; page?: number | undefined; size?: number | undefined }) {
    return this.#page({ userId, status: filter.status }, filter.page, filter.size);
  }

  /** The customer withdraws a request the operator has not handled yet; its orders can be invoiced again. */
  async cancel(userId: number, id: number): Promise<Invoice> {
    return this.#close(id, userId, INVOICE_STATUS.REQUESTED, INVOICE_STATUS.CANCELLED, '');
  }

  /** One of the space's invoices (any status). */
  async get(id: number, userId?: number): Promise<Invoice> {
    const repo = this.#repo();
    const row = await repo.findInvoice(id, userId);
    if (!row) throw new AppError('TG_ERR_INVOICE_NOT_FOUND');
    return toInvoice(row, (await repo.ordersOf([id])).get(id) ?? []);
  }

  /** The operator's list: every space's invoices, newest first. */
  async list(filter: {
    userId?: number | undefined;
    status?: number | undefined;
    page?: number | undefined;
    size?: number | undefined;
  }) {
    return this.#page({ userId: filter.userId, status: filter.status }, filter.page, filter.size);
  }

  /**
   * The operator issues a requested invoice: its number (given, or `INV` + the local issue day + the id) and the
   * issue time, after which its PDF can be downloaded. A number in use: TG_ERR_INVOICE_NUMBER_TAKEN.
   */
  async issue(id: number, number?: string): Promise<Invoice> {
    const now = this.#now();
    let chosen = number?.trim();
    if (chosen !== undefined && (chosen === '' || chosen.length > INVOICE_NUMBER_MAX || !NUMBER.test(chosen))) {
      throw invalidParams({ number: `1-${INVOICE_NUMBER_MAX} letters, digits and . _ / -, starting with a letter or digit` });
    }
    chosen ??= `INV${this.time.day(now).replaceAll('-', '')}${String(id).padStart(6, '0')}`;
    const taken = chosen;
    await this.db.transaction().execute(async (trx) => {
      const repo = this.#repo(trx);
      const current = await repo.findInvoice(id);
      if (!current) throw new AppError('TG_ERR_INVOICE_NOT_FOUND');
      if (current.status !== INVOICE_STATUS.REQUESTED) throw statusError(current.status);
      if (await repo.numberTaken(taken)) throw new AppError('TG_ERR_INVOICE_NUMBER_TAKEN', { params: { number: taken } });
      try {
        const done = await repo.transition(id, INVOICE_STATUS.REQUESTED, {
          status: INVOICE_STATUS.ISSUED,
          number: taken,
          issued_at: now,
          updated_at: now,
        });
        if (!done) throw statusError((await repo.findInvoice(id))?.status ?? current.status);
      } catch (err) {
        // Taken by a concurrent issue between the check and the update.
        if (this.caps.isUniqueViolation(err)) throw new AppError('TG_ERR_INVOICE_NUMBER_TAKEN', { params: { number: taken } });
        throw err;
      }
    });
    return this.get(id);
  }

  /** The operator refuses a requested invoice, saying why; its orders can be invoiced again. */
  async reject(id: number, reason: string): Promise<Invoice> {
    const errors: Record<string, string> = {};
    const why = text(errors, 'reason', reason, INVOICE_REMARK_MAX, true);
    if (Object.keys(errors).length > 0) throw invalidParams(errors);
    return this.#close(id, undefined, INVOICE_STATUS.REQUESTED, INVOICE_STATUS.REJECTED, why);
  }

  /** The operator voids an issued invoice (its number stays used); its orders can be invoiced again. */
  async void(id: number, reason: string): Promise<Invoice> {
    const errors: Record<string, string> = {};
    const why = text(errors, 'reason', reason, INVOICE_REMARK_MAX, true);
    if (Object.keys(errors).length > 0) throw invalidParams(errors);
    return this.#close(id, undefined, INVOICE_STATUS.ISSUED, INVOICE_STATUS.VOIDED, why);
  }

  /** The PDF of an issued invoice (the space's, when `userId` is given). */
  async pdf(id: number, userId?: number): Promise<{ invoice: Invoice; pdf: Buffer }> {
    const invoice = await this.get(id, userId);
    if (invoice.status !== INVOICE_STATUS.ISSUED) throw statusError(invoice.status);
    return { invoice, pdf: await renderInvoicePdf(invoice, this.options.seller, this.time) };
  }

  async #close(id: number, userId: number | undefined, from: number, to: number, reason: string): Promise<Invoice> {
    const now = this.#now();
    await this.db.transaction().execute(async (trx) => {
      const repo = this.#repo(trx);
      const current = await repo.findInvoice(id, userId);
      if (!current) throw new AppError('TG_ERR_INVOICE_NOT_FOUND');
      if (current.status !== from) throw statusError(current.status);
      const done = await repo.transition(id, from, { status: to, reason, closed_at: now, updated_at: now });
      if (!done) throw statusError((await repo.findInvoice(id))?.status ?? current.status);
      await repo.releaseOrders(id);
    });
    return this.get(id, userId);
  }

  async #page(filter: { userId?: number | undefined; status?: number | undefined }, page?: number, size?: number) {
    const p = pageOf(page, size);
    const repo = this.#repo();
    const { rows, total } = await repo.invoicePage(filter, (p.page - 1) * p.size, p.size);
    const orders = await repo.ordersOf(rows.map((r) => Number(r.id)));
    const items = rows.map((r) => toInvoice(r, orders.get(Number(r.id)) ?? []));
    return { items, total, page: p.page, size: p.size } satisfies InvoicePage<Invoice>;
  }
}
