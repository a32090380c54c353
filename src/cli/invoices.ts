/**
 * `tollgate invoices …`: the operator's side of invoices — list the requests, issue one (a number and its PDF),
 * reject or void one, write the PDF to a file — through the same InvoicesService the admin API uses.
 */
import { writeFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import { adminInvoiceView, type Invoice, INVOICE_STATUS_NAMES, type InvoicesService } from '../billing/invoices/index.js';
import { moneyText } from '../billing/index.js';
import { idParser, table } from './arguments.js';

export interface InvoiceCommandDeps {
  readonly invoices: InvoicesService;
}

/** Opens the platform, runs `fn` with the services, closes the platform. */
export type WithInvoices = <T>(fn: (deps: InvoiceCommandDeps) => Promise<T>) => Promise<T>;

const parseId = idParser();

function parseStatus(value: string): number {
  const byName = (INVOICE_STATUS_NAMES as readonly string[]).indexOf(value);
  if (byName >= 0) return byName;
  if (/^[0-4]$/.test(value)) return Number(value);
  throw new InvalidArgumentError(`0-4 or ${INVOICE_STATUS_NAMES.join(', ')}`);
}

function parsePositive(value: string): number {
  if (!/^[1-9]\d{0,8}$/.test(value)) throw new InvalidArgumentError('a positive integer');
  return Number(value);
}

function summary(i: Invoice): string {
  const status = INVOICE_STATUS_NAMES[i.status] ?? String(i.status);
  return `invoice ${i.id}${i.number ? ` ${i.number}` : ''} (user ${i.userId}, ${i.title}, ${moneyText(i.amountCents)}, ${i.orders.length} orders): ${status}`;
}

export function registerInvoiceCommands(
  program: Command,
  open: WithInvoices,
  print: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Command {
  const cmd = program.command('invoices').description('issue customers’ invoices (a PDF), reject or void them');

  cmd
    .command('list')
    .description('list invoices, newest first')
    .option('--status <status>', '0 requested, 1 issued, 2 rejected, 3 cancelled, 4 voided (or the names)', parseStatus)
    .option('--user <id>', 'only this user’s (or team space’s) invoices', parseId)
    .option('--page <n>', 'page, from 1', parsePositive, 1)
    .option('--size <n>', 'invoices per page (at most 100)', parsePositive, 50)
    .option('--json', 'print {"list","total_count"} as JSON', false)
    .action(async (opts: { status?: number; user?: number; page: number; size: number; json: boolean }) => {
      const page = await open(({ invoices }) =>
        invoices.list({ status: opts.status, userId: opts.user, page: opts.page, size: Math.min(opts.size, 100) }),
      );
      if (opts.json) return print(JSON.stringify({ list: page.items.map(adminInvoiceView), total_count: page.total }));
      if (page.items.length === 0) return print('no invoices');
      const rows = page.items.map((i) => ({
        id: String(i.id),
        number: i.number ?? '',
        user: String(i.userId),
        title: i.title,
        amount: moneyText(i.amountCents),
        orders: String(i.orders.length),
        status: INVOICE_STATUS_NAMES[i.status] ?? String(i.status),
      }));
      for (const line of table(rows)) print(line);
      print(`${page.items.length} of ${page.total} (page ${page.page})`);
    });

  cmd
    .command('issue')
    .description('issue a requested invoice: give it a number; its PDF can then be downloaded')
    .argument('<id>', 'invoice id', parseId)
    .option('--number <number>', 'the invoice number (default INV + the local day + the id)')
    .option('--json', 'print the invoice as JSON', false)
    .action(async (id: number, opts: { number?: string; json: boolean }) => {
      const invoice = await open(({ invoices }) => invoices.issue(id, opts.number));
      print(opts.json ? JSON.stringify(adminInvoiceView(invoice)) : `issued: ${summary(invoice)}`);
    });

  cmd
    .command('reject')
    .description('reject a requested invoice; its orders can be invoiced again')
    .argument('<id>', 'invoice id', parseId)
    .requiredOption('--reason <text>', 'why (the customer sees it)')
    .option('--json', 'print the invoice as JSON', false)
    .action(async (id: number, opts: { reason: string; json: boolean }) => {
      const invoice = await open(({ invoices }) => invoices.reject(id, opts.reason));
      print(opts.json ? JSON.stringify(adminInvoiceView(invoice)) : `rejected: ${summary(invoice)}`);
    });

  cmd
    .command('void')
    .description('void an issued invoice; its orders can be invoiced again, its number stays used')
    .argument('<id>', 'invoice id', parseId)
    .requiredOption('--reason <text>', 'why (the customer sees it)')
    .option('--json', 'print the invoice as JSON', false)
    .action(async (id: number, opts: { reason: string; json: boolean }) => {
      const invoice = await open(({ invoices }) => invoices.void(id, opts.reason));
      print(opts.json ? JSON.stringify(adminInvoiceView(invoice)) : `voided: ${summary(invoice)}`);
    });

  cmd
    .command('pdf')
    .description('write the PDF of an issued invoice to a file')
    .argument('<id>', 'invoice id', parseId)
    .requiredOption('--out <file>', 'where to write it')
    .action(async (id: number, opts: { out: string }) => {
      const { invoice, pdf } = await open(({ invoices }) => invoices.pdf(id));
      writeFileSync(opts.out, pdf);
      print(`wrote ${pdf.length} bytes to ${opts.out}: ${summary(invoice)}`);
    });

  return cmd;
}
