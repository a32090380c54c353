/**
 * The documents' envelope: `{code, msg, message, data}`, `msg` and `message`
 * carrying the same text. Success is code 200 on every endpoint.
 */
import { AppError, type Language, SUCCESS } from '../errors/index.js';

export interface Envelope<T> {
  code: number;
  msg: string;
  message: string;
  data: T;
  errors?: Record<string, string>;
}

export function ok<T>(data: T, lang: Language): Envelope<T> {
  const text = SUCCESS[lang];
  return { code: SUCCESS.code, msg: text, message: text, data };
}

export function failure(err: AppError, lang: Language): Envelope<unknown> {
  const text = err.localized(lang);
  const body: Envelope<unknown> = { code: err.code, msg: text, message: text, data: err.data ?? null };
  if (err.errors) body.errors = { ...err.errors };
  return body;
}

export { AppError };
