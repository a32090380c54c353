/**
 * Gateway benchmark: Tollgate's proxy entry against a plain Node relay (the baseline: the same handshakes, no
 * auth, no metering, `pipe` both ways) on the same loopback targets. Run: `npm run bench:gateway`.
 *
 * Layout, the same for both proxies: each proxy runs in its own child process (this file forked with a role
 * argument), so it never shares an event loop with the load; the load generator and the targets run in this
 * process. Both children exist for the whole run; only one is loaded at a time.
 *
 *   bulk       tunnels to a target that streams a reused buffer as fast as the socket drains (download), or
 *              that discards what it gets while the client streams (upload); MiB/s over a fixed window
 *              after a warm-up, summed over the tunnels. 1 and 8 tunnels, HTTP CONNECT and SOCKS5.
 *   short      64 workers, each in a loop: TCP connect, handshake with credentials (Basic for CONNECT,
 *              RFC 1929 for SOCKS5; the baseline accepts any), 1 KiB sent, 1 KiB echo read, close.
 *              Connections per second, and p50/p99 of the whole exchange.
 *   memory     N idle CONNECT tunnels held open; the proxy's rss and heap (after a forced GC, on fresh
 *              children after a small warm-up) before and after, divided by N.
 *   slow       4 tunnels whose clients take the download in bursts (1.2 s without reading, 0.3 s reading all
 *              they can) from a target that trickles chunks of 1-12 KiB, while a CPU-bound neighbour process spins: the conditions
 *              under which a relay that waits for the wrong event stalls. The longest gap between two bytes a
 *              reader wanted (its own pauses excluded; a tunnel that stops counts until the window ends).
 *   shaped     Tollgate only: bulk tunnels of a type-11 account whose time package has a bandwidth of
 *              BENCH_SHAPED_MBPS (default 800 Mbit/s), alternated with the same tunnels of the unshaped account,
 *              in the same child. The shaper's rate accuracy (measured / sold, target within ±10%) and its CPU
 *              cost per GiB against unshaped traffic (both less the child's idle CPU, measured first).
 *
 * Each bulk and short case runs three times per proxy, alternating which goes first; the median is reported.
 * Next to each run: the proxy's CPU (user + system, all threads; ~100% means the proxy is the bottleneck), this
 * process's CPU ("load"), and for bulk the proxy's minor page faults per MiB (256 means every byte relayed went
 * through a freshly mapped page: read buffers handed back to the OS and faulted in again). The summary adds
 * proxy CPU per GiB and per connection, which compare the proxies whoever the bottleneck is.
 * Target misses are reported, not turned into a non-zero exit; a broken handshake or echo is an error.
 *
 * BENCH_ONLY=memory,bulk,short,slow,shaped runs a subset; BENCH_CASES=upload,SOCKS5 keeps only the bulk and short cases whose
 * label contains one of the words. The Tollgate child gets the malloc tunables `tollgate serve` sets for itself
 * (src/net/malloc-tuning.ts); set MALLOC_TRIM_THRESHOLD_ and MALLOC_TOP_PAD_ to compare without.
 * BENCH_CHILD_ARGS adds node flags to both proxy children, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" (open the
 * .cpuprofile files in Chrome DevTools) or "--trace-gc".
 */

import { type ChildProcess, fork, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import net, { type AddressInfo, type Server, type Socket } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { withMallocTunables } from '../src/net/malloc-tuning.js';

type Role = 'baseline' | 'tollgate';
type Protocol = 'connect' | 'socks5';

const USERNAME = 'bench1';
const PASSWORD = 'benchpass1';
const PRODUCT_TYPE = 9;
/** The shaped account: product type 11, its owner's time package sold at SHAPED_MBPS. */
const SHAPED_USERNAME = 'shaped1';
const SHAPED_TYPE = 11;
const SHAPED_MBPS = Number(process.env.BENCH_SHAPED_MBPS ?? 800);
const SHAPED_CONCURRENCY = 64;
const SHAPED_ACCURACY = 0.1;
const KIB = 1024;
const MIB = 1024 * 1024;

const REPS = 3;
const BULK_WARMUP_MS = 300;
const BULK_WINDOW_MS = 1_500;
const SHORT_CONCURRENCY = 64;
const SHORT_WARMUP_MS = 400;
const SHORT_WINDOW_MS = 2_500;
const ECHO_BYTES = KIB;
const IDLE_TUNNELS = 5_000;
const IDLE_WARMUP_TUNNELS = 200;
const OPEN_CONCURRENCY = 100;
/** File descriptors kept free per process beyond the tunnels' own. */
const FD_MARGIN = 200;

const ONLY = new Set((process.env.BENCH_ONLY ?? 'memory,bulk,short,slow,shaped').split(',').map((s) => s.trim()));
const CHILD_ARGS = (process.env.BENCH_CHILD_ARGS ?? '').split(' ').filter((a) => a !== '');
/** Only the bulk/short cases whose label contains one of these (comma-separated), e.g. "upload" or "SOCKS5". */
const CASES = (process.env.BENCH_CASES ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter((s) => s !== '');
const selected = (label: string): boolean => CASES.length === 0 || CASES.some((c) => label.includes(c));

const BULK_TARGET = 0.9;
const SHORT_TARGET = 0.7;
const IDLE_TARGET_KIB = 16;
const SLOW_TUNNELS = 4;
const SLOW_WINDOW_MS = 6_000;
/**
 * Each slow reader alternates: this long without reading (long enough to fill loopback socket buffers, which grow
 * to tens of MiB here: tcp_rmem's maximum), then this long reading all it can.
 */
const SLOW_PAUSE_MS = 1_200;
const SLOW_READ_MS = 300;
const SLOW_GAP_TARGET_MS = 1_000;
/** The trickle target's write sizes, in turn: mostly below a socket's 16 KiB high-water mark. */
const TRICKLE_SIZES = [1 * KIB, 3 * KIB, 4 * KIB, 7 * KIB, 12 * KIB];
const TRICKLE_CHUNK = Buffer.alloc(16 * KIB, 0x63);

/** What the download target writes, again and again (never modified, so one buffer serves every socket). */
const BULK_CHUNK = Buffer.alloc(MIB, 0x61);
const ECHO_PAYLOAD = Buffer.alloc(ECHO_BYTES, 0x62);

// ---------------------------------------------------------------------------------------------------------------
// Proxy children: `<this file> tollgate-server <dataDir>` and `<this file> baseline-server`

interface MemoryReport {
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
}

interface CpuReport {
  readonly user: number;
  readonly system: number;
  /** Minor page faults so far: memory the kernel had to map (and zero) for the process. */
  readonly minorFaults: number;
}

type ToChild = { readonly type: 'mem' } | { readonly type: 'cpu' } | { readonly type: 'stop' };
type FromChild =
  | { readonly type: 'ready'; readonly port: number }
  | ({ readonly type: 'mem' } & MemoryReport)
  | ({ readonly type: 'cpu' } & CpuReport)
  | { readonly type: 'failed'; readonly message: string };

function send(message: FromChild): void {
  process.send?.(message);
}

/** Answers the parent's questions until told to stop (or orphaned). */
function serveParent(port: number, close: () => Promise<void>): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: ToChild) => {
    if (message.type === 'mem') {
      gc?.();
      gc?.();
      const { rss, heapUsed, external } = process.memoryUsage();
      send({ type: 'mem', rss, heapUsed, external });
    } else if (message.type === 'cpu') {
      const { userCPUTime: user, systemCPUTime: system, minorPageFault: minorFaults } = process.resourceUsage();
      send({ type: 'cpu', user, system, minorFaults });
    } else if (message.type === 'stop') {
      close().finally(() => process.exit(0));
    }
  });
  send({ type: 'ready', port });
}

