/**
 * The change feed on a real database of every dialect, with a clock the tests move: it starts after the newest
 * change, dispatches what comes after in order, reads changes again when a handler failed (never skips a
 * revocation), and prunes what is older than a day at most once an hour.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { dialects, startTestPlatform, type TestPlatform } from '../../tests/helpers/platform.js';
import { recordChange } from '../storage/index.js';
import { type Change, ChangeFeed } from './change-feed.js';

const DAY = 86_400_000;
const T = Date.parse('2026-11-23T12:00:00Z');

for (const dialect of dialects()) {
  describe(`ChangeFeed on ${dialect}`, () => {
    let tp: TestPlatform;
    let clock = T;
    const now = () => clock;

    before(async () => {
      tp = await startTestPlatform(dialect, {}, { now });
    });
    after(() => tp.close());

    const db = () => tp.platform.storage.db;
    const feed = () => new ChangeFeed(db(), tp.platform.storage.caps, 60_000, pino({ level: 'silent' }), now);

    it('starts after the newest change and dispatches later ones in order, to every handler', async () => {
      await recordChange(db(), 'sub_account', [1], clock);
      const f = feed();
      const seen: Change[][] = [];
      const also: number[] = [];
      f.onChanges((changes) => {
        seen.push([...changes]);
      });
      f.onChanges((changes) => {
        also.push(changes.length);
      });
      await f.start();
      await f.poll();
      assert.equal(seen.length, 0, 'what came before is already in what the caches load');
      await recordChange(db(), 'user', [7, 8], clock);
      await recordChange(db(), 'user_package', [7], clock);
      await f.poll();
      assert.deepEqual(
        seen[0]?.map((c) => [c.entity, c.entityId]),
        [
          ['user', 7],
          ['user', 8],
          ['user_package', 7],
        ],
      );
      assert.deepEqual(also, [3]);
      await f.poll();
      assert.equal(seen.length, 1, 'nothing twice');
      await f.stop();
    });

    it('reads the same changes again after a handler failed, rather than skipping them', async () => {
      const f = feed();
      let fail = true;
      const got: number[] = [];
      f.onChanges((changes) => {
        if (fail) throw new Error('database hiccup');
        got.push(...changes.map((c) => c.entityId));
      });
      await f.start();
      await recordChange(db(), 'sub_account', [41], clock);
      await assert.rejects(f.poll(), /hiccup/);
      fail = false;
      await f.poll();
      assert.deepEqual(got, [41]);
      await f.stop();
    });

    it('prunes changes older than a day, at most once an hour by its clock', async () => {
      clock = T;
      await db().deleteFrom('change_log').execute();
      await recordChange(db(), 'exit_node', [1], T - 2 * DAY);
      await recordChange(db(), 'exit_node', [2], T - DAY + 1000);
      const f = feed();
      await f.start();
      await f.poll();
      const left = async () =>
        (await db().selectFrom('change_log').select('entity_id').execute()).map((r) => Number(r.entity_id));
      assert.deepEqual(await left(), [2]);
      clock = T + 30 * 60_000; // half an hour: the second row is now older than a day, but no pruning yet
      await f.poll();
      assert.deepEqual(await left(), [2]);
      clock = T + 60 * 60_000;
      await f.poll();
      assert.deepEqual(await left(), []);
      await f.stop();
      clock = T;
    });
  });
}
