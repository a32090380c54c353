/**
 * The listing of sub-accounts is packed in the database (JSON on SQLite,
 * tab-separated text on PostgreSQL): any stored text comes back exactly,
 * backslashes, tabs, newlines and non-ASCII included, and an empty list is empty.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SubAccountsRepository } from '../src/accounts/sub-accounts.repository.js';
import { createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

for (const dialect of dialects()) {
  describe(`packed listing rows on ${dialect}`, () => {
    let tp: TestPlatform;
    before(async () => {
      tp = await startTestPlatform(dialect);
    });
    after(() => tp.close());

    it('round-trips hostile text and numbers', async () => {
      const u = await createUser(tp);
      const repo = new SubAccountsRepository(tp.platform.storage.db, tp.platform.storage.caps);
      assert.deepEqual(await repo.listByUser(u.id, {}), []);
      const remarks = ['plain', 'back\\slash', 'tab\there', 'new\nline', '\\t literal', '中文 remark', '', '\\\\'];
      const now = Date.now();
      await tp.platform.storage.db
        .insertInto('sub_accounts')
        .values(
          remarks.map((remark, i) => ({
            user_id: u.id,
            product_type: 9,
            username: `packed${i}`,
            password_enc: `enc\\${i}`,
            remark,
            limit_gb: i,
            used_bytes: 2 ** 40 + i,
            status: i % 2,
            created_at: now + i,
            updated_at: now,
          })),
        )
        .execute();
      const rows = await repo.listByUser(u.id, {});
      assert.deepEqual(
        rows.map((r) => [r.username, r.password_enc, r.remark, r.limit_gb, r.used_bytes, r.status, r.created_at]),
        remarks.map((remark, i) => [`packed${i}`, `enc\\${i}`, remark, i, 2 ** 40 + i, i % 2, now + i]),
      );
      assert.equal(typeof rows[0]?.id, 'number');
    });
  });
}
