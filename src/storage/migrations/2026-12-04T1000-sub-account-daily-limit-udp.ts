import type { Kysely } from 'kysely';

// Frozen: this file must keep producing the same schema forever. It imports no app code.

export async function up(db: Kysely<any>): Promise<void> {
  // A sub-account's traffic limit per local day (TOLLGATE_TZ), in GB; 0 = none.
  await db.schema
    .alterTable('sub_accounts')
    .addColumn('daily_limit_gb', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // 1: the account may use SOCKS5 UDP ASSOCIATE; 0 (the default): refused.
  await db.schema
    .alterTable('sub_accounts')
    .addColumn('udp', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sub_accounts').dropColumn('udp').execute();
  await db.schema.alterTable('sub_accounts').dropColumn('daily_limit_gb').execute();
}
