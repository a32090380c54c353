import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { adminInvoiceView, type InvoicesService } from '../../../billing/invoices/index.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/invoices.js';
import { pdfFileName } from '../customer/invoices.js';

export interface AdminInvoiceRoutesDeps {
  readonly invoices: InvoicesService;
}

/** Invoices for the operator: list, issue (number and PDF), reject, void. */
export const adminInvoiceRoutes: FastifyPluginAsyncTypebox<AdminInvoiceRoutesDeps> = async (app, { invoices }) => {
  app.get('/invoices', { schema: S.AdminListInvoices }, async (request) => {
    const q = request.query;
    const { items, total, page, size } = await invoices.list({ userId: q.user_id, status: q.status, page: q.page, size: q.size });
    return ok({ list: items.map(adminInvoiceView), page, page_size: size, total_count: total }, languageOf(request));
  });

  app.get('/invoices/:id', { schema: S.AdminGetInvoice }, async (request) =>
    ok(adminInvoiceView(await invoices.get(request.params.id)), languageOf(request)),
  );

  app.post('/invoices/:id/issue', { schema: S.AdminIssueInvoice }, async (request) =>
    ok(adminInvoiceView(await invoices.issue(request.params.id, request.body?.number)), languageOf(request)),
  );

  app.post('/invoices/:id/reject', { schema: S.AdminRejectInvoice }, async (request) =>
    ok(adminInvoiceView(await invoices.reject(request.params.id, request.body.reason)), languageOf(request)),
  );

  app.post('/invoices/:id/void', { schema: S.AdminVoidInvoice }, async (request) =>
    ok(adminInvoiceView(await invoices.void(request.params.id, request.body.reason)), languageOf(request)),
  );

  app.get('/invoices/:id/pdf', { schema: S.AdminInvoicePdf }, async (request, reply) => {
    const { invoice, pdf } = await invoices.pdf(request.params.id);
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="${pdfFileName(invoice)}"`)
      .send(pdf);
  });
};
