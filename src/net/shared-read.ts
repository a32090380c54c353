/**
 * Reading exit sockets into shared buffers (net `onread`), for the relay's
 * download direction. Node otherwise allocates a fresh 64 KiB buffer for every
 * read, which the C allocator gives back to the kernel and maps again: on
 * these machines that page-faulting cost ~30% of bulk throughput. Here every
 * socket reads into the one `current` buffer; a chunk that the writer could not
 * hand to the kernel at once keeps its buffer (retired from the pool until the
 * writer drains), and idle sockets hold no buffer at all.
 */
import type { OnReadOpts, Socket } from 'node:net';

const SIZE = 64 * 1024;
/** Buffers given back after a drain, for the next retirement. */
const spare: Buffer[] = [];
let current: Buffer = Buffer.allocUnsafe(SIZE);

/** Takes the current buffer out of use (a pending write still points into it) and returns it. */
export function retireCurrent(): Buffer {
  const retired = current;
  current = spare.pop() ?? Buffer.allocUnsafe(SIZE);
  return retired;
}

/** Returns a retired buffer once nothing points into it any more. */
export function giveBack(buffer: Buffer): void {
  if (spare.length < 256) spare.push(buffer);
}

/** Receives each chunk (valid only during the call); returns false to pause the socket. */
export type ChunkConsumer = (chunk: Buffer) => boolean;

const readers = new WeakMap<Socket, SharedReader>();

export class SharedReader {
  #consumer: ChunkConsumer | undefined;
  #early: Buffer[] = [];
  readonly onread: OnReadOpts = {
    buffer: () => current,
    callback: (n: number, buf: Uint8Array) => this.#read(n, buf as Buffer),
  };

  #read(n: number, buf: Buffer): boolean {
    const chunk = buf.subarray(0, n);
    if (this.#consumer) return this.#consumer(chunk);
    // Before the relay takes over (a server that speaks first): keep a copy, stop reading.
    this.#early.push(Buffer.from(chunk));
    return false;
  }

  /** Registers the reader of a socket created with its `onread`. */
  bind(socket: Socket): void {
    readers.set(socket, this);
  }

  /** Hands every byte to `consumer` from now on, those that came early first, and starts reading. */
  consume(socket: Socket, consumer: ChunkConsumer): void {
    this.#consumer = consumer;
    const early = this.#early;
    this.#early = [];
    // Early chunks are copies, so all of them go on; the consumer's last answer says whether to read on.
    let more = true;
    for (const chunk of early) more = consumer(chunk);
    if (more) socket.resume();
  }
}

/** The shared reader of a socket, if it was created with one. */
export function sharedReaderOf(socket: Socket): SharedReader | undefined {
  return readers.get(socket);
}
