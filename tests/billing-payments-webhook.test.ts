/**
 * POST /payments/webhook/:method on every dialect: the signature over the exact raw body, idempotent
 * replays, one provisioning per paid order whatever arrives (other event ids, ten concurrent deliveries),
 * amount mismatches and closed orders changing nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ledgerSum } from '../src/billing/index.js';
import { PaymentsService, signWebhook, verifyWebhookSignature } from '../src/billing/payments/index.js';
import { buildProvisioners } from '../src/billing/provisioners.js';
import { AppError } from '../src/errors/index.js';
import { createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';
import { addMethod, counts, deliver, deliverPaid, insertOrder, type Method, orderStatus } from './helpers/payments.js';

const GB = 1024 ** 3;

describe('webhook signatures', () => {
  it('verify only the exact body under the exact secret, in the documented header form', () => {
    const body = Buffer.from('{"trade_no":"1","amount":"1.00","status":"paid"}');
    const header = signWebhook('s3cret', body);
    assert.match(header, /^sha256=[0-9a-f]{64}$/);
    assert.equal(verifyWebhookSignature('s3cret', body, header), true);
    assert.equal(verifyWebhookSignature('s3cret', body, header.toUpperCase().replace('SHA256=', 'sha256=')), true);
    assert.equal(verifyWebhookSignature('other', body, header), false);
    assert.equal(verifyWebhookSignature('s3cret', Buffer.from(`${body.toString()} `), header), false);
    assert.equal(verifyWebhookSignature('s3cret', body, header.slice(7)), false);
    assert.equal(verifyWebhookSignature('s3cret', body, undefined), false);
    assert.equal(verifyWebhookSignature('', body, signWebhook('', body)), false);
  });
});

for (const dialect of dialects()) {
  describe(`payment webhooks on ${dialect}`, () => {
    let tp: TestPlatform;
    let external: Method;
    let manual: Method;
    let balance: Method;

    before(async () => {
      tp = await startTestPlatform(dialect);
      external = await addMethod(tp, 'external', 'Card');
      manual = await addMethod(tp, 'manual', 'Bank transfer');
      balance = await addMethod(tp, 'balance', 'Balance');
    });
    after(() => tp.close());

    const packageOrder = async (userId: number, pm = external) =>
      insertOrder(tp, {
        userId,
        pmId: pm.id,
        productType: 9,
        payFeeCents: 1250,
        amount: 2,
        details: { unitBytes: GB, unitDays: 30 },
      });

    it('pays and provisions a pending order once, answering 200 with the admin-style envelope', async () => {
      const user = await createUser(tp);
      const order = await packageOrder(user.id);
      const res = await deliverPaid(tp, external, order, { eventId: 'evt-1' });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.code, 200);
      assert.equal(body.msg, body.message);
      assert.deepEqual(body.data, { result: 'paid', trade_no: order.trade_no, order_status: 1 });
      assert.equal(await orderStatus(tp, order.id), 1);
      const pkgs = await tp.platform.storage.db.selectFrom('user_packages').selectAll().where('user_id', '=', user.id).execute();
      assert.equal(pkgs.length, 1);
      assert.equal(Number(pkgs[0]!.total_bytes), 2 * GB);
      assert.equal(pkgs[0]!.trade_no, order.trade_no);
      const events = await tp.platform.storage.db
        .selectFrom('payment_events')
        .selectAll()
        .where('order_id', '=', order.id)
        .execute();
      assert.equal(events.length, 1);
      assert.equal(events[0]!.event_key, 'evt-1');
      assert.match(events[0]!.payload_sha256, /^[0-9a-f]{64}$/);
    });

    it('accepts the amount as a number and uses the trade_no as the event key without an event_id', async () => {
      const user = await createUser(tp);
      const order = await packageOrder(user.id);
      const res = await deliverPaid(tp, external, order, { amount: 12.5 });
      assert.equal(res.statusCode, 200, res.body);
      const events = await tp.platform.storage.db
        .selectFrom('payment_events')
        .selectAll()
        .where('order_id', '=', order.id)
        .execute();
      assert.deepEqual(
        events.map((e) => e.event_key),
        [order.trade_no],
      );
    });

    it('refuses a bad, missing, malformed or foreign signature and a tampered body with 401, changing nothing', async () => {
      const user = await createUser(tp);
      const order = await packageOrder(user.id);
      const before = await counts(tp, user.id);
      const body = JSON.stringify({ trade_no: order.trade_no, amount: '12.50', status: 'paid' });
      const tampered = body.replace('12.50', '12.5');
      const other = await addMethod(tp, 'external', 'Other');
      for (const [payload, signature] of [
        [body, undefined],
        [body, ''],
        [body, 'sha256=zz'],
        [body, signWebhook(external.secret, body).replace('sha256=', 'sha1=')],
        [body, signWebhook(other.secret, body)],
        [tampered, signWebhook(external.secret, body)],
        [`${body}\n`, signWebhook(external.secret, body)],
      ] as const) {
        const res = await deliver(tp, external.id, payload, signature);
        assert.equal(res.statusCode, 401, `${signature}: ${res.body}`);
        assert.equal(res.json().code, 7012);
      }
      assert.deepEqual(await counts(tp, user.id), before);
      assert.equal(await orderStatus(tp, order.id), 0);
    });

    it('verifies the raw bytes whatever the content type says, and keeps whitespace significant', async () => {
      const user = await createUser(tp);
      const order = await packageOrder(user.id);
      const body = `{ "trade_no" : "${order.trade_no}",\n  "amount": "12.50", "status": "paid" }`;
      const res = await deliver(tp, external.id, body, signWebhook(external.secret, body), 'text/plain');
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(await orderStatus(tp, order.id), 1);
    });

    it('answers 404 for an unknown or non-external method before looking at the signature', async () => {
      const body = JSON.stringify({ trade_no: '1', amount: '1', status: 'paid' });
      for (const pm of [999_999, manual.id, balance.id, 'abc']) {
        const res = await deliver(tp, pm, body, signWebhook(external.secret, body));
        assert.equal(res.statusCode, 404, res.body);
        assert.equal(res.json().code, 7003);
      }
    });

    it('answers 404 for a trade_no of another method or of no order, 400 for a bad payload', async () => {
      const user = await createUser(tp);
      const manualOrder = await packageOrder(user.id, manual);
      for (const tradeNo of [manualOrder.trade_no, '12345']) {
        const res = await deliverPaid(tp, external, { trade_no: tradeNo, pay_fee_cents: 1250 });
        assert.equal(res.statusCode, 404, res.body);
        assert.equal(res.json().code, 7009);
      }
      for (const body of [
        'not json',
        '[]',
        '{"amount":"1","status":"paid"}',
        '{"trade_no":"1","amount":"1.234","status":"paid"}',
      ]) {
        const res = await deliver(tp, external.id, body, signWebhook(external.secret, body));
        assert.equal(res.statusCode, 400, `${body}: ${res.body}`);
        assert.equal(res.json().code, 7013);
      }
      assert.equal(await orderStatus(tp, manualOrder.id), 0);
    });

    it('acknowledges a status other than paid without changing anything', async () => {
      const user = await createUser(tp);
      const order = await packageOrder(user.id);
      const before = await counts(tp, user.id);
      const body = JSON.stringify({ trade_no: order.trade_no, amount: '12.50', status: 'failed' });
      const res = await deliver(tp, external.id, body, signWebhook(external.secret, body));
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().data.result, 'ignored');
      assert.deepEqual(await counts(tp, user.id), before);
      assert.equal(await orderStatus(tp, order.id), 0);
    });

    it('compares the status exactly: " paid", "PAID" and other look-alikes pay nothing and answer 400 code 7013', async () => {
      const user = await createUser(tp);
      const order = await packageOrder(user.id);
      const before = await counts(tp, user.id);
      for (const status of [' paid', 'paid ', 'PAID', 'Paid', 'pa id', '', 'paid\n', 'ｐａｉｄ', true, 1, null]) {
        const body = JSON.stringify({ trade_no: order.trade_no, amount: '12.50', event_id: `evt-${String(status)}`, status });
        const res = await deliver(tp, external.id, body, signWebhook(external.secret, body));
        assert.equal(res.statusCode, 400, `${JSON.stringify(status)}: ${res.body}`);
        assert.equal(res.json().code, 7013);
        assert.match(res.json().message, /status/);
      }
      assert.deepEqual(await counts(tp, user.id), before);
      assert.equal(await orderStatus(tp, order.id), 0);
      // The exact word still pays.
      assert.equal((await deliverPaid(tp, external, order, { eventId: 'evt-exact' })).statusCode, 200);
      assert.equal(await orderStatus(tp, order.id), 1);
    });

    it('answers a replay of the same event with success and changes nothing', async () => {
      const user = await createUser(tp);
      const order = await packageOrder(user.id);
      assert.equal((await deliverPaid(tp, external, order, { eventId: 'evt-replay' })).statusCode, 200);
      const afterFirst = await counts(tp, user.id);
      for (let i = 0; i < 3; i++) {
        const res = await deliverPaid(tp, external, order, { eventId: 'evt-replay' });
        assert.equal(res.statusCode, 200, res.body);
        assert.deepEqual(res.json().data, { result: 'replay', trade_no: order.trade_no, order_status: 1 });
      }
      assert.deepEqual(await counts(tp, user.id), afterFirst);
      assert.equal(afterFirst.packages, 1);
    });

    it('does not provision twice when another event id pays an already paid order', async () => {
      const user = await createUser(tp);
      const order = await packageOrder(user.id);
      assert.equal((await deliverPaid(tp, external, order, { eventId: 'evt-a' })).statusCode, 200);
      const afterFirst = await counts(tp, user.id);
      const res = await deliverPaid(tp, external, order, { eventId: 'evt-b' });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json().data, { result: 'already_paid', trade_no: order.trade_no, order_status: 1 });
      assert.deepEqual(await counts(tp, user.id), afterFirst);
      assert.equal(afterFirst.packages, 1);
    });

    it('refuses an amount that is not the pay_fee with 409, changing nothing; the right amount pays afterwards', async () => {
      const user = await createUser(tp);
      const order = await packageOrder(user.id);
      const before = await counts(tp, user.id);
      for (const amount of ['12.49', '12.51', '0', 1250]) {
        const res = await deliverPaid(tp, external, order, { eventId: 'evt-amount', amount });
        assert.equal(res.statusCode, 409, res.body);
        assert.equal(res.json().code, 7014);
      }
      assert.deepEqual(await counts(tp, user.id), before);
      assert.equal(await orderStatus(tp, order.id), 0);
      // The rejected deliveries left no event behind: the same event id with the right amount applies.
      const res = await deliverPaid(tp, external, order, { eventId: 'evt-amount', amount: '12.5' });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().data.result, 'paid');
    });

    it('cannot pay a cancelled (closed) order: 409 and nothing changes', async () => {
      const user = await createUser(tp);
      const order = await packageOrder(user.id);
      await tp.platform.storage.db
        .updateTable('orders')
        .set({ status: 2, closed_at: Date.now() })
        .where('id', '=', order.id)
        .execute();
      const before = await counts(tp, user.id);
      const res = await deliverPaid(tp, external, order, { eventId: 'evt-closed' });
      assert.equal(res.statusCode, 409, res.body);
      assert.equal(res.json().code, 7010);
      assert.deepEqual(await counts(tp, user.id), before);
      assert.equal(await orderStatus(tp, order.id), 2);
    });

    it('provisions exactly once under ten concurrent identical deliveries', async () => {
      const user = await createUser(tp);
      const order = await insertOrder(tp, {
        userId: user.id,
        pmId: external.id,
        productType: 3,
        payFeeCents: 10_000,
        details: { rechargeCents: 10_000, giftCents: 2_000 },
      });
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => deliverPaid(tp, external, order, { eventId: 'evt-burst' })),
      );
      for (const res of answers) assert.equal(res.statusCode, 200, res.body);
      const results = answers.map((r) => r.json().data.result as string).sort();
      assert.deepEqual(results, ['paid', ...Array(9).fill('replay')]);
      const after = await counts(tp, user.id);
      assert.equal(after.balanceCents, 12_000);
      assert.equal(after.ledger, 2);
      assert.equal(await ledgerSum(tp.platform.storage.db, user.id), 12_000);
      const events = await tp.platform.storage.db
        .selectFrom('payment_events')
        .selectAll()
        .where('order_id', '=', order.id)
        .execute();
      assert.equal(events.length, 1);
    });

    it('provisions exactly once under concurrent deliveries with different event ids', async () => {
      const user = await createUser(tp);
      const order = await packageOrder(user.id);
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) => deliverPaid(tp, external, order, { eventId: `evt-multi-${i}` })),
      );
      for (const res of answers) assert.equal(res.statusCode, 200, res.body);
      const results = answers.map((r) => r.json().data.result as string).sort();
      assert.deepEqual(results, ['already_paid', 'already_paid', 'already_paid', 'already_paid', 'already_paid', 'paid']);
      assert.equal((await counts(tp, user.id)).packages, 1);
      const events = await tp.platform.storage.db
        .selectFrom('payment_events')
        .selectAll()
        .where('order_id', '=', order.id)
        .execute();
      assert.equal(events.length, 1);
    });

    it('logs a verified payment it cannot apply at warn with the trade_no, for the operator', async () => {
      const user = await createUser(tp);
      const order = await packageOrder(user.id);
      await tp.platform.storage.db.updateTable('orders').set({ status: 2 }).where('id', '=', order.id).execute();
      const warnings: { obj: Record<string, unknown>; msg: string }[] = [];
      const { storage, services } = tp.platform;
      const payments = new PaymentsService(
        storage.db,
        storage.caps,
        buildProvisioners({ packages: services.packages, staticIps: services.staticIps }),
        services.paymentMethods,
        { logger: { warn: (obj, msg) => warnings.push({ obj: obj as Record<string, unknown>, msg }) } },
      );
      const body = JSON.stringify({ trade_no: order.trade_no, amount: '12.50', status: 'paid' });
      await assert.rejects(
        payments.handleWebhook(String(external.id), Buffer.from(body), signWebhook(external.secret, body)),
        (err) => {
          assert.ok(err instanceof AppError && err.key === 'TG_ERR_ORDER_NOT_PENDING', String(err));
          return true;
        },
      );
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0]!.obj.trade_no, order.trade_no);
      assert.equal(warnings[0]!.obj.error, 'TG_ERR_ORDER_NOT_PENDING');
      // A bad signature is not worth a warning: it never reaches the order.
      await assert.rejects(payments.handleWebhook(String(external.id), Buffer.from(body), 'sha256=00'));
      assert.equal(warnings.length, 1);
    });

    it('is mounted only at the root, not under the customer prefixes', async () => {
      const body = JSON.stringify({ trade_no: '1', amount: '1', status: 'paid' });
      const res = await tp.app.inject({
        method: 'POST',
        url: `/pub/payments/webhook/${external.id}`,
        headers: { 'content-type': 'application/json', 'x-tollgate-signature': signWebhook(external.secret, body) },
        payload: body,
      });
      assert.equal(res.json().code, 404);
    });
  });
}
