import { type Kysely, sql } from 'kysely';
import { type Database, type NewUserRow, recordChange, type UserRow, type UserUpdate } from '../storage/index.js';

/** Queries on users; returns rows, holds no rules. */
export class UsersRepository {
  constructor(private readonly db: Kysely<Database>) {}

  insert(row: NewUserRow): Promise<UserRow> {
    return this.db.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow();
  }

  findById(id: number): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByEmail(email: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  }

  findByUsername(username: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  }

  findByAppKeyHash(hash: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('app_key_hash', '=', hash).executeTakeFirst();
  }

  async list(opts: {
    offset: number;
    limit: number;
    email?: string | undefined;
    /** Search: part of the email, username or phone (lower case), or the exact id. */
    search?: string | undefined;
  }): Promise<{ rows: UserRow[]; total: number }> {
    let q = this.db.selectFrom('users');
    if (opts.email !== undefined) q = q.where('email', '=', opts.email);
    if (opts.search !== undefined && opts.search !== '') {
      const text = opts.search;
      // LIKE with its wildcards escaped (ESCAPE is the same in both dialects); values are stored in lower case.
      const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const like = (column: 'email' | 'username' | 'phone') => sql<boolean>`${sql.ref(column)} like ${pattern} escape '\\'`;
      q = q.where((eb) =>
        eb.or([
          like('email'),
          like('username'),
          like('phone'),
          ...(/^\d{1,15}$/.test(text) ? [eb('id', '=', Number(text))] : []),
        ]),
      );
    }
    const [rows, count] = await Promise.all([
      q.selectAll().orderBy('id').offset(opts.offset).limit(opts.limit).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }

  /** Which of these users exist and are active (status 1). */
  async activeIds(ids: readonly number[]): Promise<Set<number>> {
    const active = new Set<number>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.db
        .selectFrom('users')
        .select('id')
        .where('id', 'in', ids.slice(i, i + 500))
        .where('status', '=', 1)
        .execute();
      for (const r of rows) active.add(Number(r.id));
    }
    return active;
  }

  /** Updates the user and announces the change to gateways, atomically. */
  update(id: number, patch: UserUpdate): Promise<UserRow | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.updateTable('users').set(patch).where('id', '=', id).returningAll().executeTakeFirst();
      if (row) await recordChange(trx, 'user', [id], row.updated_at);
      return row;
    });
  }
}

/**
 * Takes the user's row lock until the surrounding transaction ends, so two concurrent requests of one user
 * cannot both pass a per-user cap. A no-op update locks on PostgreSQL; SQLite already runs one writer at a time.
 */
export async function lockUser(db: Kysely<Database>, userId: number): Promise<void> {
  await db
    .updateTable('users')
    .set((eb) => ({ status: eb.ref('status') }))
    .where('id', '=', userId)
    .execute();
}
