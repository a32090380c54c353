/**
 * The HTTP side of the entry: CONNECT tunnels and absolute-URI forward
 * requests. Node's HTTP parser (llhttp) reads request heads, keep-alive and
 * chunked bodies; we add authentication, routing, header hygiene and counting.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { AppError } from '../errors/index.js';
import type { GatewayContext } from './context.js';
import { type Authorized, authorize, openExit } from './handshake.js';
import { parseBasicCredentials } from './parsers/basic-auth.js';
import { parseAbsoluteUrl, parseAuthority } from './parsers/http-head.js';
import { asRefusal, endWith, httpRefusal, refusalParts } from './refusal.js';
import type { ProxyConnection } from './registry.js';
import { relay } from './relay.js';
import { shapedPipe } from './shaped-pipe.js';

/** Hop-by-hop headers (RFC 9110 §7.6.1) and our own credentials never travel on. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-authenticate',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Raw headers minus hop-by-hop ones and those named in Connection. */
function forwardable(raw: string[], connectionHeader: string | string[] | undefined): string[] {
  const named = new Set(
    (Array.isArray(connectionHeader) ? connectionHeader.join(',') : (connectionHeader ?? ''))
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter((h) => h !== ''),
  );
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (HOP_BY_HOP.has(name) || named.has(name)) continue;
    out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}

export function createHttpProxy(ctx: GatewayContext): http.Server {
  const server = http.createServer(
    {
      maxHeaderSize: ctx.config.maxHeaderBytes,
      requestTimeout: 0,
      keepAliveTimeout: ctx.config.idleTimeoutMs,
      noDelay: true,
    },
    (req, res) => {
      forward(ctx, req, res).catch((err) => ctx.logger.error({ err }, 'forward request failed'));
    },
  );
  server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const authorization = req.headers['proxy-authorization'];
    tunnel(ctx, socket, req.url ?? '', authorization, head).catch((err) => ctx.logger.error({ err }, 'CONNECT failed'));
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const refusal =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? new AppError('TG_ERR_PROXY_HEADER_TOO_LARGE')
        : new AppError('TG_ERR_PROXY_BAD_REQUEST', { params: { reason: err.code ?? 'parse error' } });
    endWith(socket, httpRefusal(refusal));
  });
  return server;
}

/** Checks the request's Proxy-Authorization and files the connection under the account. */
async function authorizeRequest(
  ctx: GatewayContext,
  conn: ProxyConnection,
  authorization: string | undefined,
): Promise<Authorized> {
  const authorized = await authorize(ctx.handshake, conn.remoteAddress, parseBasicCredentials(authorization), conn.client);
  await ctx.attach(conn, authorized.account);
  return authorized;
}

/**
 * A CONNECT request, from Node's HTTP server ('connect') or from the hand parser (connect-head.ts): `target` is
 * the request-target as sent, `head` the bytes after the request head.
 */
export async function tunnel(
  ctx: GatewayContext,
  socket: Socket,
  requestTarget: string,
  authorization: string | undefined,
  head: Buffer,
): Promise<void> {
  const conn = ctx.connectionOf(socket);
  if (!conn) return void socket.destroy();
  conn.protocol = 'connect';
  try {
    const authorized = await authorizeRequest(ctx, conn, authorization);
    const target = parseAuthority(requestTarget);
    if (!target) throw new AppError('TG_ERR_PROXY_BAD_REQUEST', { params: { reason: 'CONNECT needs host:port' } });
    const exit = await openExit(ctx.handshake, authorized, target, socket);
    if (conn.closed) return void exit.socket.destroy();
    conn.upstream = exit.socket;
    conn.exitNodeId = exit.nodeId;
    ctx.handshakeDone(conn);
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    ctx.metrics.connection('connect', 'relayed');
    relay(conn, socket, exit.socket, head);
    // The hand parser (connect-head.ts) leaves the socket paused; after Node's 'connect' it is neither paused
    // nor flowing, and resume() is what relay's 'data' listener would have done.
    socket.resume();
  } catch (err) {
    refuse(ctx, 'connect', err);
    if (conn.closed) socket.destroy();
    else endWith(socket, httpRefusal(asRefusal(err)));
  }
}

