/**
 * Waiting for state that other processes change on their own clock (heartbeats, flushes): read until `done`, every
 * 50 ms, with a generous deadline that fails with the last value read.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export async function poll<T>(read: () => Promise<T>, done: (v: T) => boolean, ms: number, what: string): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(v)}`);
    await sleep(50);
  }
}
