import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectRequest, greeting, replyLength, userPassRequest } from './dial-socks5.js';

describe('SOCKS5 client messages (RFC 1928, RFC 1929)', () => {
  it('offers no-auth, and username/password when it has credentials', () => {
    assert.deepEqual([...greeting(false)], [5, 1, 0]);
    assert.deepEqual([...greeting(true)], [5, 2, 0, 2]);
    assert.deepEqual([...userPassRequest('bob', 'pw')], [1, 3, 98, 111, 98, 2, 112, 119]);
  });

  it('encodes IPv4, IPv6 and name targets', () => {
    assert.deepEqual([...connectRequest({ host: '1.2.3.4', port: 443 })], [5, 1, 0, 1, 1, 2, 3, 4, 1, 187]);
    assert.deepEqual(
      [...connectRequest({ host: '2001:db8::1', port: 80 })],
      [5, 1, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 80],
    );
    assert.deepEqual([...connectRequest({ host: 'ab.c', port: 65535 })], [5, 1, 0, 3, 4, 97, 98, 46, 99, 255, 255]);
  });

  it('knows when a reply is complete, and refuses a malformed one', () => {
    const table: ReadonlyArray<[number[], number | undefined]> = [
      [[5, 0, 0, 1, 127, 0, 0, 1, 0, 80], 10],
      [[5, 0, 0, 1, 127, 0, 0, 1, 0, 80, 42, 42], 10],
      [[5, 0, 0, 1, 127, 0, 0, 1, 0], undefined],
      [[5, 0, 0, 4, ...new Array(16).fill(0), 0, 80], 22],
      [[5, 0, 0, 3, 3, 97, 98, 99, 0, 80], 10],
      [[5, 0, 0, 3, 3, 97, 98], undefined],
      [[5, 5], 2], // refused: only REP matters
      [[5], undefined],
    ];
    for (const [bytes, length] of table) assert.equal(replyLength(Buffer.from(bytes)), length, JSON.stringify(bytes));
    assert.throws(() => replyLength(Buffer.from([4, 0, 0, 1])), /malformed SOCKS5 reply/);
    assert.throws(() => replyLength(Buffer.from([5, 0, 0, 9, 0])), /malformed SOCKS5 reply/);
  });
});
