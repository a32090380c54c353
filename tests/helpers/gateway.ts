/**
 * A running platform with its gateway on a loopback port, and target servers
 * for it to reach: a TCP echo, a TCP "exchange" that answers a known number
 * of bytes, and HTTP and HTTPS servers. All real sockets.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningGateway, startGateway } from '../../src/main.js';
import { recordChange } from '../../src/storage/index.js';
import { createUser, type DialectName, startTestPlatform, type TestPlatform } from './platform.js';

export interface GatewayPlatform {
  readonly tp: TestPlatform;
  readonly gw: RunningGateway;
  readonly port: number;
  close(): Promise<void>;
}

/** A platform whose gateway may reach loopback targets, with one direct:// exit unless told otherwise. */
export async function startGatewayPlatform(
  dialect: DialectName,
  env: Record<string, string> = {},
  options: { nodes?: { url: string; country: string; state?: string; city?: string }[]; now?: () => number } = {},
): Promise<GatewayPlatform> {
  const tp = await startTestPlatform(
    dialect,
    {
      TOLLGATE_ALLOW_PRIVATE_TARGETS: '1',
      TOLLGATE_PROXY_HOST: '127.0.0.1',
      TOLLGATE_PROXY_PORT: '0',
      TOLLGATE_STATIC_PORT: '0',
      TOLLGATE_EXTRACT_PORTS: 'off',
      // Tests share one client address: only the throttling test wants throttling.
      TOLLGATE_AUTH_FAIL_SLOW_AFTER: '100000',
      TOLLGATE_AUTH_FAIL_BLOCK_AFTER: '100000',
      TOLLGATE_AUTH_FAIL_PER_NAME: '100000',
      ...env,
    },
    options.now ? { now: options.now } : {},
  );
  for (const node of options.nodes ?? [{ url: 'direct://', country: 'US' }]) {
    await tp.platform.services.nodes.add({ ...node, types: [9] });
  }
  const gw = await startGateway(tp.platform);
  return {
    tp,
    gw,
    port: gw.address.port,
    async close() {
      await gw.close();
      await tp.close();
    },
  };
}

/** A user with one product-9 sub-account and a 1 GiB type-9 package valid for 30 days (unless `packageBytes` says otherwise; 0: none). */
export async function createProxyAccount(
  tp: TestPlatform,
  name: string,
  password = 'pass1234',
  packageBytes = 1024 ** 3,
): Promise<{ userId: number; appKey: string; name: string; password: string }> {
  const user = await createUser(tp);
  await tp.platform.services.subAccounts.add(user.id, `${name}:${password}`, '', 9);
  if (packageBytes > 0) await grantTestPackage(tp, user.id, packageBytes);
  return { userId: user.id, appKey: user.appKey, name, password };
}

/** Gives the user a traffic package, as the operator's grant does (row and change feed entry in one transaction). */
export async function grantTestPackage(
  tp: TestPlatform,
  userId: number,
  bytes: number,
  options: { productType?: number; startsAt?: number; expiresAt?: number } = {},
): Promise<number> {
  const now = tp.platform.now();
  return tp.platform.storage.db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('user_packages')
      .values({
        user_id: userId,
        product_type: options.productType ?? 9,
        total_bytes: bytes,
        used_bytes: 0,
        starts_at: options.startsAt ?? now,
        expires_at: options.expiresAt ?? now + 30 * 86_400_000,
        trade_no: `T${now}${Math.floor(Math.random() * 1e9)}`,
        title: 'test',
        status: 1,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordChange(trx, 'user_package', [userId], now);
    return row.id;
  });
}

export interface Target {
  readonly port: number;
  close(): Promise<void>;
}

/** Keeps the server's connections; the function it returns closes them all, then the server. */
export function track(server: net.Server): () => Promise<void> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  });
  return async () => {
    for (const s of sockets) s.destroy();
    server.close();
    await once(server, 'close');
  };
}

/** Listens on a free port of `host`; resolves with the port. */
export async function listen(server: net.Server, host = '127.0.0.1'): Promise<number> {
  server.listen(0, host);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Echoes every byte back. */
export async function startEcho(): Promise<Target> {
  const server = net.createServer((s) => s.pipe(s));
  const close = track(server);
  return { port: await listen(server), close };
}

/**
 * Reads until the client half-closes, then answers `reply` bytes and closes; `received` resolves with what it read.
 * The client sends a known count up, gets a known count down: for byte-exact metering.
 */
export async function startExchange(reply: number): Promise<Target & { received: Promise<number> }> {
  let resolve!: (n: number) => void;
  const received = new Promise<number>((r) => {
    resolve = r;
  });
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    let n = 0;
    s.on('data', (c: Buffer) => {
      n += c.length;
    });
    s.on('end', () => {
      resolve(n);
      s.end(Buffer.alloc(reply, 0x61));
    });
  });
  const close = track(server);
  return { port: await listen(server), close, received };
}

