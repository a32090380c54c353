/**
 * Invoices end to end on every dialect: profiles (every validation rule), what can be invoiced (paid, not from
 * the balance, on no invoice), requests (atomic, never twice for one order), statistics, the operator issuing
 * over the admin API and the CLI, the PDF read back as text, rejecting, voiding, cancelling, every error path,
 * and team_id scoping (a team's invoices are the team's; permissions are enforced).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { changeBalance } from '../src/billing/index.js';
import type { Product } from '../src/billing/catalogue/index.js';
import { registerInvoiceCommands } from '../src/cli/invoices.js';
import type { AppError } from '../src/errors/index.js';
import type { Team } from '../src/teams/index.js';
import { type Answer, call, createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const D = '/developers';
const GB = 1024 ** 3;
/** 2026-11-23 12:00:00 UTC, 20:00:00 in Asia/Shanghai. */
const T = Date.UTC(2026, 10, 23, 12, 0, 0);
const FONTS = fileURLToPath(new URL('../node_modules/pdfjs-dist/standard_fonts/', import.meta.url));

interface Person {
  id: number;
  appKey: string;
}

/** Every text item of every page of a PDF, joined by spaces, as a PDF reader extracts it. */
async function pdfText(bytes: Uint8Array): Promise<string> {
  const doc = await getDocument({ data: new Uint8Array(bytes), standardFontDataUrl: FONTS, verbosity: 0 }).promise;
  const parts: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    for (const item of content.items) if ('str' in item) parts.push(item.str);
  }
  await doc.destroy();
  return parts.join(' ');
}

