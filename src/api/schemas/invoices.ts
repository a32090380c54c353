/** Invoice routes: the customer's `user-invoice/*` (the newer release) and the operator's `/admin/invoices`. */
import { Type } from '@sinclair/typebox';
import { INVOICE_KINDS, INVOICE_NUMBER_MAX, INVOICE_ORDERS_MAX, INVOICE_PAGE_SIZE_MAX } from '../../billing/invoices/index.js';
import { CustomerCommon, Envelope, Id, IdParams, NullData, PageNo } from './common.js';

/** A PDF file: sent as bytes (Fastify serializes no Buffer), described for the OpenAPI document. */
const PdfFile = Type.Unsafe<Buffer>({ type: 'string', format: 'binary', description: 'The invoice, application/pdf' });

const Time = (description: string) => Type.String({ description: `${description}; Y-m-d H:i:s in the platform time zone` });
const PageSize = Type.Integer({
  minimum: 1,
  maximum: INVOICE_PAGE_SIZE_MAX,
  default: 20,
  description: `At most ${INVOICE_PAGE_SIZE_MAX}`,
});
const Status = Type.Unsafe<number>({
  type: 'integer',
  enum: [0, 1, 2, 3, 4],
  description: '0 requested, 1 issued, 2 rejected, 3 cancelled (by you), 4 voided',
});

export const Profile = Type.Object({
  id: Type.Integer({ description: '`profile_id` of user-invoice/apply' }),
  kind: Type.String({ description: 'personal or company' }),
  title: Type.String({ description: 'Whom invoices are made out to' }),
  tax_no: Type.String(),
  email: Type.String(),
  address: Type.String(),
  remark: Type.String(),
  created_at: Time('Created at'),
});

const ProfileFields = {
  kind: Type.Unsafe<string>({ type: 'string', enum: [...INVOICE_KINDS], description: 'personal or company' }),
  title: Type.String({ maxLength: 400, description: 'Name or company name (at most 200 characters)' }),
  tax_no: Type.Optional(Type.String({ maxLength: 128, description: 'Tax number; required for a company (at most 64)' })),
  email: Type.Optional(Type.String({ maxLength: 254, description: 'Where the invoice is sent' })),
  address: Type.Optional(Type.String({ maxLength: 1000, description: 'Address (at most 500 characters)' })),
  remark: Type.Optional(Type.String({ maxLength: 512, description: 'At most 255 characters' })),
};

export const InvoiceOrder = Type.Object({
  trade_no: Type.String(),
  product_name: Type.String(),
  product_type: Type.Integer(),
  amount: Type.Number({ description: 'What was paid (pay_fee)' }),
  pay_at: Time('Paid at'),
});

export const InvoiceItem = Type.Object({
  id: Type.Integer(),
  number: Type.String({ description: 'The invoice number once issued; empty before' }),
  status: Status,
  kind: Type.String(),
  title: Type.String(),
  tax_no: Type.String(),
  email: Type.String(),
  address: Type.String(),
  remark: Type.String(),
  amount: Type.Number({ description: 'The orders’ pay_fee in all' }),
  reason: Type.String({ description: 'Why it was rejected or voided' }),
  orders: Type.Array(InvoiceOrder, { description: 'What it covers; empty once rejected, cancelled or voided' }),
  created_at: Time('Requested at'),
  issued_at: Time('Issued at; empty before'),
});

const Paged = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({ list: Type.Array(item), page: Type.Integer(), page_size: Type.Integer(), total: Type.Integer() });

export const ProfileList = {
  summary: 'Your invoice profiles',
  tags: ['invoices'],
  querystring: Type.Object({ ...CustomerCommon }),
  response: { 200: Envelope(Type.Object({ list: Type.Array(Profile) })) },
};

export const ProfileAdd = {
  summary: 'Add an invoice profile',
  description: 'At most 20 per space (code 8352).',
  tags: ['invoices'],
  body: Type.Object({ ...CustomerCommon, ...ProfileFields }),
  response: { 200: Envelope(Profile) },
};

export const ProfileUpdate = {
  summary: 'Change an invoice profile',
  description: 'Replaces its fields; invoices requested before keep what they copied.',
  tags: ['invoices'],
  body: Type.Object({ ...CustomerCommon, id: Id('The profile'), ...ProfileFields }),
  response: { 200: Envelope(Profile) },
};

export const ProfileDelete = {
  summary: 'Delete an invoice profile',
  tags: ['invoices'],
  body: Type.Object({ ...CustomerCommon, id: Id('The profile') }),
  response: { 200: Envelope(NullData) },
};

export const RecordList = {
  summary: 'Your invoices, newest first',
  tags: ['invoices'],
  querystring: Type.Object({ ...CustomerCommon, status: Type.Optional(Status), page: PageNo(), page_size: PageSize }),
  response: { 200: Envelope(Paged(InvoiceItem)) },
};

export const Statistics = {
  summary: 'Invoiceable, invoiced and processing amounts',
  tags: ['invoices'],
  querystring: Type.Object({ ...CustomerCommon }),
  response: {
    200: Envelope(
      Type.Object({
        invoiceable_amount: Type.Number({ description: 'Paid orders on no invoice yet' }),
        invoiced_amount: Type.Number({ description: 'On issued invoices' }),
        processing_amount: Type.Number({ description: 'On requested invoices not issued yet' }),
      }),
    ),
  },
};