async function runTollgateServer(dataDir: string): Promise<void> {
  // Loaded here only, so the parent and the baseline child never carry the platform's modules.
  // The compiled build, as `tollgate serve` runs it.
  const { configFromEnv, openPlatform, startGateway } = await (await import('./build.js')).loadBuild();
  const config = configFromEnv({
    TOLLGATE_DATA_DIR: dataDir,
    TOLLGATE_LOG_LEVEL: 'silent',
    TOLLGATE_ALLOW_PRIVATE_TARGETS: '1',
    TOLLGATE_PROXY_HOST: '127.0.0.1',
    TOLLGATE_PROXY_PORT: '0',
    // Every port picked free: other runs (and other benches) may hold the defaults.
    TOLLGATE_STATIC_PORT: '0',
    TOLLGATE_EXTRACT_PORTS: 'off',
    TOLLGATE_MAX_CONNECTIONS: '100000',
    TOLLGATE_AUTH_FAIL_SLOW_AFTER: '1000000',
    TOLLGATE_AUTH_FAIL_BLOCK_AFTER: '1000000',
    // One bench customer opens thousands of tunnels at once: the per-customer shares are not what is measured.
    TOLLGATE_TUNNELS_PER_ACCOUNT: '1000000',
    TOLLGATE_TUNNELS_PER_USER: '1000000',
    TOLLGATE_MAX_HANDSHAKES_PER_IP: '100000',
  });
  const platform = await openPlatform(config, { logger: pino({ level: 'silent' }) });
  const { user } = await platform.services.users.create({ email: 'bench-gateway@example.com' });
  await platform.services.subAccounts.add(user.id, `${USERNAME}:${PASSWORD}`, '', PRODUCT_TYPE);
  // Traffic draws on a package: without one the gateway refuses with 403 / TG_ERR_QUOTA_NO_PACKAGE. 1 PiB outlasts any run.
  await platform.services.packages.grant({ userId: user.id, productType: PRODUCT_TYPE, totalBytes: 2 ** 50, days: 3650 });
  // The shaped account: a type-11 account whose owner's time package sells SHAPED_MBPS.
  const { user: shaped } = await platform.services.users.create({ email: 'bench-shaped@example.com' });
  await platform.services.subAccounts.add(shaped.id, `${SHAPED_USERNAME}:${PASSWORD}`, '', SHAPED_TYPE);
  await platform.services.packages.grant({
    userId: shaped.id,
    productType: SHAPED_TYPE,
    bandwidthMbps: SHAPED_MBPS,
    concurrency: SHAPED_CONCURRENCY,
    days: 3650,
  });
  await platform.services.nodes.add({ url: 'direct://', country: 'US', types: [PRODUCT_TYPE, SHAPED_TYPE] });
  const gateway = await startGateway(platform);
  serveParent(gateway.address.port, async () => {
    await gateway.close();
    await platform.close();
  });
}

/**
 * The baseline: a minimal relay that speaks the same two handshakes (HTTP CONNECT; SOCKS5 with no-auth or
 * username/password, any credentials accepted) and then pipes both ways. No auth, no metering, no registry.
 */
