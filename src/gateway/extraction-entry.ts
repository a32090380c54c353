/**
 * The extraction ports' rules (`ip/v3` leases): a port serves only the user it
 * is leased to, until the lease ends, through the exit node chosen at
 * extraction. A client from one of that user's whitelisted addresses needs no
 * credentials, and its traffic is metered to the user; a client elsewhere may
 * log in with one of the user's product-9 sub-accounts (no targeting keys: the
 * lease fixes the exit).
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { AppError } from '../errors/index.js';
import type { DialSignal, ExitConnection, GatewayAccount, ProxyTarget, RouteRequest } from './gateway.types.js';
import { authenticate, type Authorized, type EntryRules, type HandshakeDeps } from './handshake.js';

/** A lease as the gateway needs it. */
export interface PortLease {
  readonly userId: number;
  readonly nodeId: number;
  /** '' when the extraction named none. */
  readonly country: string;
  readonly state: string;
  readonly city: string;
  readonly expiresAt: number;
}

export interface LeaseLookup {
  /** The valid lease on this local port, if any. */
  lease(port: number): PortLease | undefined;
  /**
   * Re-reads the lease of `port` and the owner of `address` from the database when the lookup does not let the
   * client in (what another process committed may not have reached the change feed yet); rate-limited.
   */
  recheck(port: number, address: string | undefined): Promise<void>;
  /** The user who whitelisted this client address, if any. */
  ownerOf(address: string): number | undefined;
  /** The canonical form of a client address, as whitelists store it. */
  canonical(address: string): string | undefined;
}

export interface ExtractionEntryDeps {
  readonly leases: LeaseLookup;
  /** Where admitted clients are recorded, so the lease book can close them (it holds the same object). */
  readonly admissions: ExtractionAdmissions;
  /** The user-level account whitelisted traffic is metered to (AccountDirectory.forUser). */
  forUser(userId: number, productType: number): Promise<GatewayAccount>;
  /** Dials through the lease's node, or another matching one when it is down (ExitPool.connectVia). */
  connectVia(nodeId: number, route: RouteRequest, target: ProxyTarget, signal: DialSignal): Promise<ExitConnection>;
  /** The product type extraction serves (9). */
  readonly productType: number;
}

/** What the entry remembers of an admitted client, to close it when its lease or address goes. */
interface Admitted {
  readonly port: number;
  readonly userId: number;
  /** Canonical client address when admitted without credentials; undefined with credentials. */
  readonly anonymousFrom: string | undefined;
}

/**
 * The clients the extraction ports admitted, by socket: what closes them when their lease ends or their address
 * stops being whitelisted (the lease book receives this object in its constructor; the entry records into it).
 */
export class ExtractionAdmissions {
  readonly #admitted = new Map<Socket, Admitted>();

  constructor(private readonly logger?: Logger) {}

  /** Closes every client admitted on `port` (its lease ended); returns how many. */
  closePort(port: number): number {
    const n = this.#closeWhere((a) => a.port === port);
    if (n > 0) this.logger?.info({ port, closed: n }, 'extraction lease ended: tunnels closed');
    return n;
  }

  /** Closes the clients admitted without credentials from `ip` (canonical) for `userId`; returns how many. */
  closeAddress(ip: string, userId: number): number {
    const n = this.#closeWhere((a) => a.userId === userId && a.anonymousFrom === ip);
    if (n > 0) this.logger?.info({ user: userId, closed: n }, 'whitelisted IP removed: tunnels closed');
    return n;
  }

  #closeWhere(match: (a: Admitted) => boolean): number {
    let n = 0;
    for (const [socket, admitted] of [...this.#admitted]) {
      if (!match(admitted)) continue;
      this.#admitted.delete(socket);
      socket.destroy();
      n++;
    }
    return n;
  }

  /** Records an admitted client until it closes. */
  admit(socket: Socket, admitted: Admitted): void {
    if (!this.#admitted.has(socket)) socket.once('close', () => this.#admitted.delete(socket));
    this.#admitted.set(socket, admitted);
  }
}

export class ExtractionEntry implements EntryRules {
  constructor(private readonly deps: ExtractionEntryDeps) {}

  allowsAnonymous(client: Socket, address: string): boolean | Promise<boolean> {
    if (this.#anonymous(client, address)) return true;
    return this.deps.leases.recheck(client.localPort ?? 0, address).then(() => this.#anonymous(client, address));
  }

  #anonymous(client: Socket, address: string): boolean {
    const lease = this.deps.leases.lease(client.localPort ?? 0);
    return lease !== undefined && this.deps.leases.ownerOf(address) === lease.userId;
  }

  async authorize(
    handshake: HandshakeDeps,
    client: Socket,
    address: string,
    credentials: { username: string; password: string } | undefined,
  ): Promise<Authorized> {
    const port = client.localPort ?? 0;
    // Not known here yet (leased, or whitelisted, by another process a moment ago): ask the database first.
    if (!this.deps.leases.lease(port) || (!credentials && !this.#anonymous(client, address))) {
      await this.deps.leases.recheck(port, credentials ? undefined : address);
    }
    const lease = this.deps.leases.lease(port);
    if (!lease) throw new AppError('TG_ERR_PROXY_LEASE_INVALID');
    let account: GatewayAccount;
    let anonymousFrom: string | undefined;
    if (credentials) {
      const authorized = await authenticate(handshake, address, credentials);
      const t = authorized.targeting;
      if (t.country !== undefined || t.session !== undefined || t.ip !== undefined) {
        throw new AppError('TG_ERR_PROXY_USERNAME_INVALID', {
          params: { reason: 'an extraction port keeps the exit of its lease: no targeting keys' },
        });
      }
      if (authorized.account.userId !== lease.userId) throw new AppError('TG_ERR_PROXY_LEASE_INVALID');
      account = authorized.account;
    } else {
      if (this.deps.leases.ownerOf(address) !== lease.userId) throw new AppError('TG_ERR_PROXY_AUTH_REQUIRED');
      account = await this.deps.forUser(lease.userId, this.deps.productType);
      anonymousFrom = this.deps.leases.canonical(address);
    }
    this.deps.admissions.admit(client, { port, userId: lease.userId, anonymousFrom });
    const nodeId = lease.nodeId;
    return {
      account,
      targeting: {
        country: lease.country || undefined,
        state: lease.state || undefined,
        city: lease.city || undefined,
        session: undefined,
        lifeMinutes: 1,
        ip: undefined,
      },
      connect: (route, target, signal) => this.deps.connectVia(nodeId, route, target, signal),
    };
  }
}
