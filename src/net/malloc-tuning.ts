/**
 * glibc malloc tunables for the gateway process, set in the environment before it starts (glibc reads them
 * once, at the first allocation; Node has no way to call mallopt later). bin/tollgate sets these values for
 * `serve` before it execs Node (tests/signals.test.ts reads them back from the running server); the benchmark's
 * gateway child gets them from withMallocTunables.
 *
 * Why: an accepted client socket cannot read into shared buffers in Node 20 (net `onread` is for sockets we
 * create, so only the exit side uses src/net/shared-read.ts). Each read of an upload therefore allocates a fresh
 * 64 KiB buffer; with glibc's default trim threshold the freed top of the heap is handed back to the kernel and
 * faulted in again on the next read (~200 minor page faults per MiB relayed, ~20% of upload throughput on the
 * bench). Keeping up to 1 GiB of free heap untrimmed and growing the heap by 64 MiB at a time makes those buffers
 * reuse mapped pages. The cost is memory that stays mapped after a burst (at most the trim threshold, in practice
 * the high-water mark of in-flight read buffers).
 *
 * Rejected: wrapping the accepted handle in our own Socket with `onread`, or calling the handle's
 * `useUserBuffer` through internal symbols (kBuffer/kBufferCb): both depend on net.js internals that change
 * between Node releases.
 */
export const MALLOC_TUNABLES: Readonly<Record<string, string>> = Object.freeze({
  MALLOC_TRIM_THRESHOLD_: String(1024 * 1024 * 1024),
  MALLOC_TOP_PAD_: String(64 * 1024 * 1024),
});

/**
 * The environment with the tunables added, or undefined when nothing needs adding: not Linux (no glibc), or
 * every tunable already set (an operator's own value, including glibc's defaults to opt out, is kept).
 */
export function withMallocTunables(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): NodeJS.ProcessEnv | undefined {
  if (platform !== 'linux') return undefined;
  const missing = Object.entries(MALLOC_TUNABLES).filter(([name]) => env[name] === undefined);
  if (missing.length === 0) return undefined;
  return { ...env, ...Object.fromEntries(missing) };
}