async function runBaselineServer(): Promise<void> {
  const server = net.createServer({ noDelay: true }, (client) => {
    let buffered: Buffer = Buffer.alloc(0);
    let stage: 'first' | 'http' | 'greeting' | 'auth' | 'request' | 'dialling' = 'first';
    client.on('error', () => client.destroy());

    const dial = (host: string, port: number, answer: Buffer, early: Buffer) => {
      stage = 'dialling';
      client.off('data', onData);
      client.pause();
      const upstream = net.connect({ host, port });
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      upstream.once('connect', () => {
        client.write(answer);
        if (early.length > 0) upstream.write(early);
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };

    const step = (): void => {
      for (;;) {
        if (stage === 'first') {
          if (buffered.length === 0) return;
          stage = buffered[0] === 0x05 ? 'greeting' : 'http';
        } else if (stage === 'http') {
          const end = buffered.indexOf('\r\n\r\n');
          if (end < 0) return;
          const line = buffered.toString('latin1', 0, buffered.indexOf('\r\n'));
          const match = /^CONNECT (\S+):(\d+) HTTP\/1\.[01]$/.exec(line);
          if (!match) return void client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
          const early = buffered.subarray(end + 4);
          return dial(match[1]!, Number(match[2]), Buffer.from('HTTP/1.1 200 Connection Established\r\n\r\n'), early);
        } else if (stage === 'greeting') {
          if (buffered.length < 2 || buffered.length < 2 + buffered[1]!) return;
          const methods = buffered.subarray(2, 2 + buffered[1]!);
          const method = methods.includes(0x02) ? 0x02 : 0x00;
          buffered = buffered.subarray(2 + buffered[1]!);
          client.write(Buffer.from([0x05, method]));
          stage = method === 0x02 ? 'auth' : 'request';
        } else if (stage === 'auth') {
          if (buffered.length < 2) return;
          const ulen = buffered[1]!;
          if (buffered.length < 3 + ulen) return;
          const plen = buffered[2 + ulen]!;
          if (buffered.length < 3 + ulen + plen) return;
          buffered = buffered.subarray(3 + ulen + plen);
          client.write(Buffer.from([0x01, 0x00]));
          stage = 'request';
        } else if (stage === 'request') {
          if (buffered.length < 5) return;
          const atyp = buffered[3];
          const length = atyp === 0x01 ? 10 : atyp === 0x04 ? 22 : 7 + buffered[4]!;
          if (buffered.length < length) return;
          const host =
            atyp === 0x01
              ? [...buffered.subarray(4, 8)].join('.')
              : atyp === 0x04
                ? [...Array(8).keys()].map((i) => buffered.readUInt16BE(4 + 2 * i).toString(16)).join(':')
                : buffered.toString('latin1', 5, 5 + buffered[4]!);
          const port = buffered.readUInt16BE(length - 2);
          return dial(host, port, Buffer.from([0x05, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]), buffered.subarray(length));
        } else return;
      }
    };

    const onData = (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      step();
    };
    client.on('data', onData);
  });
  server.maxConnections = 100_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  serveParent((server.address() as AddressInfo).port, () => new Promise((resolve) => server.close(() => resolve())));
}

// ---------------------------------------------------------------------------------------------------------------
// The parent's handle on a proxy child

const SELF = fileURLToPath(import.meta.url);
const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

class ProxyProcess {
  readonly #waiting = new Map<string, ((message: FromChild) => void)[]>();

  private constructor(
    readonly role: Role,
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on('message', (message: FromChild) => this.#waiting.get(message.type)?.shift()?.(message));
  }

  static async start(role: Role, dataDir: string): Promise<ProxyProcess> {
    const child = fork(SELF, role === 'tollgate' ? ['tollgate-server', dataDir] : ['baseline-server'], {
      execArgv: ['--import', 'tsx', '--expose-gc', ...CHILD_ARGS],
      // Tollgate's child starts with the environment `tollgate serve` gets (bin/tollgate: glibc malloc
      // tunables); the baseline keeps this process's, as a plain Node relay would run.
      env: role === 'tollgate' ? (withMallocTunables(process.env) ?? process.env) : process.env,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.add(child);
    child.once('exit', () => children.delete(child));
    const port = await new Promise<number>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`${role} child exited (${code}) before it was ready`));
      child.once('exit', onExit);
      child.on('message', (message: FromChild) => {
        if (message.type === 'ready') {
          child.off('exit', onExit);
          resolve(message.port);
        } else if (message.type === 'failed') reject(new Error(`${role} child failed: ${message.message}`));
      });
    });
    return new ProxyProcess(role, child, port);
  }

  #ask<T extends FromChild['type']>(type: T & ToChild['type']): Promise<Extract<FromChild, { type: T }>> {
    return new Promise((resolve) => {
      const list = this.#waiting.get(type) ?? [];
      list.push(resolve as (message: FromChild) => void);
      this.#waiting.set(type, list);
      this.child.send({ type } satisfies ToChild);
    });
  }

  /** Memory after two forced GCs. */
  memory(): Promise<MemoryReport> {
    return this.#ask('mem');
  }

  /** CPU time used so far (µs) and minor page faults, with the parent's clock (ms) when the answer arrived. */
  async cpu(): Promise<{ us: number; faults: number; at: number }> {
    const report = await this.#ask('cpu');
    return { us: report.user + report.system, faults: report.minorFaults, at: performance.now() };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.send({ type: 'stop' } satisfies ToChild);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Targets (in this process)

interface Targets {
  readonly download: number;
  /** Streams small chunks, one write per event-loop turn, as fast as the socket drains. */
  readonly trickle: number;
  readonly upload: number;
  readonly echo: number;
  /** Bytes the upload target has received so far. */
  sunk(): number;
  /** Resolves once no target socket is open (every tunnel torn down). */
  idle(): Promise<void>;
  /** Waits up to `ms` for every target socket to close, then closes the rest; resolves with how many it closed. */
  settle(ms: number): Promise<number>;
  close(): Promise<void>;
}

async function startTargets(): Promise<Targets> {
  const live = new Set<Socket>();
  let sunk = 0;
  const servers: Server[] = [];
  const listen = async (onSocket: (socket: Socket) => void): Promise<number> => {
    const server = net.createServer({ noDelay: true }, (socket) => {
      live.add(socket);
      socket.on('error', () => socket.destroy());
      socket.once('close', () => live.delete(socket));
      onSocket(socket);
    });
    server.maxConnections = 100_000;
    servers.push(server);
    server.listen(0, '127.0.0.1', 4096);
    await once(server, 'listening');
    return (server.address() as AddressInfo).port;
  };
  const download = await listen((socket) => {
    const pump = () => {
      while (!socket.destroyed && socket.write(BULK_CHUNK));
    };
    socket.on('drain', pump);
    pump();
  });
  const trickle = await listen((socket) => {
    let turn = 0;
    const next = () => {
      if (socket.destroyed) return;
      const size = TRICKLE_SIZES[turn++ % TRICKLE_SIZES.length]!;
      if (socket.write(TRICKLE_CHUNK.subarray(0, size))) setImmediate(next);
      else socket.once('drain', next);
    };
    next();
  });
  const upload = await listen((socket) => socket.on('data', (chunk: Buffer) => void (sunk += chunk.length)));
  const echo = await listen((socket) => socket.on('data', (chunk: Buffer) => socket.write(chunk)));
  return {
    download,
    trickle,
    upload,
    echo,
    sunk: () => sunk,
    async idle() {
      const deadline = performance.now() + 10_000;
      while (live.size > 0) {
        if (performance.now() > deadline) throw new Error(`${live.size} target sockets still open 10 s after teardown`);
        await sleep(20);
      }
    },
    async settle(ms: number) {
      const deadline = performance.now() + ms;
      while (live.size > 0 && performance.now() < deadline) await sleep(20);
      const left = live.size;
      for (const socket of live) socket.destroy();
      return left;
    },
    async close() {
      for (const socket of live) socket.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Client side: a tunnel through a proxy, read with one shared buffer (bytes are counted, never kept)

const READ_BUFFER = Buffer.allocUnsafe(64 * KIB);
const SOCKS_GREETING = Buffer.from([0x05, 0x01, 0x02]);

/** An account's credentials as the two handshakes send them. */
interface Credentials {
  readonly basic: string;
  readonly socksAuth: Buffer;
}

function credentials(username: string, password: string): Credentials {
  return {
    basic: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
    socksAuth: Buffer.concat([
      Buffer.from([0x01, username.length]),
      Buffer.from(username),
      Buffer.from([password.length]),
      Buffer.from(password),
    ]),
  };
}

const UNSHAPED = credentials(USERNAME, PASSWORD);
const SHAPED = credentials(SHAPED_USERNAME, PASSWORD);

function socksConnect(port: number): Buffer {
  const out = Buffer.from([0x05, 0x01, 0x00, 0x01, 127, 0, 0, 1, 0, 0]);
  out.writeUInt16BE(port, 8);
  return out;
}

/**
 * Opens a tunnel to 127.0.0.1:`targetPort`; resolves with the socket once the proxy has answered the handshake.
 * Every payload byte (including any that came with the answer) is reported to `onPayload` as a count; when it
 * answers false, the socket stops reading until resumed.
 */
function openTunnel(
  proxyPort: number,
  protocol: Protocol,
  targetPort: number,
  onPayload: (n: number) => boolean | void,
  account: Credentials = UNSHAPED,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    let stage: 'head' | 'greeting' | 'auth' | 'reply' | 'open' = protocol === 'connect' ? 'head' : 'greeting';
    let pending: Buffer = Buffer.alloc(0);
    const fail = (why: string) => {
      socket.destroy();
      reject(new Error(`${protocol} handshake: ${why}`));
    };
    const handshake = (bytes: Buffer): void => {
      pending = Buffer.concat([pending, bytes]);
      for (;;) {
        if (stage === 'head') {
          const end = pending.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = pending.toString('latin1', 0, end);
          if (!head.startsWith('HTTP/1.1 200')) return fail(head.split('\r\n')[0] ?? head);
          return open(pending.length - end - 4);
        } else if (stage === 'greeting') {
          if (pending.length < 2) return;
          if (pending[0] !== 0x05 || pending[1] !== 0x02)
            return fail(`greeting answered ${pending.subarray(0, 2).toString('hex')}`);
          pending = pending.subarray(2);
          socket.write(account.socksAuth);
          stage = 'auth';
        } else if (stage === 'auth') {
          if (pending.length < 2) return;
          if (pending[1] !== 0x00) return fail(`authentication refused (${pending[1]})`);
          pending = pending.subarray(2);
          socket.write(socksConnect(targetPort));
          stage = 'reply';
        } else if (stage === 'reply') {
          if (pending.length < 5) return;
          const atyp = pending[3];
          const length = atyp === 0x01 ? 10 : atyp === 0x04 ? 22 : 7 + pending[4]!;
          if (pending.length < length) return;
          if (pending[1] !== 0x00) return fail(`CONNECT refused (reply ${pending[1]})`);
          return open(pending.length - length);
        } else return;
      }
    };
    const open = (extra: number) => {
      stage = 'open';
      pending = Buffer.alloc(0);
      resolve(socket);
      if (extra > 0) onPayload(extra);
    };
    const socket = net.connect({
      host: '127.0.0.1',
      port: proxyPort,
      noDelay: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (n: number, buf: Uint8Array) => {
          if (stage === 'open') return onPayload(n) !== false;
          handshake(Buffer.from(buf.subarray(0, n)));
          return true;
        },
      },
    });
    socket.on('error', (err) => {
      if (stage !== 'open') reject(err);
      socket.destroy();
    });
    socket.once('close', () => {
      if (stage !== 'open') reject(new Error(`${protocol} handshake: the proxy closed the connection`));
    });
    socket.write(
      protocol === 'connect'
        ? `CONNECT 127.0.0.1:${targetPort} HTTP/1.1\r\nHost: 127.0.0.1:${targetPort}\r\nProxy-Authorization: ${account.basic}\r\n\r\n`
        : SOCKS_GREETING,
    );
  });
}

/** Opens `count` tunnels, `concurrency` at a time. */
async function openMany(proxyPort: number, targetPort: number, count: number, concurrency: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      sockets.push(await openTunnel(proxyPort, 'connect', targetPort, () => {}));
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  } catch (err) {
    for (const socket of sockets) socket.destroy();
    throw err;
  }
  return sockets;
}

// ---------------------------------------------------------------------------------------------------------------
// Cases

interface BulkResult {
  readonly mibps: number;
  /** Proxy CPU over the window, 100 = one core. */
  readonly cpuPct: number;
  /** Proxy CPU time per GiB relayed, in ms: the cost whoever the bottleneck is. */
  readonly cpuMsPerGib: number;
  /** This process's CPU (load generator and targets) over the window. */
  readonly loadPct: number;
  /** Minor page faults in the proxy per MiB relayed. */
  readonly faultsPerMib: number;
}

async function bulk(
  proxy: ProxyProcess,
  targets: Targets,
  direction: 'download' | 'upload',
  protocol: Protocol,
  tunnels: number,
  account: Credentials = UNSHAPED,
): Promise<BulkResult> {
  let received = 0;
  const count = direction === 'download' ? () => received : () => targets.sunk();
  const port = direction === 'download' ? targets.download : targets.upload;
  const sockets = await Promise.all(
    Array.from({ length: tunnels }, () => openTunnel(proxy.port, protocol, port, (n) => void (received += n), account)),
  );
  try {
    if (direction === 'upload') {
      for (const socket of sockets) {
        const pump = () => {
          while (!socket.destroyed && socket.write(BULK_CHUNK));
        };
        socket.on('drain', pump);
        pump();
      }
    }
    await sleep(BULK_WARMUP_MS);
    const cpu0 = await proxy.cpu();
    const load0 = process.cpuUsage();
    const bytes0 = count();
    const t0 = performance.now();
    await sleep(BULK_WINDOW_MS);
    const bytes1 = count();
    const t1 = performance.now();
    const load = process.cpuUsage(load0);
    const cpu1 = await proxy.cpu();
    const cpuShare = (cpu1.us - cpu0.us) / 1000 / (cpu1.at - cpu0.at);
    return {
      mibps: (bytes1 - bytes0) / MIB / ((t1 - t0) / 1000),
      cpuPct: cpuShare * 100,
      cpuMsPerGib: (cpuShare * (t1 - t0)) / ((bytes1 - bytes0) / (1024 * MIB)),
      loadPct: ((load.user + load.system) / 1000 / (t1 - t0)) * 100,
      faultsPerMib: (cpu1.faults - cpu0.faults) / ((bytes1 - bytes0) / MIB),
    };
  } finally {
    for (const socket of sockets) socket.destroy();
    await targets.idle();
  }
}

/** The proxy's CPU share (100 = one core) with no traffic at all, over `ms`. */
async function idleCpu(proxy: ProxyProcess, ms: number): Promise<number> {
  const cpu0 = await proxy.cpu();
  await sleep(ms);
  const cpu1 = await proxy.cpu();
  return ((cpu1.us - cpu0.us) / 1000 / (cpu1.at - cpu0.at)) * 100;
}

/** Proxy CPU ms per GiB relayed, less what the proxy spends idle (timers, polls) over the same time. */
function cpuMsPerGibAboveIdle(r: BulkResult, idlePct: number): number {
  return ((Math.max(0, r.cpuPct - idlePct) / 100) * 1000) / (r.mibps / 1024);
}

interface ShortResult {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly cpuPct: number;
  /** Proxy CPU time per connection, in µs. */
  readonly cpuUsPerConn: number;
  readonly loadPct: number;
  readonly errors: number;
}

/** One short connection: connect, handshake, 1 KiB out, 1 KiB echo back, close. */
function exchange(proxyPort: number, protocol: Protocol, echoPort: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let got = 0;
    let socket: Socket | undefined;
    openTunnel(proxyPort, protocol, echoPort, (n) => {
      got += n;
      if (got >= ECHO_BYTES) {
        socket?.destroy();
        resolve();
      }
    }).then((s) => {
      socket = s;
      s.once(
        'close',
        () => got < ECHO_BYTES && reject(new Error(`${protocol}: closed after ${got} of ${ECHO_BYTES} echo bytes`)),
      );
      s.write(ECHO_PAYLOAD);
    }, reject);
  });
}

