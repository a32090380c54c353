/**
 * The language of messages: `language` in the query or body (zh|en, also
 * zh-CN, en-US…), then a `Language` header, then Accept-Language; Simplified
 * Chinese by default, as the documents show.
 */

import type { FastifyRequest } from 'fastify';
import Negotiator from 'negotiator';
import type { Language } from '../errors/index.js';

function fromTag(tag: unknown): Language | undefined {
  if (typeof tag !== 'string') return undefined;
  const t = tag.trim().toLowerCase();
  if (t.startsWith('en')) return 'en';
  if (t.startsWith('zh') || t === 'cn') return 'zh';
  return undefined;
}

export function languageOf(request: FastifyRequest): Language {
  const query = request.query as Record<string, unknown> | undefined;
  const body = request.body as Record<string, unknown> | undefined;
  const explicit =
    fromTag(query?.language) ??
    fromTag(query?.lang) ??
    (body && typeof body === 'object' ? (fromTag(body.language) ?? fromTag(body.lang)) : undefined) ??
    fromTag(request.headers.language);
  if (explicit) return explicit;
  const accept = request.headers['accept-language'];
  if (!accept) return 'zh';
  const preferred = new Negotiator({ headers: { 'accept-language': accept } }).language(['zh', 'en']);
  return preferred === 'en' ? 'en' : 'zh';
}
