import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Invoice, InvoiceableOrder, InvoiceProfile, InvoicesService } from '../../../billing/invoices/index.js';
import { moneyNumber } from '../../../billing/money.js';
import type { TimeFormatter } from '../../../time/time-format.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/invoices.js';
import { customerOf } from './context.js';

export interface InvoiceRoutesDeps {
  readonly invoices: InvoicesService;
  readonly time: TimeFormatter;
}

/** A PDF answer named by the invoice number. */
export function pdfFileName(invoice: Invoice): string {
  return `invoice-${(invoice.number ?? String(invoice.id)).replace(/[^A-Za-z0-9._-]/g, '_')}.pdf`;
}

/**
 * The newer release's invoices (`user-invoice/*`): profiles, the orders that can be invoiced, requests and
 * their records, and the PDF once the operator has issued one. Reading needs `view_billing` in a team,
 * changing needs `pay`.
 */
export const invoiceRoutes: FastifyPluginAsyncTypebox<InvoiceRoutesDeps> = async (app, { invoices, time }) => {
  const profileView = (p: InvoiceProfile) => ({
    id: p.id,
    kind: p.kind,
    title: p.title,
    tax_no: p.taxNo,
    email: p.email,
    address: p.address,
    remark: p.remark,
    created_at: time.format(p.createdAt),
  });
  const orderView = (o: InvoiceableOrder) => ({
    trade_no: o.tradeNo,
    product_name: o.productName,
    product_type: o.productType,
    amount: moneyNumber(o.amountCents),
    pay_at: time.format(o.paidAt),
  });
  const invoiceView = (i: Invoice) => ({
    id: i.id,
    number: i.number ?? '',
    status: i.status,
    kind: i.kind,
    title: i.title,
    tax_no: i.taxNo,
    email: i.email,
    address: i.address,
    remark: i.remark,
    amount: moneyNumber(i.amountCents),
    reason: i.reason,
    orders: i.orders.map(orderView),
    created_at: time.format(i.createdAt),
    issued_at: i.issuedAt === null ? '' : time.format(i.issuedAt),
  });
  const read = { team: 'view_billing' } as const;
  const write = { write: true, team: 'pay' } as const;
  const profileInput = (b: {
    kind: string;
    title: string;
    tax_no?: string;
    email?: string;
    address?: string;
    remark?: string;
  }) => ({
    kind: b.kind,
    title: b.title,
    taxNo: b.tax_no,
    email: b.email,
    address: b.address,
    remark: b.remark,
  });

  app.get('/user-invoice/list', { schema: S.ProfileList, config: read }, async (request) =>
    ok({ list: (await invoices.profiles(customerOf(request).id)).map(profileView) }, languageOf(request)),
  );

  app.post('/user-invoice/add', { schema: S.ProfileAdd, config: write }, async (request) =>
    ok(profileView(await invoices.addProfile(customerOf(request).id, profileInput(request.body))), languageOf(request)),
  );

  app.post('/user-invoice/update', { schema: S.ProfileUpdate, config: write }, async (request) =>
    ok(
      profileView(await invoices.updateProfile(customerOf(request).id, request.body.id, profileInput(request.body))),
      languageOf(request),
    ),
  );

  app.post('/user-invoice/delete', { schema: S.ProfileDelete, config: write }, async (request) => {
    await invoices.deleteProfile(customerOf(request).id, request.body.id);
    return ok(null, languageOf(request));
  });

  app.get('/user-invoice/record-list', { schema: S.RecordList, config: read }, async (request) => {
    const q = request.query;
    const { items, total, page, size } = await invoices.records(customerOf(request).id, {
      status: q.status,
      page: q.page,
      size: q.page_size,
    });
    return ok({ list: items.map(invoiceView), page, page_size: size, total }, languageOf(request));
  });

  app.get('/user-invoice/statistics', { schema: S.Statistics, config: read }, async (request) => {
    const s = await invoices.statistics(customerOf(request).id);
    return ok(
      {
        invoiceable_amount: moneyNumber(s.invoiceableCents),
        invoiced_amount: moneyNumber(s.invoicedCents),
        processing_amount: moneyNumber(s.processingCents),
      },
      languageOf(request),
    );
  });

  app.get('/user-invoice/invoiceable-orders', { schema: S.InvoiceableOrders, config: read }, async (request) => {
    const q = request.query;
    const r = await invoices.invoiceableOrders(customerOf(request).id, q.page, q.page_size);
    return ok(
      { list: r.items.map(orderView), total_amount: moneyNumber(r.sumCents), page: r.page, page_size: r.size, total: r.total },
      languageOf(request),
    );
  });

  app.post('/user-invoice/apply', { schema: S.Apply, config: write }, async (request) => {
    const b = request.body;
    const tradeNos = typeof b.trade_nos === 'string' ? b.trade_nos.split(',') : b.trade_nos;
    const invoice = await invoices.request(customerOf(request).id, { profileId: b.profile_id, tradeNos, remark: b.remark });
    return ok(invoiceView(invoice), languageOf(request));
  });

  app.post('/user-invoice/cancel', { schema: S.Cancel, config: write }, async (request) =>
    ok(invoiceView(await invoices.cancel(customerOf(request).id, request.body.id)), languageOf(request)),
  );

  app.get('/user-invoice/download', { schema: S.Download, config: read }, async (request, reply) => {
    const { invoice, pdf } = await invoices.pdf(request.query.id, customerOf(request).id);
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="${pdfFileName(invoice)}"`)
      .send(pdf);
  });
};
