import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/index.js';
import type { Admission } from './admission.js';
import type { GatewayAccount } from './gateway.types.js';
import type { HandshakeDeps } from './handshake.js';
import type { GatewayMetrics } from './metrics.js';
import type { ConnectionRegistry, ProxyConnection } from './registry.js';

/** What the protocol handlers share. */
export interface GatewayContext {
  readonly config: GatewayConfig;
  readonly handshake: HandshakeDeps;
  readonly registry: ConnectionRegistry;
  readonly admission: Admission;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  /** The registry entry of a client socket. */
  connectionOf(socket: Socket): ProxyConnection | undefined;
  /**
   * The connection authenticated as `account`: takes an authenticated slot (leaving the handshake pool) and
   * files it under the account. Throws TG_ERR_PROXY_CONNECTION_LIMIT or TG_ERR_PROXY_TUNNEL_LIMIT, or
   * TG_ERR_QUOTA_CONCURRENCY (a promise rejecting with it when slots are counted across gateways).
   */
  attach(conn: ProxyConnection, account: GatewayAccount): void | Promise<void>;
  /** The handshake is over: stop its timer. */
  handshakeDone(conn: ProxyConnection): void;
}