async function shortConnections(proxy: ProxyProcess, targets: Targets, protocol: Protocol): Promise<ShortResult> {
  const latencies: number[] = [];
  let completed = 0;
  let errors = 0;
  let lastError: unknown;
  let windowStart = Number.POSITIVE_INFINITY;
  let windowEnd = Number.POSITIVE_INFINITY;
  let stop = false;
  const worker = async () => {
    while (!stop) {
      const t0 = performance.now();
      try {
        await exchange(proxy.port, protocol, targets.echo);
      } catch (err) {
        errors++;
        lastError = err;
        continue;
      }
      const t1 = performance.now();
      if (t1 >= windowStart && t1 <= windowEnd) {
        completed++;
        if (t0 >= windowStart) latencies.push(t1 - t0);
      }
    }
  };
  const workers = Promise.all(Array.from({ length: SHORT_CONCURRENCY }, worker));
  await sleep(SHORT_WARMUP_MS);
  const cpu0 = await proxy.cpu();
  const load0 = process.cpuUsage();
  windowStart = performance.now();
  await sleep(SHORT_WINDOW_MS);
  windowEnd = performance.now();
  const load = process.cpuUsage(load0);
  const cpu1 = await proxy.cpu();
  stop = true;
  await workers;
  await targets.idle();
  if (completed === 0)
    throw new Error(`${protocol} short connections: none completed (${errors} errors; last: ${String(lastError)})`);
  const s = stats(latencies);
  const perSecond = completed / ((windowEnd - windowStart) / 1000);
  const cpuShare = (cpu1.us - cpu0.us) / 1000 / (cpu1.at - cpu0.at);
  return {
    perSecond,
    p50: s.p50,
    p99: s.p99,
    cpuPct: cpuShare * 100,
    cpuUsPerConn: (cpuShare * 1e6) / perSecond,
    loadPct: ((load.user + load.system) / 1000 / (windowEnd - windowStart)) * 100,
    errors,
  };
}

