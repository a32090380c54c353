/**
 * Patterned streams for backpressure tests: a byte's value depends on its offset, so a chunk that is lost,
 * repeated or overwritten (a shared read buffer reused while a write still points into it) changes the bytes a
 * reader sees. Targets that send such a stream in small writes, or take one slowly, and a reader that pauses.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { listen, track } from './gateway.js';

/** `length` bytes of the pattern starting at stream offset `offset`. */
export function pattern(offset: number, length: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) {
    const x = offset + i;
    b[i] = (x ^ (x >>> 8) ^ (x >>> 16) ^ (x >>> 24)) & 0xff;
  }
  return b;
}

/** SHA-256 (hex) of the first `length` bytes of the pattern. */
export function patternDigest(length: number): string {
  const hash = createHash('sha256');
  for (let offset = 0; offset < length; offset += 1 << 20) hash.update(pattern(offset, Math.min(1 << 20, length - offset)));
  return hash.digest('hex');
}

/** Writes `length` patterned bytes in `chunk`-sized writes, waiting for 'drain' after a write that returned false. */
export async function writePattern(
  out: NodeJS.WritableStream & { destroyed?: boolean },
  length: number,
  chunk: number,
): Promise<void> {
  for (let offset = 0; offset < length; offset += chunk) {
    if (out.destroyed) throw new Error(`writer destroyed at byte ${offset}`);
    if (!out.write(pattern(offset, Math.min(chunk, length - offset)))) await once(out, 'drain');
  }
}

export interface SlowRead {
  readonly data: Buffer;
  /** The longest time between two chunks, in milliseconds (the reader's own pauses included). */
  readonly maxGapMs: number;
}

/**
 * Reads until `expected` bytes (or the end), pausing for `pauseMs` after every `every` bytes: a client that takes
 * its download in bursts. Rejects when no byte arrives for `stallMs` while it wants more.
 */
export function readSlowly(
  socket: Duplex,
  expected: number,
  { every = 256 * 1024, pauseMs = 25, stallMs = 10_000 } = {},
): Promise<SlowRead> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let sincePause = 0;
    let last = performance.now();
    let maxGapMs = 0;
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      socket.off('data', onData);
      if (err) reject(err);
      else resolve({ data: Buffer.concat(chunks), maxGapMs });
    };
    const watchdog = setInterval(() => {
      if (!socket.isPaused() && performance.now() - last > stallMs) {
        finish(new Error(`stalled: no byte for ${stallMs} ms after ${bytes} of ${expected}`));
      }
    }, 250);
    const onData = (c: Buffer) => {
      const now = performance.now();
      maxGapMs = Math.max(maxGapMs, now - last);
      last = now;
      chunks.push(c);
      bytes += c.length;
      sincePause += c.length;
      if (bytes >= expected) return finish();
      if (sincePause >= every) {
        sincePause = 0;
        socket.pause();
        setTimeout(() => {
          last = performance.now();
          socket.resume();
        }, pauseMs);
      }
    };
    socket.on('data', onData);
    socket.once('end', () => finish());
    socket.once('close', () => finish());
    socket.once('error', (err) => finish(err));
    socket.resume();
  });
}

export interface PatternTarget {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A TCP target speaking one line, then bytes:
 * - `SEND <bytes> <chunk>\n`: answers that many patterned bytes in `chunk`-sized writes, then closes;
 * - `SINK <bytes>\n`: reads that many bytes slowly (pausing as readSlowly does), then answers their SHA-256 in hex.
 */
export async function startPatternTarget(): Promise<PatternTarget> {
  const server = net.createServer((socket) => {
    let head = Buffer.alloc(0);
    const onData = (c: Buffer) => {
      head = Buffer.concat([head, c]);
      const nl = head.indexOf(10);
      if (nl < 0) return;
      socket.off('data', onData);
      socket.pause();
      const [verb, a, b] = head.subarray(0, nl).toString('latin1').split(' ');
      const rest = head.subarray(nl + 1);
      if (verb === 'SEND') {
        writePattern(socket, Number(a), Number(b)).then(
          () => socket.end(),
          () => socket.destroy(),
        );
      } else if (verb === 'SINK') {
        if (rest.length > 0) socket.unshift(rest);
        readSlowly(socket, Number(a)).then(
          ({ data }) => socket.end(`${createHash('sha256').update(data).digest('hex')}\n`),
          () => socket.destroy(),
        );
      } else socket.destroy();
    };
    socket.on('data', onData);
  });
  const close = track(server);
  return { port: await listen(server), close };
}

/** An HTTP target: GET /pattern/<bytes> answers that many patterned bytes in 2 KiB writes (Content-Length set). */
export async function startPatternHttpTarget(): Promise<PatternTarget> {
  const server = http.createServer((req, res) => {
    const m = /^\/pattern\/(\d+)$/.exec(req.url ?? '');
    if (!m) return void res.writeHead(404).end();
    const n = Number(m[1]);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': n });
    writePattern(res, n, 2048).then(
      () => res.end(),
      () => res.destroy(),
    );
  });
  const close = track(server);
  return { port: await listen(server), close };
}

/** An upstream HTTP proxy (CONNECT only, no credentials) for exits of the `http://` kind: tunnels with `pipe`. */
export async function startUpstreamHttpProxy(): Promise<PatternTarget> {
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const authority = new URL(`http://${req.url ?? ''}`);
    const target = net.connect(Number(authority.port), authority.hostname.replace(/^\[|\]$/g, ''), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) target.write(head);
      target.pipe(client);
      client.pipe(target);
    });
    target.on('error', () => client.destroy());
    client.on('error', () => target.destroy());
    client.on('close', () => target.destroy());
  });
  const close = track(server);
  return { port: await listen(server), close };
}
