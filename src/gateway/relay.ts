/**
 * The hot path: bytes between client and target after the handshake. One data
 * handler per direction that counts into integers and writes, pausing the
 * reader while the writer is full (what pipe() does, plus counting). No
 * per-chunk allocation, closure or query: the account's charge() is an add and
 * a compare. Written by hand rather than with stream.pipeline because we must
 * count and stop on budget between read and write.
 *
 * Enforcement happens where the bytes are counted: when charge() answers false
 * (the account or its owner's packages are used up) the connection is cut right
 * there. Accounts whose product limits bandwidth (time packages) also take each
 * chunk from their owner's shaper, and the reader that read it pauses for as long
 * as the shaper says: a reader is resumed only when neither its writer (full)
 * nor the shaper (waiting) holds it, so nothing is buffered beyond one read.
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
  const shaper = account.shaper;

  if (early && early.length > 0) {
    conn.up += early.length;
    upstream.write(early);
    if (!account.charge(early.length)) return conn.destroy();
    shaper?.take(early.length);
  }

  // Upload. With a shaper: `upFull` while the exit's writer is full, `upWaiting` while the shaper holds the
  // client; either keeps the client paused.
  let upFull = false;
  let upWaiting = false;
  const resumeClient = (): void => {
    if (!upFull && !upWaiting && !conn.closed) client.resume();
  };
  const upWaited = (): void => {
    upWaiting = false;
    resumeClient();
  };
  client.on('data', (chunk: Buffer) => {
    conn.up += chunk.length;
    if (!upstream.write(chunk)) {
      upFull = true;
      client.pause();
    }
    // Charge after writing: the chunk that crosses the limit is delivered (overshoot ≤ one read buffer).
    if (!account.charge(chunk.length)) return conn.destroy();
    if (shaper === undefined) return;
    const ms = shaper.take(chunk.length);
    if (ms <= 0) return;
    upWaiting = true;
    client.pause();
    setTimeout(upWaited, ms);
  });
  upstream.on('drain', () => {
    upFull = false;
    resumeClient();
  });

  // Download: `held` (a write still queued) or `downFull`, and `downWaiting` (the shaper), keep the exit paused.
  let downWaiting = false;
  let downFull = false;
  let held: Buffer | undefined;
  const resumeUpstream = (): void => {
    if (held === undefined && !downFull && !downWaiting && !conn.closed) upstream.resume();
  };
  const downWaited = (): void => {
    downWaiting = false;
    resumeUpstream();
  };
  /** After counting a downloaded chunk: false when the connection was cut or the shaper pauses the exit. */
  const chargeDown = (bytes: number): boolean => {
    if (!account.charge(bytes)) {
      conn.destroy();
      return false;
    }
    if (shaper === undefined) return true;
    const ms = shaper.take(bytes);
    if (ms <= 0) return true;
    downWaiting = true;
    setTimeout(downWaited, ms);
    return false;
  };

  const reader = sharedReaderOf(upstream);
  if (reader) {
    // Download through shared read buffers. A chunk the kernel took whole frees its buffer at once; a chunk left
    // queued keeps it (retired from the pool) and pauses the exit until every write of ours has been flushed.
    // We wait on the writes' own callbacks, not on 'drain': Node emits 'drain' only after a write() that returned
    // false, and a write below the high-water mark returns true even when the kernel took none of it, so waiting
    // for 'drain' there stalled the tunnel for good. One callback per connection, given to every write: Node's
    // write path calls a callback either way (a no-op one by default), so this costs no allocation per chunk.
    let unflushed = 0;
    const flushed = (): void => {
      if (--unflushed > 0 || held === undefined) return;
      giveBack(held);
      held = undefined;
      resumeUpstream();
    };
    reader.consume(upstream, (chunk) => {
      conn.down += chunk.length;
      unflushed++;
      client.write(chunk, flushed);
      const more = chargeDown(chunk.length);
      if (client.writableLength === 0) return more;
      held = retireCurrent();
      return false;
    });
  } else {
    upstream.on('data', (chunk: Buffer) => {
      conn.down += chunk.length;
      if (!client.write(chunk)) {
        downFull = true;
        upstream.pause();
      }
      if (!chargeDown(chunk.length)) upstream.pause();
    });
    client.on('drain', () => {
      downFull = false;
      resumeUpstream();
    });
  }

  // Half-close is passed on; a full close or an error ends both sides.
  client.on('end', () => upstream.end());
  upstream.on('end', () => client.end());
  upstream.on('close', () => conn.destroy());
  client.on('close', () => conn.destroy());
  upstream.on('error', () => conn.destroy());
}
