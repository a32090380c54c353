/**
 * POST /payments/webhook/:method — payment notifications from external methods. Mounted once at the root
 * (not under the brand prefixes) and outside the customer auth hook. The body is kept as the exact raw
 * bytes, because the signature covers them; answers use the catalogue's HTTP statuses.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type PaymentsService, SIGNATURE_HEADER } from '../../billing/payments/index.js';
import { ok } from '../envelope.js';
import { languageOf } from '../language.js';
import { documentSurface } from '../plugins/documentation.js';
import * as S from '../schemas/payments.js';

export interface PaymentWebhookRoutesDeps {
  readonly payments: PaymentsService;
}

export const paymentWebhookRoutes: FastifyPluginAsyncTypebox<PaymentWebhookRoutesDeps> = async (app, { payments }) => {
  // Signed rather than authenticated.
  documentSurface(app, { security: [] });
  // This plugin's own parsers: whatever the content type, the handler gets the raw body as a Buffer.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.post('/payments/webhook/:method', { schema: S.PaymentWebhook }, async (request) => {
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const header = request.headers[SIGNATURE_HEADER];
    const outcome = await payments.handleWebhook(request.params.method, raw, Array.isArray(header) ? header[0] : header);
    return ok({ result: outcome.result, trade_no: outcome.tradeNo, order_status: outcome.orderStatus }, languageOf(request));
  });
};
