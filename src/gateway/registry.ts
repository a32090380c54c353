/**
 * Every live proxy connection, by account: shutdown, kill-by-account and
 * per-connection stats come from here. Byte totals are kept per connection as
 * plain integers and reported to metrics on a timer, not per chunk.
 *
 * It is what closes connections when a limit is reached or an account revoked: the account directory, the
 * package quotas and the static-IP book receive it in their constructors (main.ts), never a callback to forget.
 * Filing a connection under an account takes one of the account's connection slots (its owner's concurrency);
 * releasing it gives the slot back.
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { AppError } from '../errors/index.js';
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
  /** Totals of every closed connection since start (the live view's throughput). */
  #closedUpAll = 0;
  #closedDownAll = 0;

  /** @param logger where closes by account are reported (info), when given. */
  constructor(private readonly logger?: Logger) {}

  get size(): number {
    return this.#live.size;
  }

  open(client: Socket, now: number): ProxyConnection {
    const conn = new ProxyConnection(this.#nextId++, client, client.remoteAddress ?? '', now);
    this.#live.add(conn);
    return conn;
  }

  /**
   * Files the connection under its account (re-filing when a keep-alive request authenticates as another).
   * Throws TG_ERR_QUOTA_CONCURRENCY, filing nothing, when the account has no connection slot free; a promise
   * (rejecting with it) when the slots are counted across gateways.
   */
  attach(conn: ProxyConnection, account: GatewayAccount): void | Promise<void> {
    if (conn.account === account) return;
    const admitted = account.admit();
    if (admitted === undefined) return this.#file(conn, account);
    // The slot is counted across gateways: the client may have gone meanwhile, and then gives it back.
    return admitted.then(() => {
      if (conn.closed || !this.#live.has(conn)) {
        account.leave();
        throw new AppError('TG_ERR_CLUSTER_CLIENT_GONE');
      }
      this.#file(conn, account);
    });
  }

  #file(conn: ProxyConnection, account: GatewayAccount): void {
    if (conn.account) this.#unfile(conn, conn.account);
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
    this.#closedUpAll += conn.up;
    this.#closedDownAll += conn.down;
    if (conn.account) this.#unfile(conn, conn.account);
  }

  #unfile(conn: ProxyConnection, account: GatewayAccount): void {
    const set = this.#byAccount.get(account.accountId);
    if (set?.delete(conn)) account.leave();
    if (set?.size === 0) this.#byAccount.delete(account.accountId);
  }

  /** Closes every connection of the account; returns how many (those already closing are not counted). */
  closeAccount(accountId: number): number {
    const set = this.#byAccount.get(accountId);
    if (!set) return 0;
    let n = 0;
    for (const conn of [...set]) {
      if (conn.closed) continue;
      conn.destroy();
      n++;
    }
    if (n > 0) this.logger?.info({ account: accountId, closed: n }, 'account revoked or out of quota: connections closed');
    return n;
  }

  /** Closes the newest connections of these accounts until at most `keep` remain; returns how many closed. */
  trimAccounts(accountIds: readonly number[], keep: number): number {
    const conns: ProxyConnection[] = [];
    for (const id of accountIds) for (const conn of this.#byAccount.get(id) ?? []) if (!conn.closed) conns.push(conn);
    if (conns.length <= keep) return 0;
    // Ids grow with time: the highest are the newest.
    conns.sort((a, b) => b.id - a.id);
    const cut = conns.slice(0, conns.length - keep);
    for (const conn of cut) conn.destroy();
    this.logger?.info({ accounts: accountIds, closed: cut.length, kept: keep }, 'concurrency lowered: newest connections closed');
    return cut.length;
  }

  /** Closes every connection through this exit (ProxyConnection.exitNodeId); returns how many. */
  closeExit(exitNodeId: number): number {
    return this.closeWhere((conn) => conn.exitNodeId === exitNodeId);
  }

  countForAccount(accountId: number): number {
    return this.#byAccount.get(accountId)?.size ?? 0;
  }

  /** Closes every live connection `match` selects; returns how many (rare events: a scan is fine). */
  closeWhere(match: (conn: ProxyConnection) => boolean): number {
    let n = 0;
    for (const conn of [...this.#live]) {
      if (conn.closed || !match(conn)) continue;
      conn.destroy();
      n++;
    }
    return n;
  }

  closeAll(): void {
    for (const conn of [...this.#live]) conn.destroy();
  }

  /** Bytes relayed since start, live and closed connections together; reading them reports nothing. */
  byteTotals(): { up: number; down: number } {
    let up = this.#closedUpAll;
    let down = this.#closedDownAll;
    for (const conn of this.#live) {
      up += conn.up;
      down += conn.down;
    }
    return { up, down };
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
