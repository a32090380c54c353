import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { Admission } from './admission.js';
import type { GatewayAccount } from './gateway.types.js';
import { ProxyConnection } from './registry.js';

let nextId = 1;
const conn = (address: string) => new ProxyConnection(nextId++, {} as Socket, address, 0);
const account = (accountId: number, userId: number, maxTunnels = 100, maxUserTunnels = 100): GatewayAccount => ({
  accountId,
  userId,
  productType: 9,
  maxTunnels,
  maxUserTunnels,
  charge: () => true,
  shaper: undefined,
  udp: false,
  admit: () => {},
  leave: () => {},
});
const key = (fn: () => void) => {
  try {
    fn();
  } catch (err) {
    return (err as { key?: string }).key;
  }
  return 'admitted';
};

describe('Admission', () => {
  it('keeps handshakes apart from authenticated slots, which strangers can never take', () => {
    const evicted: ProxyConnection[] = [];
    const a = new Admission({ maxConnections: 2, maxHandshakes: 3, maxHandshakesPerIp: 100 }, (c) => evicted.push(c));
    const strangers = Array.from({ length: 5 }, () => conn('10.0.0.1'));
    for (const s of strangers) assert.equal(a.open(s), undefined);
    assert.deepEqual(evicted, strangers.slice(0, 2), 'the oldest handshakes gave way');
    assert.equal(a.handshaking, 3);
    const user = conn('10.0.0.2');
    assert.equal(a.open(user), undefined);
    assert.equal(
      key(() => a.authenticate(user, account(1, 1))),
      'admitted',
    );
    assert.equal(a.authenticated, 1);
    assert.equal(a.handshaking, 2, 'the user gave a stranger’s place back when it authenticated');
    assert.equal(evicted.length, 3);
  });

  it('refuses at the authenticated cap and per address, and frees slots on release', () => {
    const a = new Admission({ maxConnections: 1, maxHandshakes: 10, maxHandshakesPerIp: 2 }, () => {});
    const [x, y, z] = [conn('10.0.0.1'), conn('10.0.0.1'), conn('10.0.0.1')];
    assert.equal(a.open(x), undefined);
    assert.equal(a.open(y), undefined);
    assert.equal(a.open(z)?.key, 'TG_ERR_PROXY_CONNECTION_LIMIT');
    a.authenticate(x, account(1, 1));
    assert.equal(
      key(() => a.authenticate(y, account(2, 2))),
      'TG_ERR_PROXY_CONNECTION_LIMIT',
    );
    assert.equal(a.open(conn('10.0.0.1')), undefined, 'x left the address’s handshake share');
    a.release(x);
    assert.equal(
      key(() => a.authenticate(y, account(2, 2))),
      'admitted',
    );
  });

  it('caps tunnels per account and per user; re-authenticating as the same account counts once', () => {
    const a = new Admission({ maxConnections: 100, maxHandshakes: 100, maxHandshakesPerIp: 100 }, () => {});
    const alice1 = account(1, 7, 2, 3);
    const alice2 = account(2, 7, 2, 3);
    const conns = Array.from({ length: 5 }, () => conn('10.0.0.1'));
    for (const c of conns) a.open(c);
    assert.equal(
      key(() => a.authenticate(conns[0]!, alice1)),
      'admitted',
    );
    assert.equal(
      key(() => a.authenticate(conns[0]!, alice1)),
      'admitted',
    );
    assert.equal(
      key(() => a.authenticate(conns[1]!, alice1)),
      'admitted',
    );
    assert.equal(
      key(() => a.authenticate(conns[2]!, alice1)),
      'TG_ERR_PROXY_TUNNEL_LIMIT',
    );
    assert.equal(
      key(() => a.authenticate(conns[2]!, alice2)),
      'admitted',
    );
    assert.equal(
      key(() => a.authenticate(conns[3]!, alice2)),
      'TG_ERR_PROXY_TUNNEL_LIMIT',
    );
    // A keep-alive connection moving to another account of the same user keeps its user share.
    assert.equal(
      key(() => a.authenticate(conns[1]!, alice2)),
      'admitted',
    );
    assert.equal(a.authenticated, 3);
    a.release(conns[0]!);
    assert.equal(
      key(() => a.authenticate(conns[3]!, alice1)),
      'admitted',
    );
  });
});