for (const dialect of dialects()) {
  describe(`invoices on ${dialect}`, () => {
    let tp: TestPlatform;
    let product: Product;
    let topUp: Product;
    let bank: number;
    let balance: number;
    let owner: Person;
    let reader: Person;
    let payer: Person;
    let team: Team;
    const admin = () => ({ authorization: `Bearer ${tp.platform.config.adminToken}` });

    const db = () => tp.platform.storage.db;
    const get = (who: Person, route: string, query: Record<string, string | number> = {}) =>
      call(tp.app, 'GET', `${D}/${route}`, { query: { app_key: who.appKey, language: 'en', ...query } });
    const post = (who: Person, route: string, json: Record<string, unknown> = {}) =>
      call(tp.app, 'POST', `${D}/${route}`, { query: { app_key: who.appKey, language: 'en' }, json });
    const ok = (answer: Answer) => {
      assert.equal(answer.code, 200, JSON.stringify(answer));
      return answer.data;
    };
    const refused = (answer: Answer, code: number) => {
      assert.equal(answer.code, code, JSON.stringify(answer));
      return answer;
    };
    /** An order of `userId` paid by the operator confirming a bank transfer (a manual method). */
    const paidOrder = async (who: Person, extra: Record<string, unknown> = {}) => {
      const order = ok(await post(who, 'order/create', { pid: product.id, pm_id: bank, ...extra }));
      await tp.platform.services.payments.markPaid(order.id);
      return order as { id: number; trade_no: string };
    };
    const fromBalance = async (who: Person, extra: Record<string, unknown> = {}) =>
      ok(await post(who, 'order/create', { pid: product.id, pm_id: balance, ...extra })) as { trade_no: string };
    const invoiceRows = async () =>
      Number(
        (
          await db()
            .selectFrom('invoices')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const download = (who: Person, id: number, team_id?: string) =>
      tp.app.inject({
        method: 'GET',
        url: `${D}/user-invoice/download?${new URLSearchParams({ app_key: who.appKey, id: String(id), ...(team_id ? { team_id } : {}) })}`,
      });

    const cli = async (...args: string[]): Promise<string[]> => {
      const lines: string[] = [];
      const program = new Command().exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
      registerInvoiceCommands(
        program,
        async (fn) => fn({ invoices: tp.platform.services.invoices }),
        (l) => lines.push(l),
      );
      await program.parseAsync(['node', 'tollgate', ...args]);
      return lines;
    };

    before(async () => {
      tp = await startTestPlatform(
        dialect,
        { TOLLGATE_TZ: 'Asia/Shanghai', TOLLGATE_INVOICE_SELLER: 'Tollgate Networks Ltd\\n1 Example Road, Springfield' },
        { now: () => T },
      );
      const s = tp.platform.services;
      product = await s.products.add({ title: 'Residential 10 GB', productType: 9, price: '12.50', unitBytes: GB, unitDays: 30 });
      topUp = await s.products.add({ title: 'Top-up', productType: 3 });
      bank = (await s.paymentMethods.add({ kind: 'manual', title: 'Bank transfer' })).method.id;
      balance = (await s.paymentMethods.ensureBalanceMethod()).id;
      owner = await createUser(tp);
      reader = await createUser(tp);
      payer = await createUser(tp);
      team = await s.teams.create({ ownerUserId: owner.id, name: 'Billing', publicId: 'Bill001' });
      await s.teams.addMember(team.publicId, reader.id, []);
      await s.teams.addMember(team.publicId, payer.id, ['view_billing', 'pay']);
    });
    after(() => tp.close());

    it('profiles: add, list, update, delete, with every rule enforced and nothing changed on refusal', async () => {
      const u = await createUser(tp);
      const added = ok(
        await post(u, 'user-invoice/add', {
          kind: 'company',
          title: ' ACME Ltd ',
          tax_no: 'DE123',
          email: 'ap@acme.example',
          remark: '',
        }),
      );
      assert.deepEqual(added, {
        id: added.id,
        kind: 'company',
        title: 'ACME Ltd',
        tax_no: 'DE123',
        email: 'ap@acme.example',
        address: '',
        remark: '',
        created_at: '2026-11-23 20:00:00',
      });
      for (const [body, field] of [
        [{ kind: 'company', title: 'No tax' }, 'tax_no'],
        [{ kind: 'club', title: 'X' }, 'kind'],
        [{ kind: 'personal', title: '  ' }, 'title'],
        [{ kind: 'personal', title: 'X', email: 'not-an-email' }, 'email'],
        [{ kind: 'personal', title: 'a'.repeat(201) }, 'title'],
        [{ kind: 'personal', title: 'X', address: 'line\u0007' }, 'address'],
      ] as const) {
        const answer = await post(u, 'user-invoice/add', body);
        assert.equal(answer.code, 400, JSON.stringify(answer));
        assert.ok(answer.errors?.[field], `${field}: ${JSON.stringify(answer)}`);
      }
      assert.equal(ok(await get(u, 'user-invoice/list')).list.length, 1);
      const updated = ok(await post(u, 'user-invoice/update', { id: added.id, kind: 'personal', title: 'Jane Doe' }));
      assert.deepEqual([updated.kind, updated.title, updated.tax_no], ['personal', 'Jane Doe', '']);
      refused(await post(u, 'user-invoice/update', { id: 999_999, kind: 'personal', title: 'X' }), 8351);
      refused(await post(await createUser(tp), 'user-invoice/delete', { id: added.id }), 8351);
      ok(await post(u, 'user-invoice/delete', { id: added.id }));
      assert.deepEqual(ok(await get(u, 'user-invoice/list')).list, []);
      for (let i = 0; i < 20; i++) ok(await post(u, 'user-invoice/add', { kind: 'personal', title: `P${i}` }));
      refused(await post(u, 'user-invoice/add', { kind: 'personal', title: 'one too many' }), 8352);
    });

    it('invoiceable orders: paid by a method other than the balance; requests are atomic and never cover an order twice', async () => {
      const u = await createUser(tp);
      const profile = ok(await post(u, 'user-invoice/add', { kind: 'personal', title: 'Jane Doe', email: 'jane@example.com' }));
      const a = await paidOrder(u);
      const b = await paidOrder(u, { amount: 2 });
      const recharge = ok(await post(u, 'order/create', { pid: topUp.id, pm_id: bank, recharge_amount: '100' }));
      await tp.platform.services.payments.markPaid(recharge.id);
      const spent = await fromBalance(u);
      const pending = ok(await post(u, 'order/create', { pid: product.id, pm_id: bank }));

      const listed = ok(await get(u, 'user-invoice/invoiceable-orders'));
      assert.deepEqual(
        listed.list.map((o: any) => [o.trade_no, o.amount]),
        [
          [a.trade_no, 12.5],
          [b.trade_no, 25],
          [recharge.trade_no, 100],
        ],
      );
      assert.equal(listed.total_amount, 137.5);
      assert.equal(listed.total, 3);
      assert.deepEqual(ok(await get(u, 'user-invoice/statistics')), {
        invoiceable_amount: 137.5,
        invoiced_amount: 0,
        processing_amount: 0,
      });

      // One order that cannot be invoiced refuses the whole request, naming it.
      const before = await invoiceRows();
      for (const bad of [spent.trade_no, pending.trade_no, 'nope']) {
        const answer = refused(
          await post(u, 'user-invoice/apply', { profile_id: profile.id, trade_nos: `${a.trade_no},${bad}` }),
          8354,
        );
        assert.deepEqual(answer.data.trade_nos, [bad]);
      }
      refused(await post(u, 'user-invoice/apply', { profile_id: 999_999, trade_nos: a.trade_no }), 8351);
      refused(await post(u, 'user-invoice/apply', { profile_id: profile.id, trade_nos: ' , ' }), 400);
      assert.equal(await invoiceRows(), before);

      const invoice = ok(
        await post(u, 'user-invoice/apply', { profile_id: profile.id, trade_nos: [b.trade_no, a.trade_no], remark: 'Q4' }),
      );
      assert.deepEqual(
        // Oldest paid first (equal paid_at here, then by id) whatever order they were asked in, as reading the
        // invoice back lists them.
        { ...invoice, orders: invoice.orders.map((o: any) => o.trade_no) },
        {
          id: invoice.id,
          number: '',
          status: 0,
          kind: 'personal',
          title: 'Jane Doe',
          tax_no: '',
          email: 'jane@example.com',
          address: '',
          remark: 'Q4',
          amount: 37.5,
          reason: '',
          orders: [a.trade_no, b.trade_no],
          created_at: '2026-11-23 20:00:00',
          issued_at: '',
        },
      );
      refused(await post(u, 'user-invoice/apply', { profile_id: profile.id, trade_nos: [a.trade_no] }), 8354);
      assert.deepEqual(ok(await get(u, 'user-invoice/statistics')), {
        invoiceable_amount: 100,
        invoiced_amount: 0,
        processing_amount: 37.5,
      });
      assert.deepEqual(
        ok(await get(u, 'user-invoice/invoiceable-orders')).list.map((o: any) => o.trade_no),
        [recharge.trade_no],
      );
      // A profile changed later does not change the request.
      ok(await post(u, 'user-invoice/update', { id: profile.id, kind: 'personal', title: 'Someone else' }));
      assert.equal(ok(await get(u, 'user-invoice/record-list')).list[0].title, 'Jane Doe');

      // Cancelled: its orders can be invoiced again.
      const cancelled = ok(await post(u, 'user-invoice/cancel', { id: invoice.id }));
      assert.deepEqual([cancelled.status, cancelled.orders], [3, []]);
      refused(await post(u, 'user-invoice/cancel', { id: invoice.id }), 8355);
      refused(await post(await createUser(tp), 'user-invoice/cancel', { id: invoice.id }), 8353);
      assert.equal(ok(await get(u, 'user-invoice/statistics')).invoiceable_amount, 137.5);
    });

    it('the operator issues over the admin API and the CLI; the PDF reads back with the number, parties, orders and total', async () => {
      const u = await createUser(tp);
      const profile = ok(
        await post(u, 'user-invoice/add', {
          kind: 'company',
          title: 'ACME Widgets GmbH',
          tax_no: 'DE999888777',
          address: 'Hauptstraße 1, Berlin',
        }),
      );
      const a = await paidOrder(u);
      const b = await paidOrder(u);
      const first = ok(await post(u, 'user-invoice/apply', { profile_id: profile.id, trade_nos: `${a.trade_no},${b.trade_no}` }));

      // Not issued yet: no PDF.
      const early = await download(u, first.id);
      assert.equal(early.json().code, 8355);

      const issued = await call(tp.app, 'POST', `/admin/invoices/${first.id}/issue`, { headers: admin(), json: {} });
      assert.equal(issued.data.status, 1);
      assert.equal(issued.data.number, `INV20261123${String(first.id).padStart(6, '0')}`);
      assert.equal(issued.data.issued_at, '2026-11-23T12:00:00Z');
      const again = await call(tp.app, 'POST', `/admin/invoices/${first.id}/issue`, { headers: admin(), json: {}, status: 409 });
      assert.equal(again.code, 8355);

      const res = await download(u, first.id);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'application/pdf');
      assert.match(String(res.headers['content-disposition']), new RegExp(`invoice-${issued.data.number}\\.pdf`));
      assert.equal(res.rawPayload.subarray(0, 5).toString(), '%PDF-');
      const text = await pdfText(res.rawPayload);
      for (const expected of [
        'INVOICE',
        issued.data.number,
        'Tollgate Networks Ltd',
        '1 Example Road, Springfield',
        'ACME Widgets GmbH',
        'Tax number: DE999888777',
        'Hauptstraße 1, Berlin',
        a.trade_no,
        b.trade_no,
        'Residential 10 GB',
        'Total: 25.00',
      ]) {
        assert.ok(text.includes(expected), `${expected} in ${text}`);
      }
      // The operator's copy is the same document; rendering is deterministic.
      const adminPdf = await tp.app.inject({ method: 'GET', url: `/admin/invoices/${first.id}/pdf`, headers: admin() });
      assert.deepEqual(adminPdf.rawPayload, res.rawPayload);
      // Another customer never gets it.
      assert.equal((await download(await createUser(tp), first.id)).json().code, 8353);

      const records = ok(await get(u, 'user-invoice/record-list', { status: 1 }));
      assert.deepEqual(
        records.list.map((r: any) => [r.id, r.number, r.issued_at]),
        [[first.id, issued.data.number, '2026-11-23 20:00:00']],
      );
      assert.deepEqual(ok(await get(u, 'user-invoice/statistics')), {
        invoiceable_amount: 0,
        invoiced_amount: 25,
        processing_amount: 0,
      });
      refused(await post(u, 'user-invoice/cancel', { id: first.id }), 8355);

      // Void: the number stays used, the orders come back.
      const voided = await call(tp.app, 'POST', `/admin/invoices/${first.id}/void`, {
        headers: admin(),
        json: { reason: 'wrong address' },
      });
      assert.deepEqual([voided.data.status, voided.data.reason], [4, 'wrong address']);
      assert.equal((await download(u, first.id)).json().code, 8355);

      // The CLI: list, issue with a number, write the PDF; a number used before is refused.
      const second = ok(await post(u, 'user-invoice/apply', { profile_id: profile.id, trade_nos: [a.trade_no] }));
      const listed = JSON.parse((await cli('invoices', 'list', '--status', 'requested', '--user', String(u.id), '--json'))[0]!);
      assert.deepEqual(
        listed.list.map((i: any) => i.id),
        [second.id],
      );
      await assert.rejects(
        cli('invoices', 'issue', String(second.id), '--number', issued.data.number),
        (err: AppError) => err.key === 'TG_ERR_INVOICE_NUMBER_TAKEN',
      );
      await assert.rejects(
        cli('invoices', 'issue', String(second.id), '--number', 'bad number!'),
        (err: AppError) => err.key === 'TG_ERR_PARAM_INVALID',
      );
      const [line] = await cli('invoices', 'issue', String(second.id), '--number', 'TG-2026/0002');
      assert.match(line!, /^issued: invoice \d+ TG-2026\/0002 .*12\.50, 1 orders\): issued$/);
      const dir = mkdtempSync(join(tmpdir(), 'tollgate-invoice-'));
      try {
        const file = join(dir, 'second.pdf');
        const [wrote] = await cli('invoices', 'pdf', String(second.id), '--out', file);
        assert.match(wrote!, /^wrote \d+ bytes to /);
        const cliText = await pdfText(readFileSync(file));
        assert.ok(cliText.includes('TG-2026/0002') && cliText.includes(a.trade_no) && cliText.includes('Total: 12.50'), cliText);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('the operator rejects with a reason; every admin error path is a stable code', async () => {
      const u = await createUser(tp);
      const profile = ok(await post(u, 'user-invoice/add', { kind: 'personal', title: '王小明' }));
      const a = await paidOrder(u);
      const inv = ok(await post(u, 'user-invoice/apply', { profile_id: profile.id, trade_nos: a.trade_no }));
      const blank = await call(tp.app, 'POST', `/admin/invoices/${inv.id}/reject`, {
        headers: admin(),
        json: { reason: ' ' },
        status: 400,
      });
      assert.ok(blank.errors?.reason);
      const rejected = await call(tp.app, 'POST', `/admin/invoices/${inv.id}/reject`, {
        headers: admin(),
        json: { reason: 'tax number missing' },
      });
      assert.deepEqual([rejected.data.status, rejected.data.orders], [2, []]);
      const record = ok(await get(u, 'user-invoice/record-list')).list[0];
      assert.deepEqual([record.status, record.reason], [2, 'tax number missing']);
      assert.equal(
        (await call(tp.app, 'POST', `/admin/invoices/${inv.id}/void`, { headers: admin(), json: { reason: 'x' }, status: 409 }))
          .code,
        8355,
      );
      assert.equal(
        (await call(tp.app, 'POST', `/admin/invoices/999999/issue`, { headers: admin(), json: {}, status: 404 })).code,
        8353,
      );
      assert.equal((await call(tp.app, 'GET', `/admin/invoices/999999`, { headers: admin(), status: 404 })).code, 8353);
      // Characters the PDF's font lacks print as '?', never garbage: a Chinese title on an issued invoice.
      const again = ok(await post(u, 'user-invoice/apply', { profile_id: profile.id, trade_nos: a.trade_no }));
      await call(tp.app, 'POST', `/admin/invoices/${again.id}/issue`, { headers: admin(), json: { number: 'CN-1' } });
      const text = await pdfText((await download(u, again.id)).rawPayload);
      assert.ok(text.includes('???') && text.includes('CN-1'), text);
      const all = await call(tp.app, 'GET', '/admin/invoices', { headers: admin(), query: { user_id: u.id } });
      assert.deepEqual(
        all.data.list.map((i: any) => i.status),
        [1, 2],
      );
    });

    it('team_id: the team’s invoices and orders are the team’s; reading needs view_billing, requesting pay', async () => {
      await tp.platform.storage.db
        .transaction()
        .execute((trx) => changeBalance(trx, { userId: payer.id, deltaCents: 10_000, reason: 'adjust', now: T }));
      const personal = await paidOrder(payer);
      const teamOrder = await paidOrder(payer, { team_id: team.publicId });
      const t = { team_id: team.publicId };

      refused(await get(reader, 'user-invoice/record-list', t), 8002);
      refused(await get(reader, 'user-invoice/invoiceable-orders', t), 8002);
      refused(await post(reader, 'user-invoice/add', { ...t, kind: 'personal', title: 'X' }), 8002);
      refused(await get(await createUser(tp), 'user-invoice/list', t), 8001);

      const profile = ok(await post(payer, 'user-invoice/add', { ...t, kind: 'company', title: 'Team GmbH', tax_no: 'T1' }));
      assert.deepEqual(ok(await get(payer, 'user-invoice/list')).list, []);
      assert.deepEqual(
        ok(await get(owner, 'user-invoice/list', t)).list.map((p: any) => p.title),
        ['Team GmbH'],
      );
      assert.deepEqual(
        ok(await get(payer, 'user-invoice/invoiceable-orders', t)).list.map((o: any) => o.trade_no),
        [teamOrder.trade_no],
      );
      // A personal order cannot go on the team's invoice, nor the team's profile on a personal one.
      refused(await post(payer, 'user-invoice/apply', { ...t, profile_id: profile.id, trade_nos: personal.trade_no }), 8354);
      refused(await post(payer, 'user-invoice/apply', { profile_id: profile.id, trade_nos: personal.trade_no }), 8351);
      const inv = ok(await post(payer, 'user-invoice/apply', { ...t, profile_id: profile.id, trade_nos: teamOrder.trade_no }));
      assert.deepEqual(ok(await get(payer, 'user-invoice/record-list')).list, []);
      assert.equal(ok(await get(payer, 'user-invoice/record-list', t)).list[0].id, inv.id);
      await call(tp.app, 'POST', `/admin/invoices/${inv.id}/issue`, { headers: admin(), json: {} });
      assert.equal((await download(payer, inv.id)).json().code, 8353);
      assert.equal((await download(reader, inv.id, team.publicId)).json().code, 8002);
      const res = await download(owner, inv.id, team.publicId);
      assert.equal(res.headers['content-type'], 'application/pdf');
      assert.ok((await pdfText(res.rawPayload)).includes('Team GmbH'));
    });
  });
}
