/**
 * Who gets a connection slot. Connections still in their handshake (not authenticated yet) have a pool of
 * their own, TOLLGATE_MAX_HANDSHAKES in all and TOLLGATE_MAX_HANDSHAKES_PER_IP per client address, apart
 * from the authenticated ones (TOLLGATE_MAX_CONNECTIONS): strangers who connect and say nothing can never
 * take an authenticated user's slot. When the handshake pool is full, the oldest handshake gives way to the
 * newcomer (idle strangers are the oldest); an address over its own share is refused. Authenticated
 * connections are also capped per sub-account and per user (fair shares, overridable per user).
 *
 * Shared by every entry of one process, like the registry. Counting is a few Map operations per connection.
 */
import { AppError } from '../errors/index.js';
import type { GatewayAccount } from './gateway.types.js';
import type { ProxyConnection } from './registry.js';

/** Refused connections that may wait for their first bytes at once, however small the handshake pool. */
const MIN_REFUSING = 1024;

export interface AdmissionLimits {
  readonly maxConnections: number;
  readonly maxHandshakes: number;
  readonly maxHandshakesPerIp: number;
}

/** The accounting of one admitted connection: where it is counted. */
interface Seat {
  /** Undefined while the connection is still in its handshake. */
  account: GatewayAccount | undefined;
}

export class Admission {
  /** In insertion order: the first is the oldest handshake. */
  readonly #handshaking = new Set<ProxyConnection>();
  readonly #perIp = new Map<string, number>();
  readonly #seats = new Map<ProxyConnection, Seat>();
  readonly #byAccount = new Map<number, number>();
  readonly #byUser = new Map<number, number>();
  #authenticated = 0;
  /** Refused connections waiting a moment for their first bytes, to be answered in their own protocol. */
  #refusing = 0;

  /** Called with a handshake that gives way to a newcomer: it must be answered (4013) and closed. */
  constructor(
    private readonly limits: AdmissionLimits,
    private readonly evict: (conn: ProxyConnection) => void,
  ) {}

  get handshaking(): number {
    return this.#handshaking.size;
  }

  get authenticated(): number {
    return this.#authenticated;
  }

  /** A new connection. Undefined when it may start its handshake, else the refusal to answer it with. */
  open(conn: ProxyConnection): AppError | undefined {
    const address = conn.remoteAddress;
    if ((this.#perIp.get(address) ?? 0) >= this.limits.maxHandshakesPerIp) {
      return new AppError('TG_ERR_PROXY_CONNECTION_LIMIT');
    }
    if (this.#handshaking.size >= this.limits.maxHandshakes) {
      const oldest = this.#handshaking.values().next().value;
      if (oldest === undefined) return new AppError('TG_ERR_PROXY_CONNECTION_LIMIT');
      this.#leaveHandshake(oldest);
      this.evict(oldest);
    }
    this.#handshaking.add(conn);
    this.#perIp.set(address, (this.#perIp.get(address) ?? 0) + 1);
    this.#seats.set(conn, { account: undefined });
    return undefined;
  }

  /**
   * The connection authenticated as `account` (again, on a keep-alive connection: a no-op for the same
   * account). Throws TG_ERR_PROXY_CONNECTION_LIMIT when every authenticated slot is taken, or
   * TG_ERR_PROXY_TUNNEL_LIMIT when the sub-account or its user holds its share; nothing changes then.
   */
  authenticate(conn: ProxyConnection, account: GatewayAccount): void {
    let seat = this.#seats.get(conn);
    if (seat?.account === account) return;
    const moving = seat?.account !== undefined;
    if (!moving && this.#authenticated >= this.limits.maxConnections) throw new AppError('TG_ERR_PROXY_CONNECTION_LIMIT');
    if ((this.#byAccount.get(account.accountId) ?? 0) >= account.maxTunnels) {
      throw new AppError('TG_ERR_PROXY_TUNNEL_LIMIT', { params: { max: account.maxTunnels, scope: 'sub-account' } });
    }
    const sameUser = moving && seat?.account?.userId === account.userId;
    if (!sameUser && (this.#byUser.get(account.userId) ?? 0) >= account.maxUserTunnels) {
      throw new AppError('TG_ERR_PROXY_TUNNEL_LIMIT', { params: { max: account.maxUserTunnels, scope: 'user' } });
    }
    if (!seat) this.#seats.set(conn, (seat = { account: undefined }));
    if (seat.account) this.#unseat(seat.account);
    else {
      this.#leaveHandshake(conn);
      this.#authenticated += 1;
    }
    seat.account = account;
    increment(this.#byAccount, account.accountId);
    increment(this.#byUser, account.userId);
  }

  /** The connection closed: its slot is free. */
  release(conn: ProxyConnection): void {
    const seat = this.#seats.get(conn);
    if (!seat) return;
    this.#seats.delete(conn);
    if (seat.account) {
      this.#authenticated -= 1;
      this.#unseat(seat.account);
    } else this.#leaveHandshake(conn);
  }

  /** Takes one place for a refused connection to be answered in; false when too many are already waiting. */
  beginRefusal(): boolean {
    if (this.#refusing >= Math.max(MIN_REFUSING, this.limits.maxHandshakes)) return false;
    this.#refusing += 1;
    return true;
  }

  endRefusal(): void {
    if (this.#refusing > 0) this.#refusing -= 1;
  }

  #leaveHandshake(conn: ProxyConnection): void {
    if (!this.#handshaking.delete(conn)) return;
    const n = (this.#perIp.get(conn.remoteAddress) ?? 1) - 1;
    if (n > 0) this.#perIp.set(conn.remoteAddress, n);
    else this.#perIp.delete(conn.remoteAddress);
  }

  #unseat(account: GatewayAccount): void {
    decrement(this.#byAccount, account.accountId);
    decrement(this.#byUser, account.userId);
  }
}

function increment(map: Map<number, number>, key: number): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function decrement(map: Map<number, number>, key: number): void {
  const n = (map.get(key) ?? 1) - 1;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}
