/**
 * The change feed cannot skip a change. On PostgreSQL ids are handed out at insert, so a transaction that
 * writes its change early and commits late holds a smaller id than one that committed meanwhile; a follower
 * that moved its cursor past the later id would never see the earlier change. Here one transaction disables
 * account A and stays open while a second disables account B and commits (and NOTIFYs); then the first commits.
 * Both tunnels must be cut. (SQLite has one writer at a time, so its ids are commit order; it runs the
 * sequential case.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { recordChange } from '../src/storage/index.js';
import {
  closedWithin,
  connectTunnel,
  createProxyAccount,
  type GatewayPlatform,
  startEcho,
  startGatewayPlatform,
  type Target,
} from './helpers/gateway.js';
import { dialects } from './helpers/platform.js';

/** Milliseconds until `closed` resolves, or Infinity after 10 s. */
const within = (closed: Promise<number>) => Promise.race([closed, delay(10_000, Number.POSITIVE_INFINITY)]);

for (const dialect of dialects()) {
  describe(`change feed order (${dialect})`, () => {
    let g: GatewayPlatform;
    let echo: Target;

    before(async () => {
      g = await startGatewayPlatform(dialect);
      echo = await startEcho();
    });
    after(async () => {
      await echo?.close();
      await g?.close();
    });

    /** An open tunnel of a fresh account, and the account's id. */
    const openTunnelOf = async (name: string) => {
      const a = await createProxyAccount(g.tp, name);
      const t = await connectTunnel(g.port, `127.0.0.1:${echo.port}`, `${a.name}:pass1234`);
      assert.equal(t.status, 200, t.head);
      t.socket.resume();
      const row = await g.tp.platform.storage.db
        .selectFrom('sub_accounts')
        .select('id')
        .where('username', '=', name)
        .executeTakeFirstOrThrow();
      return { id: row.id, socket: t.socket };
    };

    /** Disables the account and records the change, in `db` (a transaction or the database). */
    const disable = async (db: typeof g.tp.platform.storage.db, id: number) => {
      await db.updateTable('sub_accounts').set({ status: 0 }).where('id', '=', id).execute();
      await recordChange(db, 'sub_account', [id], g.tp.platform.now());
    };

    it(
      'applies a change whose transaction committed after a later one',
      { skip: dialect !== 'postgres' && 'one writer at a time: ids are commit order', timeout: 30_000 },
      async () => {
        const a = await openTunnelOf('order1');
        const b = await openTunnelOf('order2');
        const aClosed = closedWithin(a.socket);
        const bClosed = closedWithin(b.socket);
        const db = g.tp.platform.storage.db;

        let release!: () => void;
        const held = new Promise<void>((resolve) => {
          release = resolve;
        });
        let written!: () => void;
        const wroteA = new Promise<void>((resolve) => {
          written = resolve;
        });
        // A's change takes its id first and waits, uncommitted.
        const first = db.transaction().execute(async (trx) => {
          await disable(trx, a.id);
          written();
          await held;
        });
        await wroteA;
        // B's change takes a later id and commits now: the gateway is woken and reads it.
        await db.transaction().execute((trx) => disable(trx, b.id));
        assert.ok((await within(bClosed)) < 5000, 'B cut while A is still open');
        await g.gw.feed.sync();
        assert.equal(a.socket.destroyed, false, 'A is not cut before its change commits');

        release();
        await first;
        const ms = await within(aClosed);
        assert.ok(ms < 5000, `A cut ${ms.toFixed(0)} ms after its transaction committed`);
      },
    );

    it('applies changes committed one after another', { timeout: 30_000 }, async () => {
      const a = await openTunnelOf('order3');
      const b = await openTunnelOf('order4');
      const closed = Promise.all([closedWithin(a.socket), closedWithin(b.socket)]);
      await disable(g.tp.platform.storage.db, a.id);
      await disable(g.tp.platform.storage.db, b.id);
      const ms = await within(closed.then((both) => Math.max(...both)));
      assert.ok(ms < 5000, `both cut, the later after ${ms.toFixed(0)} ms`);
    });
  });
}
