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
    // Download through shared read buffers. A chunk the kernel took whole frees its buffer at once; a chunk left
    // queued keeps it (retired from the pool) and pauses the exit until every write of ours has been flushed.
    // We wait on the writes' own callbacks, not on 'drain': Node emits 'drain' only after a write() that returned
    // false, and a write below the high-water mark returns true even when the kernel took none of it, so waiting
    // for 'drain' there stalled the tunnel for good. One callback per connection, given to every write: Node's
    // write path calls a callback either way (a no-op one by default), so this costs no allocation per chunk.
    let unflushed = 0;
    let held: Buffer | undefined;
    const flushed = (): void => {
      if (--unflushed > 0 || held === undefined) return;
      giveBack(held);
      held = undefined;
      if (!conn.closed) upstream.resume();
    };
    reader.consume(upstream, (chunk) => {
      conn.down += chunk.length;
      unflushed++;
      client.write(chunk, flushed);
      account.charge(chunk.length);
      if (client.writableLength === 0) return true;
      held = retireCurrent();
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
