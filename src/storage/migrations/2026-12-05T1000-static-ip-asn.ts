import type { Kysely } from 'kysely';

// Frozen: this file must keep producing the same schema forever. It imports no app code.

export async function up(db: Kysely<any>): Promise<void> {
  // The autonomous system announcing a static IP (1..4294967294); 0 = not recorded.
  // bigint: AS numbers are 32-bit unsigned, past PostgreSQL's integer.
  await db.schema
    .alterTable('static_ips')
    .addColumn('asn', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('static_ips').dropColumn('asn').execute();
}