interface SlowResult {
  /** The longest wait for a byte a reader wanted, over all tunnels (ms). */
  readonly maxGapMs: number;
  readonly mibps: number;
  readonly cpuPct: number;
  /** Target connections the proxy still held open 2 s after its clients closed (a stalled relay leaves them). */
  readonly stuck: number;
}

/** Slow readers on a trickling target with a CPU-bound neighbour process (see the header). */
async function slowReaders(proxy: ProxyProcess, targets: Targets, protocol: Protocol): Promise<SlowResult> {
  const neighbour = spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' });
  children.add(neighbour);
  neighbour.once('exit', () => children.delete(neighbour));
  let bytes = 0;
  let maxGapMs = 0;
  const readers = Array.from({ length: SLOW_TUNNELS }, () => ({
    socket: undefined as Socket | undefined,
    /** Reading time (pauses excluded) since the last byte, from phases before the current one. */
    carry: 0,
    /** Where the current phase's reading time since the last byte starts. */
    since: performance.now(),
    paused: false,
  }));
  const gap = (r: (typeof readers)[number], now: number) => r.carry + (r.paused ? 0 : now - r.since);
  const phases: NodeJS.Timeout[] = [];
  try {
    await Promise.all(
      readers.map(async (r) => {
        r.socket = await openTunnel(proxy.port, protocol, targets.trickle, (n) => {
          const now = performance.now();
          maxGapMs = Math.max(maxGapMs, gap(r, now));
          r.carry = 0;
          r.since = now;
          bytes += n;
        });
        r.since = performance.now();
      }),
    );
    // Each reader stops for a phase, then reads everything for a phase, staggered: while it stops, the proxy's
    // writes fill the socket buffers chunk by chunk, so the write that meets the full buffer is a small one.
    readers.forEach((r, i) => {
      const toggle = () => {
        const now = performance.now();
        if (r.paused) r.since = now;
        else r.carry += now - r.since;
        r.paused = !r.paused;
        if (r.paused) r.socket?.pause();
        else r.socket?.resume();
        phases[i] = setTimeout(toggle, r.paused ? SLOW_PAUSE_MS : SLOW_READ_MS);
      };
      phases[i] = setTimeout(toggle, ((i + 1) * SLOW_READ_MS) / SLOW_TUNNELS);
    });
    const cpu0 = await proxy.cpu();
    const t0 = performance.now();
    await sleep(SLOW_WINDOW_MS);
    const t1 = performance.now();
    const cpu1 = await proxy.cpu();
    // A reader still waiting at the end has waited since its last byte.
    for (const timer of phases) clearTimeout(timer);
    const end = performance.now();
    for (const r of readers) maxGapMs = Math.max(maxGapMs, gap(r, end));
    for (const r of readers) r.socket?.destroy();
    return {
      maxGapMs,
      mibps: bytes / MIB / ((t1 - t0) / 1000),
      cpuPct: ((cpu1.us - cpu0.us) / 1000 / (cpu1.at - cpu0.at)) * 100,
      stuck: await targets.settle(2_000),
    };
  } finally {
    for (const timer of phases) clearTimeout(timer);
    neighbour.kill('SIGKILL');
    for (const r of readers) r.socket?.destroy();
  }
}

