/**
 * Webhook signatures: `X-Tollgate-Signature: sha256=<hex>`, the hex HMAC-SHA256 of the exact raw request
 * body under the payment method's secret. Compared in constant time.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-tollgate-signature';

/** The header value for `body` under `secret` (what a provider, or a test, sends). */
export function signWebhook(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** True when `header` is `sha256=<hex>` and the hex is the HMAC of `body` under `secret`. */
export function verifyWebhookSignature(secret: string, body: Buffer, header: string | undefined): boolean {
  if (secret === '' || header === undefined) return false;
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1], 'hex');
  const expected = createHmac('sha256', secret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Hex SHA-256 of a body (stored with each applied event). */
export function sha256Hex(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('hex');
}
