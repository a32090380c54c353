import type { Kysely } from 'kysely';

// Frozen: this file must keep producing the same schema forever. It imports no app code.

export async function up(db: Kysely<any>): Promise<void> {
  // Time packages (product type 11): the bandwidth (Mbit/s) and concurrency (open connections) they grant.
  // 0 on traffic packages.
  await db.schema
    .alterTable('user_packages')
    .addColumn('bandwidth_mbps', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('user_packages')
    .addColumn('concurrency', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('user_packages').dropColumn('concurrency').execute();
  await db.schema.alterTable('user_packages').dropColumn('bandwidth_mbps').execute();
}