export const InvoiceableOrders = {
  summary: 'Orders you can request an invoice for',
  description:
    'Paid orders with something paid by a method other than the balance, on no invoice (requested or issued), oldest paid first. Orders paid from the balance are not here: the money they spent is invoiced with the top-up (3) or make-up payment (26) that brought it in.',
  tags: ['invoices'],
  querystring: Type.Object({ ...CustomerCommon, page: PageNo(), page_size: PageSize }),
  response: {
    200: Envelope(
      Type.Object({
        list: Type.Array(InvoiceOrder),
        total_amount: Type.Number({ description: 'Of every invoiceable order, not this page only' }),
        page: Type.Integer(),
        page_size: Type.Integer(),
        total: Type.Integer(),
      }),
    ),
  },
};

export const Apply = {
  summary: 'Request an invoice for paid orders',
  description: `Made out to the profile; covers 1-${INVOICE_ORDERS_MAX} invoiceable orders (code 8354 names any other, and nothing changes). The operator issues it (status 1, a number and a PDF) or rejects it (2).`,
  tags: ['invoices'],
  body: Type.Object({
    ...CustomerCommon,
    profile_id: Id('The invoice profile'),
    trade_nos: Type.Unsafe<string | string[]>({
      anyOf: [
        { type: 'string', maxLength: 10_000 },
        { type: 'array', items: { type: 'string', maxLength: 64 }, maxItems: INVOICE_ORDERS_MAX },
      ],
      description: 'Order numbers, `a,b` or an array',
    }),
    remark: Type.Optional(Type.String({ maxLength: 512, description: 'At most 255 characters' })),
  }),
  response: { 200: Envelope(InvoiceItem) },
};

export const Cancel = {
  summary: 'Withdraw an invoice request not handled yet',
  tags: ['invoices'],
  body: Type.Object({ ...CustomerCommon, id: Id('The invoice') }),
  response: { 200: Envelope(InvoiceItem) },
};

export const Download = {
  summary: 'The PDF of an issued invoice',
  description: 'Answers `application/pdf` (an attachment named by the invoice number); errors answer the envelope.',
  tags: ['invoices'],
  querystring: Type.Object({ ...CustomerCommon, id: Id('The invoice') }),
  response: { 200: PdfFile },
};

// Admin

const IsoTime = Type.String({ format: 'date-time' });

export const AdminInvoice = Type.Object({
  id: Type.Integer(),
  user_id: Type.Integer({ description: 'The space (a user, or a team’s space)' }),
  number: Type.Union([Type.String(), Type.Null()]),
  status: Type.Integer({ description: '0 requested, 1 issued, 2 rejected, 3 cancelled, 4 voided' }),
  kind: Type.String(),
  title: Type.String(),
  tax_no: Type.String(),
  email: Type.String(),
  address: Type.String(),
  remark: Type.String(),
  amount: Type.Number(),
  reason: Type.String(),
  orders: Type.Array(
    Type.Object({ trade_no: Type.String(), product_name: Type.String(), amount: Type.Number(), paid_at: IsoTime }),
  ),
  created_at: IsoTime,
  issued_at: Type.Union([IsoTime, Type.Null()]),
  closed_at: Type.Union([IsoTime, Type.Null()]),
});

export const AdminListInvoices = {
  summary: 'List invoices, newest first',
  tags: ['admin'],
  querystring: Type.Object({
    status: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 4, description: '0 requested, 1 issued, 2 rejected, 3 cancelled, 4 voided' }),
    ),
    user_id: Type.Optional(Id()),
    page: PageNo(),
    size: PageSize,
  }),
  response: {
    200: Envelope(
      Type.Object({
        list: Type.Array(AdminInvoice),
        page: Type.Integer(),
        page_size: Type.Integer(),
        total_count: Type.Integer(),
      }),
    ),
  },
};

export const AdminGetInvoice = {
  summary: 'One invoice',
  tags: ['admin'],
  params: IdParams,
  response: { 200: Envelope(AdminInvoice) },
};

export const AdminIssueInvoice = {
  summary: 'Issue a requested invoice',
  description:
    'Gives it a number (the one sent, or INV + the local day + the id) and the issue time; its PDF can then be downloaded.',
  tags: ['admin'],
  params: IdParams,
  body: Type.Optional(
    Type.Object({ number: Type.Optional(Type.String({ maxLength: INVOICE_NUMBER_MAX, description: 'The invoice number' })) }),
  ),
  response: { 200: Envelope(AdminInvoice) },
};

const Reason = Type.Object({ reason: Type.String({ maxLength: 512, description: 'Why (shown to the customer)' }) });

export const AdminRejectInvoice = {
  summary: 'Reject a requested invoice',
  tags: ['admin'],
  params: IdParams,
  body: Reason,
  response: { 200: Envelope(AdminInvoice) },
};

export const AdminVoidInvoice = {
  summary: 'Void an issued invoice (its orders can be invoiced again)',
  tags: ['admin'],
  params: IdParams,
  body: Reason,
  response: { 200: Envelope(AdminInvoice) },
};

export const AdminInvoicePdf = {
  summary: 'The PDF of an issued invoice',
  description: 'Answers `application/pdf`.',
  tags: ['admin'],
  params: IdParams,
  response: { 200: PdfFile },
};