/** Streams one reused buffer to every client as fast as it drains, until the client goes. */
export async function startSource(): Promise<Target> {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const server = net.createServer((s) => {
    const pump = () => {
      while (!s.destroyed && s.write(chunk));
    };
    s.on('drain', pump);
    pump();
  });
  const close = track(server);
  return { port: await listen(server), close };
}

/** Counts every byte it receives, across connections. */
export async function startSink(): Promise<Target & { received(): number }> {
  let received = 0;
  const server = net.createServer((s) =>
    s.on('data', (c: Buffer) => {
      received += c.length;
    }),
  );
  const close = track(server);
  return { port: await listen(server), close, received: () => received };
}

/** GET /bytes/N answers N bytes; GET /ip answers the peer address; POST /count answers how many body bytes arrived. */
function httpHandler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname.startsWith('/bytes/')) {
    const n = Number(url.pathname.slice(7));
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': n }).end(Buffer.alloc(n, 0x62));
  } else if (url.pathname === '/ip') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end(req.socket.remoteAddress);
  } else if (url.pathname === '/headers') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(req.headers));
  } else if (url.pathname === '/count') {
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
    });
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end(String(n)));
  } else res.writeHead(404).end('not found');
}

export async function startHttpTarget(): Promise<Target> {
  const server = http.createServer(httpHandler);
  const close = track(server);
  return { port: await listen(server), close };
}

/** An HTTPS target with a self-signed certificate made by openssl for this run. */
export async function startHttpsTarget(): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-tls-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')].concat([
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ]),
    { stdio: 'ignore' },
  );
  const server = https.createServer(
    { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
    httpHandler,
  );
  const close = track(server);
  const port = await listen(server);
  return {
    port,
    async close() {
      await close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Opens a CONNECT tunnel by hand; resolves with the socket and the status line. */
export async function connectTunnel(
  proxyPort: number,
  target: string,
  auth: string | undefined,
  options: { localAddress?: string } = {},
): Promise<{ socket: net.Socket; status: number; head: string }> {
  const socket = net.connect({ port: proxyPort, host: '127.0.0.1', ...options });
  await once(socket, 'connect');
  const headers = [`CONNECT ${target} HTTP/1.1`, `Host: ${target}`];
  if (auth !== undefined) headers.push(`Proxy-Authorization: Basic ${Buffer.from(auth).toString('base64')}`);
  socket.write(`${headers.join('\r\n')}\r\n\r\n`);
  const { head, rest } = await new Promise<{ head: string; rest: Buffer }>((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.pause();
      resolve({ head: buffered.subarray(0, end + 4).toString('latin1'), rest: buffered.subarray(end + 4) });
    };
    const onClose = () => reject(new Error(`closed before a response head: ${buffered.toString('latin1')}`));
    socket.on('data', onData);
    socket.once('close', onClose);
  });
  if (rest.length > 0) socket.unshift(rest);
  return { socket, status: Number(head.slice(9, 12)), head };
}

/** `n` consecutive TCP ports free on 127.0.0.1 now (bound and released to check), for extraction ranges. */
export async function freePortRange(n: number): Promise<{ from: number; to: number }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below the ephemeral range (32768+ on Linux), where outgoing connections would take ports from under us.
    const from = 10_000 + Math.floor(Math.random() * 20_000);
    const servers: net.Server[] = [];
    let ok = true;
    for (let p = from; p < from + n && ok; p++) {
      const server = net.createServer();
      ok = await new Promise<boolean>((resolve) => {
        server.once('error', () => resolve(false));
        server.listen(p, '127.0.0.1', () => resolve(true));
      });
      if (ok) servers.push(server);
    }
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    if (ok) return { from, to: from + n - 1 };
  }
  throw new Error('no free port range');
}

/** Resolves with the milliseconds until `socket` closes (0 when it already has). */
export function closedWithin(socket: net.Socket): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve(0);
    socket.once('close', () => resolve(performance.now() - t0));
  });
}

/** GET /ip through a tunnel (Connection: close): the address the target saw. */
export async function exitAddress(socket: net.Socket, port: number): Promise<string> {
  socket.write(`GET /ip HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
  socket.resume();
  let text = '';
  for await (const chunk of socket) text += chunk.toString();
  const body = text.slice(text.indexOf('\r\n\r\n') + 4);
  const chunked = /^[0-9a-f]+\r\n(.*)\r\n0\r\n\r\n$/s.exec(body);
  return (chunked?.[1] ?? body).replace('::ffff:', '');
}

/** Resolves on the next turn in which `cond` holds (polled each event-loop turn, bounded by `ms`). */
export async function until(cond: () => boolean, ms: number, what: string | (() => string)): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setImmediate(r));
  }
}
