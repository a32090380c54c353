/**
 * The audit log: every operator action through /admin (and the operator CLI commands that change operators),
 * with who, what, when and the state before and after. Secrets never enter it: every value passes through the
 * log redaction (credential-named fields at any depth) and credentials inside URLs (`user:pass@`) are masked.
 */
import { redactFields, REDACTED } from '../log-redaction.js';
import type { AuditRepository, AuditRow } from './audit.repository.js';
import type { ActorKind, AuditEntry, AuditFilter, AuditInput } from './audit.types.js';

const URL_USERINFO = /(\/\/)[^/@\s]+@/g;
/** Longest JSON text kept per field; longer values are cut (a listing as an "after" is not worth storing). */
const FIELD_MAX = 16_000;

function maskUrls(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(URL_USERINFO, `$1${REDACTED}@`);
  if (Array.isArray(value)) return value.map(maskUrls);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, maskUrls(v)]));
  }
  return value;
}

/** JSON text of a value with secrets redacted; '' for undefined or null. */
export function auditJson(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = JSON.stringify(maskUrls(redactFields(value)));
  if (text === undefined) return '';
  return text.length > FIELD_MAX ? JSON.stringify({ truncated: true, head: text.slice(0, FIELD_MAX) }) : text;
}

function parse(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: Number(row.id),
    createdAt: Number(row.created_at),
    actorKind: row.actor_kind as ActorKind,
    operatorId: row.operator_id === null ? null : Number(row.operator_id),
    actor: row.actor,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    ip: row.ip,
    status: row.status,
    error: row.error,
    request: parse(row.request_json),
    before: parse(row.before_json),
    after: parse(row.after_json),
  };
}

export class AuditService {
  readonly #now: () => number;

  constructor(
    private readonly repo: AuditRepository,
    options: { now?: () => number } = {},
  ) {
    this.#now = options.now ?? Date.now;
  }

  async record(input: AuditInput): Promise<number> {
    return this.repo.insert({
      created_at: this.#now(),
      actor_kind: input.actorKind,
      operator_id: input.operatorId ?? null,
      actor: input.actor.slice(0, 254),
      action: input.action.slice(0, 128),
      target_type: (input.targetType ?? '').slice(0, 32),
      target_id: String(input.targetId ?? '').slice(0, 64),
      ip: (input.ip ?? '').slice(0, 64),
      status: input.status,
      error: (input.error ?? '').slice(0, 64),
      request_json: auditJson(input.request),
      before_json: auditJson(input.before),
      after_json: auditJson(input.after),
    });
  }

  /** Newest first; `actor` is an operator id, an operator email (any case), `admin-token` or `cli`. */
  async list(filter: AuditFilter): Promise<{ items: AuditEntry[]; total: number }> {
    const { actor, ...rest } = filter;
    let by: { operatorId?: number; actor?: string } = {};
    if (actor !== undefined && actor !== '')
      by = /^\d+$/.test(actor)
        ? { operatorId: Number(actor) }
        : { actor: actor.includes('@') ? actor.trim().toLowerCase() : actor };
    const { rows, total } = await this.repo.list({ ...rest, ...by });
    return { items: rows.map(toEntry), total };
  }
}
