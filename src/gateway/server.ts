/**
 * The proxy entry: one port for HTTP and SOCKS5, told apart by the first byte
 * (0x05 is a SOCKS5 greeting; an HTTP request starts with a method token).
 * Every socket has an error handler, a handshake deadline, an idle timeout and
 * a place in the registry until it closes.
 */
import { once } from 'node:events';
import type http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/index.js';
import { AppError } from '../errors/index.js';
import { AuthThrottle } from './auth-throttle.js';
import type { GatewayContext } from './context.js';
import type { AccountLookup, ExitPicker } from './gateway.types.js';
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
  readonly now?: () => number;
}

export class Gateway {
  readonly registry = new ConnectionRegistry();
  readonly metrics: GatewayMetrics;
  readonly #server: net.Server;
  readonly #http: http.Server;
  readonly #ctx: GatewayContext;
  readonly #conns = new WeakMap<Socket, ProxyConnection>();
  readonly #deadlines = new Map<ProxyConnection, NodeJS.Timeout>();
  readonly #now: () => number;

  constructor(private readonly options: GatewayOptions) {
    this.#now = options.now ?? Date.now;
    this.metrics = options.metrics ?? new GatewayMetrics(this.registry);
    const { config } = options;
    this.#ctx = {
      config,
      handshake: {
        accounts: options.accounts,
        exits: options.exits,
        throttle: new AuthThrottle(config.authFailSlowAfter, config.authFailBlockAfter, config.authBlockSeconds, this.#now),
        productTypes: options.productTypes,
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
    this.#server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.#accept(socket));
    this.#server.maxConnections = config.maxConnections;
  }

  async listen(): Promise<AddressInfo> {
    this.#server.listen(this.options.config.port, this.options.config.host);
    await once(this.#server, 'listening');
    return this.#server.address() as AddressInfo;
  }

  get address(): AddressInfo | undefined {
    return (this.#server.address() as AddressInfo | null) ?? undefined;
  }

  /** Closes every open connection of the account (disabled, deleted, new password, limit reached). */
  closeAccount(accountId: number): number {
    return this.registry.closeAccount(accountId);
  }

  /** Stops accepting and closes every connection. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
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
      socket.unshift(first);
      this.#http.emit('connection', socket);
      socket.resume();
    });
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
