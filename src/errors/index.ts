import { ERRORS, type ErrorKey } from './catalogue.js';

export { ERRORS, type ErrorDefinition, type ErrorKey, RETIRED_CODES, SOCKS, SUCCESS } from './catalogue.js';

export type Language = 'zh' | 'en';

export interface AppErrorOptions {
  /** Values for the message's `{placeholders}`. */
  readonly params?: Readonly<Record<string, string | number>>;
  /** Per-field reasons, sent as `errors` in the envelope. */
  readonly errors?: Readonly<Record<string, string>>;
  /** Machine-readable detail, sent as `data` (e.g. the offending names). */
  readonly data?: unknown;
}

/** The only error type that reaches clients as itself; anything else becomes TG_ERR_INTERNAL. */
export class AppError extends Error {
  readonly key: ErrorKey;
  readonly code: number;
  readonly httpStatus: number;
  readonly params: Readonly<Record<string, string | number>>;
  readonly errors: Readonly<Record<string, string>> | undefined;
  readonly data: unknown;

  constructor(key: ErrorKey, options: AppErrorOptions = {}) {
    const def = ERRORS[key];
    super(format(def.en, options.params));
    this.name = 'AppError';
    this.key = key;
    this.code = def.code;
    this.httpStatus = def.httpStatus;
    this.params = options.params ?? {};
    this.errors = options.errors;
    this.data = options.data ?? null;
  }

  /** The message in the given language. */
  localized(lang: Language): string {
    return format(ERRORS[this.key][lang], this.params);
  }
}

export function format(template: string, params: Readonly<Record<string, string | number>> | undefined): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** Shorthand for an invalid-parameter error with per-field reasons. */
export function invalidParams(errors: Record<string, string>, data?: unknown): AppError {
  return new AppError('TG_ERR_PARAM_INVALID', { errors, data });
}

/** Names in a message are capped so a 1,000-entry batch does not produce a 20 kB message. */
export function listNames(names: readonly string[], max = 20): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} … (+${names.length - max})`;
}