interface IdleResult {
  readonly tunnels: number;
  readonly rssKib: number;
  readonly heapKib: number;
  readonly externalKib: number;
}

/** Memory per idle CONNECT tunnel, on a proxy that has seen only a small warm-up. */
async function idleMemory(proxy: ProxyProcess, targets: Targets, tunnels: number): Promise<IdleResult> {
  const warm = await openMany(proxy.port, targets.echo, IDLE_WARMUP_TUNNELS, OPEN_CONCURRENCY);
  for (const socket of warm) socket.destroy();
  await targets.idle();
  await sleep(300);
  const before = await proxy.memory();
  const sockets = await openMany(proxy.port, targets.echo, tunnels, OPEN_CONCURRENCY);
  try {
    await sleep(500);
    const after = await proxy.memory();
    const perTunnel = (a: number, b: number) => (a - b) / tunnels / KIB;
    return {
      tunnels,
      rssKib: perTunnel(after.rss, before.rss),
      heapKib: perTunnel(after.heapUsed, before.heapUsed),
      externalKib: perTunnel(after.external, before.external),
    };
  } finally {
    for (const socket of sockets) socket.destroy();
    await targets.idle();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Statistics and printing

/** Nearest-rank percentiles. */
function stats(samples: readonly number[]): { p50: number; p99: number } {
  if (samples.length === 0) return { p50: Number.NaN, p99: Number.NaN };
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
  return { p50: at(50), p99: at(99) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function num(value: number): string {
  if (Number.isNaN(value)) return '-';
  const abs = Math.abs(value);
  return abs >= 100 ? value.toFixed(0) : abs >= 10 ? value.toFixed(1) : value.toFixed(2);
}

interface Figure {
  readonly label: string;
  readonly unit: string;
  readonly baseline: number;
  readonly tollgate: number;
  /** Text of the target, and whether it is met; undefined for figures printed for information. */
  readonly target?: { readonly text: string; readonly pass: boolean };
}

function printFigures(figures: readonly Figure[]): void {
  const width = Math.max(6, ...figures.map((f) => `${f.label} (${f.unit})`.length));
  const head =
    `${'figure'.padEnd(width)}  ${'baseline'.padStart(9)}  ${'Tollgate'.padStart(9)}  ${'ratio'.padStart(6)}` +
    `  ${'target'.padEnd(14)}  result`;
  console.log(`\n${head}`);
  console.log('-'.repeat(head.length));
  for (const f of figures) {
    const ratio = f.tollgate / f.baseline;
    console.log(
      `${`${f.label} (${f.unit})`.padEnd(width)}  ${num(f.baseline).padStart(9)}  ${num(f.tollgate).padStart(9)}` +
        `  ${(Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '-').padStart(6)}` +
        `  ${(f.target?.text ?? '-').padEnd(14)}  ${f.target ? (f.target.pass ? 'PASS' : 'FAIL') : ''}`,
    );
  }
}

/** Runs `run` REPS times per proxy, alternating which goes first, printing each result. */
async function alternate<T>(
  label: string,
  proxies: Record<Role, ProxyProcess>,
  run: (proxy: ProxyProcess) => Promise<T>,
  show: (result: T) => string,
): Promise<Record<Role, T[]>> {
  const out: Record<Role, T[]> = { baseline: [], tollgate: [] };
  for (let rep = 0; rep < REPS; rep++) {
    const order: Role[] = rep % 2 === 0 ? ['baseline', 'tollgate'] : ['tollgate', 'baseline'];
    const line: Partial<Record<Role, string>> = {};
    for (const role of order) {
      const result = await run(proxies[role]);
      out[role].push(result);
      line[role] = show(result);
    }
    console.log(`  ${label} #${rep + 1}: baseline ${line.baseline}  |  Tollgate ${line.tollgate}`);
  }
  return out;
}

/** How many idle tunnels fit: each takes two descriptors in this process (client, target) and two in the proxy. */
function idleTunnelCount(): { count: number; limit: number | undefined } {
  const answer = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  const text = answer.stdout?.trim() ?? '';
  if (text === 'unlimited') return { count: IDLE_TUNNELS, limit: undefined };
  const limit = Number(text);
  if (!Number.isFinite(limit) || limit <= 0) return { count: IDLE_TUNNELS, limit: undefined };
  return { count: Math.min(IDLE_TUNNELS, Math.floor((limit - FD_MARGIN) / 2)), limit };
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const cpu = cpus();
  console.log(`Tollgate gateway bench — node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}`);
  console.log(
    'Each proxy in its own child process; load generator and loopback targets in this one. ' +
      `Bulk: ${BULK_WARMUP_MS} ms warm-up + ${BULK_WINDOW_MS} ms window; short: ${SHORT_CONCURRENCY} workers, ` +
      `${SHORT_WARMUP_MS} ms warm-up + ${SHORT_WINDOW_MS} ms window; ${REPS} runs per proxy, median reported.`,
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-gateway-'));
  tempDirs.add(dataDir);
  let targets: Targets | undefined;
  const started: ProxyProcess[] = [];
  try {
    targets = await startTargets();
    const baseline = await ProxyProcess.start('baseline', dataDir);
    started.push(baseline);
    const tollgate = await ProxyProcess.start('tollgate', dataDir);
    started.push(tollgate);
    const proxies: Record<Role, ProxyProcess> = { baseline, tollgate };
    const t = targets;

    // Memory first, while both children are fresh.
    const { count: idleCount, limit } = idleTunnelCount();
    const idle: Partial<Record<Role, IdleResult>> = {};
    if (ONLY.has('memory')) {
      console.log(
        `\nidle memory: ${idleCount} CONNECT tunnels (open-file limit ${limit ?? 'unlimited'}` +
          `${idleCount < IDLE_TUNNELS ? `; ${IDLE_TUNNELS} do not fit` : ''}), after a ${IDLE_WARMUP_TUNNELS}-tunnel warm-up`,
      );
      for (const role of ['baseline', 'tollgate'] as const) {
        const r = await idleMemory(proxies[role], t, idleCount);
        idle[role] = r;
        console.log(
          `  ${role.padEnd(8)}: rss ${num(r.rssKib)} KiB, heapUsed ${num(r.heapKib)} KiB, external ${num(r.externalKib)} KiB per tunnel`,
        );
      }
    }

    const showBulk = (r: BulkResult) =>
      `${num(r.mibps).padStart(6)} MiB/s (CPU proxy ${r.cpuPct.toFixed(0)}%, load ${r.loadPct.toFixed(0)}%, ` +
      `${num(r.faultsPerMib)} faults/MiB)`;
    const bulkCases: { label: string; direction: 'download' | 'upload'; protocol: Protocol; tunnels: number }[] = [
      { label: 'download, 1 tunnel, CONNECT', direction: 'download', protocol: 'connect', tunnels: 1 },
      { label: 'download, 1 tunnel, SOCKS5', direction: 'download', protocol: 'socks5', tunnels: 1 },
      { label: 'download, 8 tunnels, CONNECT', direction: 'download', protocol: 'connect', tunnels: 8 },
      { label: 'download, 8 tunnels, SOCKS5', direction: 'download', protocol: 'socks5', tunnels: 8 },
      { label: 'upload, 1 tunnel, CONNECT', direction: 'upload', protocol: 'connect', tunnels: 1 },
      { label: 'upload, 8 tunnels, CONNECT', direction: 'upload', protocol: 'connect', tunnels: 8 },
    ];
    const figures: Figure[] = [];
    if (ONLY.has('bulk')) console.log('\nbulk throughput');
    for (const c of ONLY.has('bulk') ? bulkCases.filter((c) => selected(c.label)) : []) {
      const runs = await alternate(c.label, proxies, (p) => bulk(p, t, c.direction, c.protocol, c.tunnels), showBulk);
      const b = median(runs.baseline.map((r) => r.mibps));
      const g = median(runs.tollgate.map((r) => r.mibps));
      figures.push({
        label: c.label,
        unit: 'MiB/s',
        baseline: b,
        tollgate: g,
        target: { text: `≥ ${BULK_TARGET.toFixed(2)}× base`, pass: g >= BULK_TARGET * b },
      });
      figures.push({
        label: '  proxy CPU per GiB',
        unit: 'ms',
        baseline: median(runs.baseline.map((r) => r.cpuMsPerGib)),
        tollgate: median(runs.tollgate.map((r) => r.cpuMsPerGib)),
      });
      figures.push({
        label: '  proxy minor page faults per MiB',
        unit: 'n',
        baseline: median(runs.baseline.map((r) => r.faultsPerMib)),
        tollgate: median(runs.tollgate.map((r) => r.faultsPerMib)),
      });
    }

    if (ONLY.has('short')) console.log('\nshort connections');
    const showShort = (r: ShortResult) =>
      `${num(r.perSecond).padStart(5)}/s p50 ${num(r.p50)} ms p99 ${num(r.p99)} ms (CPU proxy ${r.cpuPct.toFixed(0)}%, ` +
      `load ${r.loadPct.toFixed(0)}%` +
      `${r.errors > 0 ? `, ${r.errors} errors` : ''})`;
    for (const protocol of ONLY.has('short') ? (['connect', 'socks5'] as const) : []) {
      const name = protocol === 'connect' ? 'CONNECT' : 'SOCKS5';
      if (!selected(`short ${name}`)) continue;
      const runs = await alternate(`short ${name}`, proxies, (p) => shortConnections(p, t, protocol), showShort);
      const pick = (role: Role, key: 'perSecond' | 'p50' | 'p99' | 'cpuUsPerConn') => median(runs[role].map((r) => r[key]));
      const b = pick('baseline', 'perSecond');
      const g = pick('tollgate', 'perSecond');
      figures.push({
        label: `short connections, ${name}`,
        unit: 'conn/s',
        baseline: b,
        tollgate: g,
        target: { text: `≥ ${SHORT_TARGET.toFixed(2)}× base`, pass: g >= SHORT_TARGET * b },
      });
      figures.push({
        label: `  latency p50, ${name}`,
        unit: 'ms',
        baseline: pick('baseline', 'p50'),
        tollgate: pick('tollgate', 'p50'),
      });
      figures.push({
        label: `  latency p99, ${name}`,
        unit: 'ms',
        baseline: pick('baseline', 'p99'),
        tollgate: pick('tollgate', 'p99'),
      });
      figures.push({
        label: '  proxy CPU per connection',
        unit: 'µs',
        baseline: pick('baseline', 'cpuUsPerConn'),
        tollgate: pick('tollgate', 'cpuUsPerConn'),
      });
    }

    if (ONLY.has('slow')) console.log(`\nslow readers (${SLOW_TUNNELS} tunnels, a CPU-bound neighbour process)`);
    const showSlow = (r: SlowResult) =>
      `longest gap ${num(r.maxGapMs).padStart(5)} ms, ${num(r.mibps)} MiB/s (CPU proxy ${r.cpuPct.toFixed(0)}%)` +
      `${r.stuck > 0 ? `, ${r.stuck} target connections left open` : ''}`;
    for (const protocol of ONLY.has('slow') ? (['connect', 'socks5'] as const) : []) {
      const name = protocol === 'connect' ? 'CONNECT' : 'SOCKS5';
      if (!selected(`slow ${name}`)) continue;
      const runs = await alternate(`slow ${name}`, proxies, (p) => slowReaders(p, t, protocol), showSlow);
      // The worst run, not the median: one stall is one too many.
      const worst = (role: Role) => Math.max(...runs[role].map((r) => r.maxGapMs));
      const stuck = runs.tollgate.reduce((n, r) => n + r.stuck, 0);
      figures.push({
        label: `slow readers, longest gap, ${name}`,
        unit: 'ms',
        baseline: worst('baseline'),
        tollgate: worst('tollgate'),
        target: { text: `≤ ${SLOW_GAP_TARGET_MS} ms`, pass: worst('tollgate') <= SLOW_GAP_TARGET_MS && stuck === 0 },
      });
      figures.push({
        label: `  throughput, ${name}`,
        unit: 'MiB/s',
        baseline: median(runs.baseline.map((r) => r.mibps)),
        tollgate: median(runs.tollgate.map((r) => r.mibps)),
      });
    }

    if (ONLY.has('shaped')) {
      console.log(
        `\nshaped (Tollgate only): a type-11 account sold ${SHAPED_MBPS} Mbit/s against the unshaped account, same child`,
      );
      const idlePct = await idleCpu(tollgate, 1_000);
      console.log(`  idle CPU of the Tollgate child: ${idlePct.toFixed(1)}%`);
      const sold = (SHAPED_MBPS * 1_000_000) / 8 / MIB;
      const shapedCases: { label: string; direction: 'download' | 'upload'; protocol: Protocol; tunnels: number }[] = [
        { label: 'download, 1 tunnel, CONNECT', direction: 'download', protocol: 'connect', tunnels: 1 },
        { label: 'download, 8 tunnels, CONNECT', direction: 'download', protocol: 'connect', tunnels: 8 },
        { label: 'upload, 1 tunnel, SOCKS5', direction: 'upload', protocol: 'socks5', tunnels: 1 },
      ];
      for (const c of shapedCases.filter((c) => selected(`shaped ${c.label}`))) {
        const runs: { unshaped: BulkResult[]; shaped: BulkResult[] } = { unshaped: [], shaped: [] };
        for (let rep = 0; rep < REPS; rep++) {
          const order = rep % 2 === 0 ? (['unshaped', 'shaped'] as const) : (['shaped', 'unshaped'] as const);
          for (const kind of order) {
            runs[kind].push(await bulk(tollgate, t, c.direction, c.protocol, c.tunnels, kind === 'shaped' ? SHAPED : UNSHAPED));
          }
          const u = runs.unshaped.at(-1)!;
          const s = runs.shaped.at(-1)!;
          console.log(
            `  shaped ${c.label} #${rep + 1}: unshaped ${showBulk(u)}  |  shaped ${num(s.mibps).padStart(6)} MiB/s ` +
              `(${((s.mibps / sold - 1) * 100).toFixed(1)}% off the sold rate, CPU proxy ${s.cpuPct.toFixed(0)}%)`,
          );
        }
        const rate = median(runs.shaped.map((r) => r.mibps));
        figures.push({
          label: `shaped ${c.label}, rate`,
          unit: 'MiB/s',
          baseline: sold,
          tollgate: rate,
          target: { text: `sold ±${SHAPED_ACCURACY * 100}%`, pass: Math.abs(rate / sold - 1) <= SHAPED_ACCURACY },
        });
        figures.push({
          label: '  proxy CPU per GiB above idle, unshaped → shaped',
          unit: 'ms',
          baseline: median(runs.unshaped.map((r) => cpuMsPerGibAboveIdle(r, idlePct))),
          tollgate: median(runs.shaped.map((r) => cpuMsPerGibAboveIdle(r, idlePct))),
        });
      }
    }

    const { baseline: ib, tollgate: ig } = idle;
    if (ib && ig) {
      figures.push({
        label: `idle tunnel memory, rss, ${idleCount} tunnels`,
        unit: 'KiB/tunnel',
        baseline: ib.rssKib,
        tollgate: ig.rssKib,
        target: { text: `≤ ${IDLE_TARGET_KIB} KiB`, pass: ig.rssKib <= IDLE_TARGET_KIB },
      });
      figures.push({ label: '  of which JS heap', unit: 'KiB/tunnel', baseline: ib.heapKib, tollgate: ig.heapKib });
    }

    console.log('\nSummary (medians; ratio = Tollgate / baseline)');
    if (ONLY.has('shaped')) {
      console.log('The shaped rows compare Tollgate with itself: "baseline" is the rate sold, or the unshaped account.');
    }
    printFigures(figures);
    const failed = figures.filter((f) => f.target && !f.target.pass).length;
    console.log(`\n${figures.filter((f) => f.target).length - failed} of ${figures.filter((f) => f.target).length} targets met.`);
  } finally {
    await Promise.all(started.map((p) => p.stop().catch(() => p.child.kill('SIGKILL'))));
    await targets?.close();
    rmSync(dataDir, { recursive: true, force: true });
    tempDirs.delete(dataDir);
  }
}

/** Last resort on exit or Ctrl-C: no child outlives the bench, no temp dir stays behind. */
function cleanUpNow(): void {
  for (const child of children) child.kill('SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
}

const role = process.argv[2];
if (role === 'tollgate-server' || role === 'baseline-server') {
  (role === 'tollgate-server' ? runTollgateServer(process.argv[3] ?? '') : runBaselineServer()).catch((err: unknown) => {
    send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exit(1);
  });
} else {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      cleanUpNow();
      process.exit(code);
    });
  }
  process.once('exit', cleanUpNow);
  main().catch((err: unknown) => {
    console.error('\nbench failed:', err);
    process.exitCode = 1;
  });
}
