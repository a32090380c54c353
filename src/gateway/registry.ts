/**
 * Every live proxy connection, by account: shutdown, kill-by-account and
 * per-connection stats come from here. Byte totals are kept per connection as
 * plain integers and reported to metrics on a timer, not per chunk.
 */
import type { Socket } from 'node:net';
import type { GatewayAccount } from './gateway.types.js';

export type Protocol = 'http' | 'connect' | 'socks5';

export class ProxyConnection {
  /** Billed bytes client → target. */
  up = 0;
  /** Billed bytes target → client. */
  down = 0;
  reportedUp = 0;
  reportedDown = 0;
  protocol: Protocol | undefined;
  account: GatewayAccount | undefined;
  upstream: Socket | undefined;
  /** The exit of the current upstream (ExitConnection.nodeId; negative for a static IP). */
  exitNodeId = 0;
  closed = false;

  constructor(
    readonly id: number,
    readonly client: Socket,
    readonly remoteAddress: string,
    readonly openedAt: number,
  ) {}

  /** Ends the connection now, both sides. */
  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.destroy();
    this.upstream?.destroy();
  }
}

export class ConnectionRegistry {
  readonly #live = new Set<ProxyConnection>();
  readonly #byAccount = new Map<number, Set<ProxyConnection>>();
  #nextId = 1;
  /** Totals of closed connections, not yet reported. */
  #closedUp = 0;
  #closedDown = 0;

  get size(): number {
    return this.#live.size;
  }

  open(client: Socket, now: number): ProxyConnection {
    const conn = new ProxyConnection(this.#nextId++, client, client.remoteAddress ?? '', now);
    this.#live.add(conn);
    return conn;
  }

  /** Files the connection under its account (re-filing when a keep-alive request authenticates as another). */
  attach(conn: ProxyConnection, account: GatewayAccount): void {
    if (conn.account === account) return;
    if (conn.account) this.#byAccount.get(conn.account.accountId)?.delete(conn);
    conn.account = account;
    let set = this.#byAccount.get(account.accountId);
    if (!set) this.#byAccount.set(account.accountId, (set = new Set()));
    set.add(conn);
  }

  /** Forgets a closed connection, keeping its byte totals for the next report. */
  release(conn: ProxyConnection): void {
    if (!this.#live.delete(conn)) return;
    conn.closed = true;
    this.#closedUp += conn.up - conn.reportedUp;
    this.#closedDown += conn.down - conn.reportedDown;
    if (conn.account) {
      const set = this.#byAccount.get(conn.account.accountId);
      set?.delete(conn);
      if (set?.size === 0) this.#byAccount.delete(conn.account.accountId);
    }
  }

  /** Closes every connection of the account; returns how many. */
  closeAccount(accountId: number): number {
    const set = this.#byAccount.get(accountId);
    if (!set) return 0;
    const n = set.size;
    for (const conn of [...set]) conn.destroy();
    return n;
  }

  countForAccount(accountId: number): number {
    return this.#byAccount.get(accountId)?.size ?? 0;
  }

  /** Closes every live connection `match` selects; returns how many (rare events: a scan is fine). */
  closeWhere(match: (conn: ProxyConnection) => boolean): number {
    let n = 0;
    for (const conn of [...this.#live]) {
      if (!match(conn)) continue;
      conn.destroy();
      n++;
    }
    return n;
  }

  closeAll(): void {
    for (const conn of [...this.#live]) conn.destroy();
  }

  /** Bytes relayed since the last call, live and closed connections together. */
  takeByteDeltas(): { up: number; down: number } {
    let up = this.#closedUp;
    let down = this.#closedDown;
    this.#closedUp = 0;
    this.#closedDown = 0;
    for (const conn of this.#live) {
      up += conn.up - conn.reportedUp;
      down += conn.down - conn.reportedDown;
      conn.reportedUp = conn.up;
      conn.reportedDown = conn.down;
    }
    return { up, down };
  }
}
