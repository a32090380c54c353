/**
 * The hot path: bytes between client and target after the handshake. One data
 * handler per direction that counts into integers and writes, pausing the
 * reader while the writer is full (what pipe() does, plus counting). No
 * per-chunk allocation, closure or query: the account's charge() is an add and
 * a compare. Written by hand rather than with stream.pipeline because we must
 * count and stop on budget between read and write.
 */
import type { Socket } from 'node:net';
import { giveBack, retireCurrent, sharedReaderOf } from '../net/shared-read.js';
import type { ProxyConnection } from './registry.js';

/**
 * Relays until either side closes. `early` holds client bytes that arrived with the
 * handshake (after its end); they are payload and are billed.
 */
export function relay(conn: ProxyConnection, client: Socket, upstream: Socket, early?: Buffer): void {
  const account = conn.account;
  if (!account) throw new Error('relay without an account');

  if (early && early.length > 0) {
    conn.up += early.length;
    upstream.write(early);
    if (!account.charge(early.length)) return;
  }

  client.on('data', (chunk: Buffer) => {
    conn.up += chunk.length;
    if (!upstream.write(chunk)) client.pause();
    // Charge after writing: the chunk that crosses the limit is delivered (overshoot ≤ one read buffer).
    account.charge(chunk.length);
  });
  upstream.on('drain', () => client.resume());

  const reader = sharedReaderOf(upstream);
  if (reader) {
    // Download through shared read buffers: a chunk the client could not take at once keeps its buffer
    // (retired from the pool) and pauses the exit until the client drains.
    reader.consume(upstream, (chunk) => {
      conn.down += chunk.length;
      client.write(chunk);
      account.charge(chunk.length);
      if (client.writableLength === 0) return true;
      const retired = retireCurrent();
      client.once('drain', () => {
        giveBack(retired);
        upstream.resume();
      });
      return false;
    });
  } else {
    upstream.on('data', (chunk: Buffer) => {
      conn.down += chunk.length;
      if (!client.write(chunk)) upstream.pause();
      account.charge(chunk.length);
    });
    client.on('drain', () => upstream.resume());
  }

  // Half-close is passed on; a full close or an error ends both sides.
  client.on('end', () => upstream.end());
  upstream.on('end', () => client.end());
  upstream.on('close', () => conn.destroy());
  client.on('close', () => conn.destroy());
  upstream.on('error', () => conn.destroy());
}
