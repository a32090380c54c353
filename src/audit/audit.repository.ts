import { type Kysely, type Selectable, sql } from 'kysely';
import type { AuditLogTable, Database } from '../storage/index.js';
import type { AuditFilter } from './audit.types.js';

export type AuditRow = Selectable<AuditLogTable>;

/** Rows of the audit log. */
export class AuditRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(row: Omit<AuditRow, 'id'>): Promise<number> {
    const r = await this.db.insertInto('audit_log').values(row).returning('id').executeTakeFirstOrThrow();
    return Number(r.id);
  }

  /** Newest first. `operatorId` set: that operator's rows; `actor` set: rows by that actor name. */
  async list(
    filter: Omit<AuditFilter, 'actor'> & { operatorId?: number | undefined; actor?: string | undefined },
  ): Promise<{ rows: AuditRow[]; total: number }> {
    let q = this.db.selectFrom('audit_log');
    if (filter.operatorId !== undefined) q = q.where('operator_id', '=', filter.operatorId);
    if (filter.actor !== undefined) q = q.where('actor', '=', filter.actor);
    if (filter.action !== undefined) {
      if (filter.action.endsWith('*')) {
        // A prefix: LIKE with its wildcards escaped.
        const prefix = filter.action.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`);
        q = q.where(sql<boolean>`${sql.ref('action')} like ${`${prefix}%`} escape '\\'`);
      } else q = q.where('action', '=', filter.action);
    }
    if (filter.targetType !== undefined) q = q.where('target_type', '=', filter.targetType);
    if (filter.targetId !== undefined) q = q.where('target_id', '=', filter.targetId);
    if (filter.from !== undefined) q = q.where('created_at', '>=', filter.from);
    if (filter.to !== undefined) q = q.where('created_at', '<', filter.to);
    const count = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    const rows = await q
      .selectAll()
      .orderBy('id', 'desc')
      .limit(filter.size)
      .offset((filter.page - 1) * filter.size)
      .execute();
    return { rows, total: Number(count?.n ?? 0) };
  }
}
