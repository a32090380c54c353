/**
 * A token bucket in bytes, shared by every connection (both directions) of one user's time packages: a reader
 * takes what it has just relayed and is told how long to pause before reading again. The debt model (tokens may
 * go below zero, and a reader waits until they are back to zero) means every byte relayed is paid for at the
 * rate, so the long-run rate is exact whatever the chunk sizes and however many readers share the bucket, and a
 * single reader can use the whole rate. Nothing is buffered: readers stop reading while they wait.
 *
 * `take` is on the hot path of shaped traffic: a clock read, a few arithmetic operations, no allocation.
 */

/** The burst a bucket may save up while idle: this many ms at its rate, at least MIN_BURST_BYTES. */
const BURST_MS = 50;
const MIN_BURST_BYTES = 16 * 1024;
/**
 * A debt worth less than this many ms is carried rather than waited for: readers pause once per 20 ms of
 * traffic instead of once per chunk (each pause costs a timer, a read stop and start, an event-loop turn: at
 * 800 Mbit/s, pausing for every debt cost 2-4× the CPU per GiB of unshaped traffic, this 1.4-1.6×), and the next
 * wait repays it all, so the long-run rate is the same.
 */
const MIN_WAIT_MS = 20;

export class TokenBucket {
  /** Bytes per ms. */
  #rate = 0;
  #burst = MIN_BURST_BYTES;
  #tokens = 0;
  #last: number;

  constructor(
    bytesPerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#last = now();
    this.setRate(bytesPerSecond);
    this.#tokens = this.#burst;
  }

  /** Bytes per second now. */
  get rate(): number {
    return this.#rate * 1000;
  }

  /** Changes the rate from now on (a package started or expired); what is owed stays owed. */
  setRate(bytesPerSecond: number): void {
    this.#refill();
    // A zero rate would never repay a debt; the quota closes the connections when nothing is valid anyway.
    this.#rate = Math.max(bytesPerSecond, 1) / 1000;
    this.#burst = Math.max(MIN_BURST_BYTES, this.#rate * BURST_MS);
    if (this.#tokens > this.#burst) this.#tokens = this.#burst;
  }

  /**
   * Takes `bytes` just relayed. Answers 0 when the reader may go on, else the ms to pause it so that what the
   * bucket owes is repaid at the rate.
   */
  take(bytes: number): number {
    this.#refill();
    const tokens = (this.#tokens -= bytes);
    if (tokens >= 0) return 0;
    const ms = -tokens / this.#rate;
    return ms < MIN_WAIT_MS ? 0 : Math.ceil(ms);
  }

  #refill(): void {
    const t = this.now();
    const tokens = this.#tokens + (t - this.#last) * this.#rate;
    this.#last = t;
    this.#tokens = tokens > this.#burst ? this.#burst : tokens;
  }
}

/** Mbit/s as bytes per second (1 Mbit = 10^6 bits, as bandwidth is sold). */
export function mbpsToBytesPerSecond(mbps: number): number {
  return (mbps * 1_000_000) / 8;
}
