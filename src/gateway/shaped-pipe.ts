/**
 * `src.pipe(dst)` for a shaped account's forwarded HTTP bodies: the same backpressure (src paused while dst is
 * full), plus the shaper's pauses (src paused for as long as the shaper says after each chunk). src is resumed
 * only when neither holds it, so nothing is buffered beyond what one read brings. Ends dst when src ends.
 */
import type { Readable, Writable } from 'node:stream';
import type { Shaper } from './gateway.types.js';

export function shapedPipe(src: Readable, dst: Writable, shaper: Shaper): void {
  let full = false;
  let waiting = false;
  const resume = () => {
    if (!full && !waiting && !src.destroyed) src.resume();
  };
  src.on('data', (chunk: Buffer) => {
    if (!dst.write(chunk)) {
      full = true;
      src.pause();
    }
    const ms = shaper.take(chunk.length);
    if (ms <= 0) return;
    waiting = true;
    src.pause();
    setTimeout(() => {
      waiting = false;
      resume();
    }, ms);
  });
  dst.on('drain', () => {
    full = false;
    resume();
  });
  src.once('end', () => dst.end());
  src.resume();
}
