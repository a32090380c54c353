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

/** Where a request states its language; any part may be missing (a request that never parsed has no body). */
export interface LanguageSources {
  readonly query?: unknown;
  readonly body?: unknown;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export function languageFrom({ query, body, headers }: LanguageSources): Language {
  const q = query && typeof query === 'object' ? (query as Record<string, unknown>) : undefined;
  const b = body && typeof body === 'object' ? (body as Record<string, unknown>) : undefined;
  const explicit =
    fromTag(q?.language) ?? fromTag(q?.lang) ?? fromTag(b?.language) ?? fromTag(b?.lang) ?? fromTag(headers.language);
  if (explicit) return explicit;
  const accept = headers['accept-language'];
  if (!accept) return 'zh';
  const preferred = new Negotiator({ headers: { 'accept-language': accept } }).language(['zh', 'en']);
  return preferred === 'en' ? 'en' : 'zh';
}

export function languageOf(request: FastifyRequest): Language {
  return languageFrom({ query: request.query, body: request.body, headers: request.headers });
}
