import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/index.js';
import type { HandshakeDeps } from './handshake.js';
import type { GatewayMetrics } from './metrics.js';
import type { ConnectionRegistry, ProxyConnection } from './registry.js';

/** What the protocol handlers share. */
export interface GatewayContext {
  readonly config: GatewayConfig;
  readonly handshake: HandshakeDeps;
  readonly registry: ConnectionRegistry;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  /** The registry entry of a client socket. */
  connectionOf(socket: Socket): ProxyConnection | undefined;
  /** The handshake is over: stop its timer. */
  handshakeDone(conn: ProxyConnection): void;
}
