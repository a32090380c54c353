import type { Kysely } from 'kysely';

// Frozen: this file must keep producing the same schema forever. It imports no app code.

export async function up(db: Kysely<any>): Promise<void> {
  // The app_key's last 4 characters, so the portal can show which key is current (the key itself is only
  // stored as its hash). Empty for keys issued before this column: nobody can know them any more.
  await db.schema
    .alterTable('users')
    .addColumn('app_key_last4', 'varchar(4)', (c) => c.notNull().defaultTo(''))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('app_key_last4').execute();
}
