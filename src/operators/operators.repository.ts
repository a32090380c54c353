import type { Kysely, Selectable } from 'kysely';
import type { Database, OperatorsTable } from '../storage/index.js';

export type OperatorRow = Selectable<OperatorsTable>;

/** Rows of operators and their console sessions; rules live in OperatorsService. */
export class OperatorsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  insert(row: Omit<OperatorRow, 'id'>): Promise<OperatorRow> {
    return this.db.insertInto('operators').values(row).returningAll().executeTakeFirstOrThrow();
  }

  findById(id: number): Promise<OperatorRow | undefined> {
    return this.db.selectFrom('operators').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByEmail(email: string): Promise<OperatorRow | undefined> {
    return this.db.selectFrom('operators').selectAll().where('email', '=', email).executeTakeFirst();
  }

  list(): Promise<OperatorRow[]> {
    return this.db.selectFrom('operators').selectAll().orderBy('id').execute();
  }

  update(id: number, set: Partial<Omit<OperatorRow, 'id'>>): Promise<OperatorRow | undefined> {
    return this.db.updateTable('operators').set(set).where('id', '=', id).returningAll().executeTakeFirst();
  }

  async insertSession(row: { token_hash: string; operator_id: number; created_at: number; expires_at: number }): Promise<void> {
    await this.db.insertInto('operator_sessions').values(row).execute();
  }

  /** The live session with this token hash and its operator, or undefined. */
  async findSession(tokenHash: string, now: number): Promise<{ operator: OperatorRow; expiresAt: number } | undefined> {
    const row = await this.db
      .selectFrom('operator_sessions')
      .innerJoin('operators', 'operators.id', 'operator_sessions.operator_id')
      .selectAll('operators')
      .select('operator_sessions.expires_at as session_expires_at')
      .where('operator_sessions.token_hash', '=', tokenHash)
      .where('operator_sessions.expires_at', '>', now)
      .executeTakeFirst();
    if (!row) return undefined;
    const { session_expires_at, ...operator } = row;
    return { operator: operator as OperatorRow, expiresAt: Number(session_expires_at) };
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.deleteFrom('operator_sessions').where('token_hash', '=', tokenHash).execute();
  }

  /** Ends every session of the operator, and expired sessions of anyone. */
  async deleteSessionsOf(operatorId: number, now: number): Promise<void> {
    await this.db
      .deleteFrom('operator_sessions')
      .where((eb) => eb.or([eb('operator_id', '=', operatorId), eb('expires_at', '<=', now)]))
      .execute();
  }
}
