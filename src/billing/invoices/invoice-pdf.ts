/**
 * An issued invoice as a PDF, rendered by pdfkit with its built-in Helvetica (no font files to ship). That font
 * has Latin-1 glyphs only: any other character (a Chinese title, say) prints as `?`, so a customer needing one
 * gets the invoice number and amounts right and asks the operator for a hand-made copy of the names.
 */
import type PDFKit from 'pdfkit';
import type { TimeFormatter } from '../../time/time-format.js';
import { moneyText } from '../money.js';
import type { Invoice } from './invoices.types.js';

/** Text the built-in font can print: Latin-1, anything else as '?'; control characters dropped. */
export function latin1(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || (code >= 0x7f && code < 0xa0)) continue;
    out += code <= 0xff ? ch : '?';
  }
  return out;
}

/**
 * pdfkit, loaded on the first invoice rendered: its fonts' tables and decompressors cost about a tenth of a
 * second of start-up, which `serve` and every CLI command would otherwise pay (npm run bench:startup).
 */
let pdfkit: Promise<typeof PDFKit> | undefined;

/** The PDF of an issued invoice; the same invoice always renders the same bytes (its times are fixed). */
export async function renderInvoicePdf(invoice: Invoice, seller: readonly string[], time: TimeFormatter): Promise<Buffer> {
  pdfkit ??= import('pdfkit').then((m) => m.default);
  const PDFDocument = await pdfkit;
  const issued = invoice.issuedAt ?? invoice.createdAt;
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: {
      Title: latin1(`Invoice ${invoice.number ?? ''}`),
      Author: latin1(seller[0] ?? ''),
      CreationDate: new Date(issued),
      ModDate: new Date(issued),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.font('Helvetica-Bold').fontSize(20).text('INVOICE', { align: 'right' });
  doc.font('Helvetica').fontSize(10);
  doc.text(`Number: ${latin1(invoice.number ?? '')}`, { align: 'right' });
  doc.text(`Issued: ${time.format(issued)} (${time.timeZone})`, { align: 'right' });
  doc.moveDown();

  doc.font('Helvetica-Bold').fontSize(11).text('From');
  doc.font('Helvetica').fontSize(10);
  for (const line of seller) doc.text(latin1(line));
  doc.moveDown();

  doc.font('Helvetica-Bold').fontSize(11).text('Bill to');
  doc.font('Helvetica').fontSize(10);
  doc.text(latin1(invoice.title));
  if (invoice.taxNo !== '') doc.text(`Tax number: ${latin1(invoice.taxNo)}`);
  if (invoice.address !== '') doc.text(latin1(invoice.address));
  if (invoice.email !== '') doc.text(latin1(invoice.email));
  doc.moveDown();

  // The orders covered: one line each.
  const left = doc.page.margins.left;
  const columns = [
    { title: 'Order', x: left, width: 170 },
    { title: 'Product', x: left + 175, width: 170 },
    { title: 'Paid', x: left + 350, width: 90 },
    { title: 'Amount', x: left + 440, width: 55 },
  ];
  const row = (cells: readonly string[], bold = false) => {
    const y = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
    let bottom = y;
    cells.forEach((cell, i) => {
      const c = columns[i]!;
      doc.text(cell, c.x, y, { width: c.width, align: i === 3 ? 'right' : 'left' });
      bottom = Math.max(bottom, doc.y);
    });
    doc.x = left;
    doc.y = bottom + 4;
  };
  row(
    columns.map((c) => c.title),
    true,
  );
  for (const o of invoice.orders) {
    row([o.tradeNo, latin1(o.productName), time.day(o.paidAt), moneyText(o.amountCents)]);
  }
  doc.moveDown();
  doc
    .font('Helvetica-Bold')
    .fontSize(12)
    .text(`Total: ${moneyText(invoice.amountCents)}`, left, doc.y, { align: 'right' });
  if (invoice.remark !== '') {
    doc.moveDown();
    doc
      .font('Helvetica')
      .fontSize(9)
      .text(`Remark: ${latin1(invoice.remark)}`, left);
  }
  doc.end();
  return done;
}
