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
import { Admission } from './admission.js';
import { AttemptGuard, FailureBudget, type SharedFailures } from '../throttle/index.js';
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
  /** Connection slots (handshake and authenticated pools, tunnel caps); shared by every entry of one process. */
  readonly admission?: Admission;
  /** Proxy login failure budgets; shared by every entry of one process, so a guesser cannot spread over ports. */
  readonly guard?: AttemptGuard;
  readonly now?: () => number;
  /** The entry's own rules (extraction ports, static IPs); none for the main entry. */
  readonly rules?: EntryRules | undefined;
  /** Where to listen instead of config.host:config.port (the extraction range: one server per port). */
  readonly listenOn?: { readonly host: string; readonly ports: readonly number[] } | undefined;
}

/**
 * The proxy login budgets of TOLLGATE_AUTH_FAIL_*: per client address and per sub-account name, in one-minute
 * windows; counted across gateways too when `shared` is given (cluster/, on Redis).
 */
export function proxyAuthGuard(config: GatewayConfig, now: () => number = Date.now, shared?: SharedFailures): AttemptGuard {
  const blockMs = config.authBlockSeconds * 1000;
  const across = (scope: string) => (shared ? { failures: shared, scope } : undefined);
  return new AttemptGuard({
    bySource: new FailureBudget(
      { max: config.authFailBlockAfter, slowAfter: config.authFailSlowAfter, windowMs: 60_000, blockMs },
      now,
      undefined,
      across('proxy-source'),
    ),
    byAccount: new FailureBudget(
      { max: config.authFailPerName, windowMs: 60_000, blockMs },
      now,
      undefined,
      across('proxy-name'),
    ),
    now,
  });
}

/** How long a refused connection may take to send its first bytes, so it can be answered in its own protocol. */
const REFUSAL_WAIT_MS = 2000;

export class Gateway {
  readonly registry: ConnectionRegistry;
  readonly admission: Admission;
  readonly guard: AttemptGuard;
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
    this.admission = options.admission ?? new Admission(config, (conn) => this.#giveWay(conn));
    this.guard = options.guard ?? proxyAuthGuard(config, this.#now);
    this.#ctx = {
      config,
      handshake: {
        accounts: options.accounts,
        exits: options.exits,
        guard: this.guard,
        productTypes: options.productTypes,
        rules: options.rules,
      },
      registry: this.registry,
      admission: this.admission,
      metrics: this.metrics,
      logger: options.logger,
      connectionOf: (socket) => this.#conns.get(socket),
      attach: (conn, account) => {
        this.admission.authenticate(conn, account);
        return this.registry.attach(conn, account);
      },
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
        // No server.maxConnections: Node closes what is over it without a word; Admission answers instead.
        const server = net.createServer({ allowHalfOpen: true, noDelay: true }, accept);
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
    const refusal = this.admission.open(conn);
    socket.once('close', () => {
      this.#ctx.handshakeDone(conn);
      conn.upstream?.destroy();
      this.admission.release(conn);
      this.registry.release(conn);
    });
    if (refusal) return this.#refuseAtOnce(conn, socket, refusal);
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

  /**
   * A connection over its address's share of the handshake pool: answered with the documented refusal in
   * its own protocol once its first bytes say which (HTTP 503 with Proxy-Status; SOCKS5 reply 0x01 at the
   * request stage, credentials unchecked), or closed if it says nothing within REFUSAL_WAIT_MS. The places
   * for such answers are bounded too; past them the connection is closed at once.
   */
  #refuseAtOnce(conn: ProxyConnection, socket: Socket, refusal: AppError): void {
    if (!this.admission.beginRefusal()) return void conn.destroy();
    socket.once('close', () => this.admission.endRefusal());
    const wait = Math.min(REFUSAL_WAIT_MS, this.options.config.handshakeTimeoutMs);
    setTimeout(() => conn.destroy(), wait).unref();
    socket.once('data', (first: Buffer) => {
      socket.pause();
      if (first[0] === 0x05) return handleSocks5(this.#ctx, conn, socket, first, refusal);
      this.metrics.connection('http', 'refused');
      endWith(socket, httpRefusal(refusal));
    });
  }

  /** A handshake that gives way to a newcomer in a full handshake pool: told so (4013) and closed. */
  #giveWay(conn: ProxyConnection): void {
    this.#refuseInHandshake(conn, new AppError('TG_ERR_PROXY_CONNECTION_LIMIT'));
  }

  /** Hands a paused socket to the HTTP server, with the bytes already read put back in front. */
  #toHttp(socket: Socket, buffered: Buffer): void {
    socket.unshift(buffered);
    this.#http.emit('connection', socket);
    socket.resume();
  }

  #handshakeTimeout(conn: ProxyConnection): void {
    this.#deadlines.delete(conn);
    this.#refuseInHandshake(conn, new AppError('TG_ERR_PROXY_HANDSHAKE_TIMEOUT'));
  }

  /** Answers a connection still in its handshake with `err`, in its protocol so far, and closes it. */
  #refuseInHandshake(conn: ProxyConnection, err: AppError): void {
    if (conn.closed) return;
    this.metrics.connection(conn.protocol ?? 'http', 'refused');
    const socket = conn.client;
    if (conn.protocol === 'socks5') endWith(socket, reply(socksReplyCode(err)));
    else if (conn.protocol !== 'connect') endWith(socket, httpRefusal(err));
    else conn.destroy();
  }
}
