import type { Kysely, Updateable } from 'kysely';
import { type Database, type ExitNodeRow, type ExitNodesTable, type NewExitNodeRow, notifyChange } from '../storage/index.js';

/** The change-feed entity of exit nodes (change_log.entity). */
export const EXIT_NODE_ENTITY = 'exit_node';

/** Queries on exit nodes and their change-feed rows; returns rows, holds no rules. Bind to a transaction to make calls atomic. */
export class NodesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  insert(row: NewExitNodeRow): Promise<ExitNodeRow> {
    return this.db.insertInto('exit_nodes').values(row).returningAll().executeTakeFirstOrThrow();
  }

  findById(id: number): Promise<ExitNodeRow | undefined> {
    return this.db.selectFrom('exit_nodes').selectAll().where('id', '=', id).executeTakeFirst();
  }

  list(): Promise<ExitNodeRow[]> {
    return this.db.selectFrom('exit_nodes').selectAll().orderBy('id').execute();
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('exit_nodes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  update(id: number, patch: Updateable<ExitNodesTable>): Promise<ExitNodeRow | undefined> {
    return this.db.updateTable('exit_nodes').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
  }

  async delete(id: number): Promise<boolean> {
    const result = await this.db.deleteFrom('exit_nodes').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** One change-feed row: the gateway reloads its pool when it sees it. */
  async logChange(nodeId: number, at: number): Promise<void> {
    await this.db.insertInto('change_log').values({ entity: EXIT_NODE_ENTITY, entity_id: nodeId, created_at: at }).execute();
    await notifyChange(this.db);
  }

  /** True when any exit node change was ever logged (the database is not fresh). */
  async hasLoggedChanges(): Promise<boolean> {
    const row = await this.db
      .selectFrom('change_log')
      .select('id')
      .where('entity', '=', EXIT_NODE_ENTITY)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }
}