async function forward(ctx: GatewayContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const socket = req.socket;
  const conn = ctx.connectionOf(socket);
  if (!conn) return void socket.destroy();
  conn.protocol ??= 'http';
  try {
    const authorized = await authorizeRequest(ctx, conn, req.headers['proxy-authorization']);
    const url = parseAbsoluteUrl(req.url ?? '');
    if (!url)
      throw new AppError('TG_ERR_PROXY_BAD_REQUEST', { params: { reason: 'a proxy request needs an absolute http:// URL' } });
    const exit = await openExit(ctx.handshake, authorized, url, socket, false);
    if (conn.closed) return void exit.socket.destroy();
    ctx.handshakeDone(conn);
    ctx.metrics.connection('http', 'relayed');
    const upstream = exit.socket;
    conn.upstream = upstream;
    conn.exitNodeId = exit.nodeId;
    const account = authorized.account;

    // Billed: every byte written to and read from the target (rewritten head, body, response). A byte over
    // the budget ends the connection where it is counted.
    let countedUp = 0;
    const shaper = account.shaper;
    upstream.on('data', (chunk: Buffer) => {
      conn.down += chunk.length;
      if (!account.charge(chunk.length)) conn.destroy();
    });
    req.on('data', (chunk: Buffer) => {
      conn.up += chunk.length;
      countedUp += chunk.length;
      if (!account.charge(chunk.length)) conn.destroy();
    });
    upstream.once('close', () => {
      // The head and any chunk framing we wrote: bill what really went out.
      const rest = upstream.bytesWritten - countedUp;
      if (rest > 0) {
        conn.up += rest;
        if (!account.charge(rest)) conn.destroy();
      }
      if (conn.upstream === upstream) conn.upstream = undefined;
    });

    const headers = forwardable(req.rawHeaders, req.headers.connection);
    const outgoing = http.request({
      createConnection: () => upstream,
      method: req.method,
      path: url.path,
      headers,
      setHost: false,
      // No agent: createConnection is only honoured without one (agent: false would make a fresh Agent that dials itself).
    });
    outgoing.on('response', (incoming) => {
      res.writeHead(
        incoming.statusCode ?? 502,
        incoming.statusMessage,
        forwardable(incoming.rawHeaders, incoming.headers.connection),
      );
      if (shaper) shapedPipe(incoming, res, shaper);
      else incoming.pipe(res);
    });
    outgoing.on('error', (err) => {
      upstream.destroy();
      if (!res.headersSent) {
        const parts = refusalParts(
          new AppError('TG_ERR_UPSTREAM_FAILED', { params: { reason: (err as NodeJS.ErrnoException).code ?? err.message } }),
        );
        res.writeHead(parts.status, parts.headers).end(parts.body);
      } else res.destroy();
    });
    res.once('close', () => upstream.destroy());
    if (shaper) shapedPipe(req, outgoing, shaper);
    else req.pipe(outgoing);
  } catch (err) {
    refuse(ctx, 'http', err);
    if (res.headersSent || conn.closed) return void socket.destroy();
    const parts = refusalParts(asRefusal(err));
    res.writeHead(parts.status, parts.headers).end(parts.body);
  }
}

function refuse(ctx: GatewayContext, protocol: 'http' | 'connect', err: unknown): void {
  if (!(err instanceof AppError)) ctx.logger.error({ err }, `${protocol} handshake failed`);
  else if (err.key === 'TG_ERR_PROXY_AUTH_FAILED') ctx.metrics.authFailure();
  ctx.metrics.connection(protocol, err instanceof AppError && !err.key.startsWith('TG_ERR_UPSTREAM') ? 'refused' : 'failed');
}
