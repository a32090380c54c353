/**
 * The connection registry with real account states and quotas: filing takes a connection slot (exactly the time
 * packages' concurrency), closing gives it back, and what the quotas and accounts close goes through it.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { AppError } from '../errors/index.js';
import { AccountState, PackageQuota, quotaOf } from '../usage/index.js';
import { ConnectionRegistry, type ProxyConnection } from './registry.js';

const T = Date.parse('2026-11-23T12:00:00Z');

/** A time quota of `concurrency` connections (one valid package), charging nothing. */
function timeQuota(registry: ConnectionRegistry, concurrency: number, userId = 1): PackageQuota {
  const reading = quotaOf(
    [{ id: 1, totalBytes: 0, usedBytes: 0, bandwidthMbps: 10, concurrency, expiresAt: T + 60_000 }],
    Number.POSITIVE_INFINITY,
    'time',
  );
  return new PackageQuota(userId, 11, 'time', registry, reading, () => 0);
}

function account(registry: ConnectionRegistry, id: number, quota: PackageQuota | undefined, limitGb = 0): AccountState {
  const share = { perUser: 10_000, perAccount: 10_000 };
  const state = new AccountState(
    id,
    quota?.userId ?? 1,
    `a${id}`,
    quota?.productType ?? 9,
    '',
    0,
    limitGb,
    registry,
    quota,
    share,
  );
  quota?.members.add(state);
  return state;
}

/** Opens a connection on a socket that is never connected (destroy() works on it all the same). */
function open(registry: ConnectionRegistry, at: number): ProxyConnection {
  return registry.open(new net.Socket(), at);
}

const concurrencyRefused = (err: unknown) => err instanceof AppError && err.key === 'TG_ERR_QUOTA_CONCURRENCY';

describe('ConnectionRegistry', () => {
  it('admits exactly the concurrency across the accounts of a quota; release and re-filing give slots back', () => {
    const registry = new ConnectionRegistry();
    const quota = timeQuota(registry, 2);
    const a = account(registry, 1, quota);
    const b = account(registry, 2, quota);
    const c1 = open(registry, T);
    const c2 = open(registry, T + 1);
    const c3 = open(registry, T + 2);
    registry.attach(c1, a);
    registry.attach(c1, a); // the same account again: no second slot
    registry.attach(c2, b);
    assert.equal(quota.open, 2);
    assert.throws(() => registry.attach(c3, a), concurrencyRefused);
    assert.equal(c3.account, undefined, 'a refused connection is filed under nothing');
    assert.equal(registry.countForAccount(1), 1);

    registry.release(c1);
    assert.equal(quota.open, 1, 'a closed connection frees its slot at once');
    registry.attach(c3, a);
    assert.equal(quota.open, 2);
    registry.release(c1); // twice: nothing more
    assert.equal(quota.open, 2);

    // A keep-alive connection that authenticates as an account of no quota gives its slot back.
    const plain = account(registry, 3, undefined);
    registry.attach(c2, plain);
    assert.equal(quota.open, 1);
    assert.deepEqual([registry.countForAccount(2), registry.countForAccount(3)], [0, 1]);
  });

  it('closes by account, trims the newest over a lower concurrency, and closes by exit', () => {
    const registry = new ConnectionRegistry();
    const quota = timeQuota(registry, 5);
    const a = account(registry, 1, quota);
    const b = account(registry, 2, quota);
    const conns = [0, 1, 2, 3].map((i) => open(registry, T + i));
    registry.attach(conns[0]!, a);
    registry.attach(conns[1]!, b);
    registry.attach(conns[2]!, a);
    registry.attach(conns[3]!, b);
    conns[3]!.exitNodeId = -7;

    assert.equal(registry.trimAccounts([1, 2], 2), 2);
    assert.deepEqual(
      conns.map((c) => c.closed),
      [false, false, true, true],
      'the two newest go',
    );
    assert.equal(registry.trimAccounts([1, 2], 2), 0, 'closing ones are not counted twice');
    assert.equal(registry.closeExit(-7), 0, 'already closed');
    const d = open(registry, T + 10);
    registry.attach(d, b);
    d.exitNodeId = -8;
    assert.equal(registry.closeExit(-8), 1);
    assert.equal(registry.closeAccount(1), 1);
    assert.equal(conns[0]!.client.destroyed, true);
  });

  it('is what quotas and accounts close through: a used-up quota closes all its members, a reached limit its account', () => {
    const registry = new ConnectionRegistry();
    const reading = quotaOf(
      [{ id: 1, totalBytes: 1000, usedBytes: 0, bandwidthMbps: 0, concurrency: 0, expiresAt: T + 60_000 }],
      Number.POSITIVE_INFINITY,
      'traffic',
    );
    const quota = new PackageQuota(1, 9, 'traffic', registry, reading);
    const a = account(registry, 1, quota);
    const b = account(registry, 2, quota);
    const idle = open(registry, T);
    const busy = open(registry, T);
    registry.attach(idle, b);
    registry.attach(busy, a);
    assert.equal(a.charge(999), true);
    assert.equal(a.charge(1), false, 'the byte that empties the packages');
    assert.deepEqual([idle.closed, busy.closed], [true, true], 'every connection drawing on them is cut');

    const limited = account(registry, 3, undefined);
    limited.limit = 10;
    const c = open(registry, T);
    registry.attach(c, limited);
    assert.equal(limited.charge(9), true);
    assert.equal(limited.charge(1), false);
    assert.equal(c.closed, true);
  });

  it('keeps byte totals of live and closed connections for the next report', () => {
    const registry = new ConnectionRegistry();
    const c1 = open(registry, T);
    const c2 = open(registry, T);
    c1.up = 10;
    c2.down = 5;
    assert.deepEqual(registry.takeByteDeltas(), { up: 10, down: 5 });
    c1.up += 3;
    registry.release(c1);
    assert.deepEqual(registry.takeByteDeltas(), { up: 3, down: 0 });
    assert.equal(registry.size, 1);
    assert.equal(c1.openedAt, T);
  });
});
