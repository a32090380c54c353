/**
 * The proxy entry: one port for HTTP and SOCKS5, told apart by the first byte
 * (0x05 is a SOCKS5 greeting; an HTTP request starts with a method token).
 * Every socket has an error handler, a handshake deadline, an idle timeout and
 * a place in the registry until it closes.
 */
import type http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/index.js';
import { AppError } from '../errors/index.js';
import { AuthThrottle } from './auth-throttle.js';
import { readConnectHead, startsConnect } from './connect-head.js';
import type { GatewayContext } from './context.js';
import type { AccountLookup, ExitPicker } from './gateway.types.js';
import type { EntryRules } from './handshake.js';
import { createHttpProxy } from './http-proxy.js';
import { GatewayMetrics } from './metrics.js';
import { reply } from './parsers/socks5.js';
import { endWith, httpRefusal, socksReplyCode } from './refusal.js';
import { ConnectionRegistry, type ProxyConnection } from './registry.js';
import { handleSocks5 } from './socks5-proxy.js';

export interface GatewayOptions {
  readonly config: GatewayConfig;
  readonly accounts: AccountLookup;
  readonly exits: ExitPicker;
  readonly productTypes: readonly number[];
  readonly logger: Logger;
  readonly metrics?: GatewayMetrics;
  /** Shared by every entry of one process, so closing an account's connections reaches them all. */
  readonly registry?: ConnectionRegistry;
  readonly now?: () => number;
  /** The entry's own rules (extraction ports, static IPs); none for the main entry. */
  readonly rules?: EntryRules | undefined;
  /** Where to listen instead of config.host:config.port (the extraction range: one server per port). */
  readonly listenOn?: { readonly host: string; readonly ports: readonly number[] } | undefined;
}

export class Gateway {
  readonly registry: ConnectionRegistry;
  readonly metrics: GatewayMetrics;
  readonly #servers: net.Server[] = [];
  readonly #http: http.Server;
  readonly #ctx: GatewayContext;
  readonly #conns = new WeakMap<Socket, ProxyConnection>();
  readonly #deadlines = new Map<ProxyConnection, NodeJS.Timeout>();
  readonly #now: () => number;

  constructor(private readonly options: GatewayOptions) {
    this.#now = options.now ?? Date.now;
    this.registry = options.registry ?? new ConnectionRegistry();
    this.metrics = options.metrics ?? new GatewayMetrics(this.registry);
    const { config } = options;
    this.#ctx = {
      config,
      handshake: {
        accounts: options.accounts,
        exits: options.exits,
        throttle: new AuthThrottle(config.authFailSlowAfter, config.authFailBlockAfter, config.authBlockSeconds, this.#now),
        productTypes: options.productTypes,
        rules: options.rules,
      },
      registry: this.registry,
      metrics: this.metrics,
      logger: options.logger,
      connectionOf: (socket) => this.#conns.get(socket),
      handshakeDone: (conn) => {
        clearTimeout(this.#deadlines.get(conn));
        this.#deadlines.delete(conn);
      },
    };
    this.#http = createHttpProxy(this.#ctx);
  }

  /** Listens on config.host:config.port, or on every port of `listenOn`; resolves to the first address. */
  async listen(): Promise<AddressInfo> {
    const { config, listenOn } = this.options;
    const host = listenOn?.host ?? config.host;
    const accept = (socket: Socket) => this.#accept(socket);
    try {
      for (const port of listenOn?.ports ?? [config.port]) {
        const server = net.createServer({ allowHalfOpen: true, noDelay: true }, accept);
        server.maxConnections = config.maxConnections;
        this.#servers.push(server);
        server.listen(port, host);
        await new Promise<void>((resolve, reject) => {
          const onError = (err: Error) => {
            server.off('listening', onListening);
            reject(new Error(`cannot listen on ${host}:${port}: ${err.message}`));
          };
          const onListening = () => {
            server.off('error', onError);
            resolve();
          };
          server.once('error', onError);
          server.once('listening', onListening);
        });
      }
    } catch (err) {
      for (const server of this.#servers) server.close();
      this.#servers.length = 0;
      throw err;
    }
    return this.address as AddressInfo;
  }

  get address(): AddressInfo | undefined {
    return (this.#servers[0]?.address() as AddressInfo | null) ?? undefined;
  }

  /** Closes every open connection of the account (disabled, deleted, new password, limit reached). */
  closeAccount(accountId: number): number {
    return this.registry.closeAccount(accountId);
  }

  /** Stops accepting and closes every connection (of every entry sharing the registry). */
  async close(): Promise<void> {
    const closed = Promise.all(this.#servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    this.registry.closeAll();
    for (const timer of this.#deadlines.values()) clearTimeout(timer);
    this.#deadlines.clear();
    await closed;
  }

  #accept(socket: Socket): void {
    const conn = this.registry.open(socket, this.#now());
    this.#conns.set(socket, conn);
    socket.on('error', () => conn.destroy());
    socket.once('close', () => {
      this.#ctx.handshakeDone(conn);
      conn.upstream?.destroy();
      this.registry.release(conn);
    });
    socket.setTimeout(this.options.config.idleTimeoutMs, () => conn.destroy());
    this.#deadlines.set(
      conn,
      setTimeout(() => this.#handshakeTimeout(conn), this.options.config.handshakeTimeoutMs),
    );
    socket.once('data', (first: Buffer) => {
      socket.pause();
      if (first[0] === 0x05) return handleSocks5(this.#ctx, conn, socket, first);
      // Plain CONNECT heads are read without Node's HTTP server (cost per connection, see connect-head.ts).
      if (startsConnect(first)) return readConnectHead(this.#ctx, socket, first, (buffered) => this.#toHttp(socket, buffered));
      this.#toHttp(socket, first);
    });
  }

  /** Hands a paused socket to the HTTP server, with the bytes already read put back in front. */
  #toHttp(socket: Socket, buffered: Buffer): void {
    socket.unshift(buffered);
    this.#http.emit('connection', socket);
    socket.resume();
  }

  #handshakeTimeout(conn: ProxyConnection): void {
    this.#deadlines.delete(conn);
    if (conn.closed) return;
    const err = new AppError('TG_ERR_PROXY_HANDSHAKE_TIMEOUT');
    this.metrics.connection(conn.protocol ?? 'http', 'refused');
    const socket = conn.client;
    if (conn.protocol === 'socks5') endWith(socket, reply(socksReplyCode(err)));
    else if (conn.protocol !== 'connect') endWith(socket, httpRefusal(err));
    else conn.destroy();
  }
}
