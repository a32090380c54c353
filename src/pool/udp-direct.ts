/**
 * UDP through a direct exit (SOCKS5 UDP ASSOCIATE, RFC 1928 §7): one datagram socket per address family, bound to
 * the exit's local address when it has one, opened on first use and closed with the association.
 *
 * Policy as for TCP (dial-direct.ts): every datagram's target is checked on the address it is actually sent to; a
 * name is resolved here (answers kept 30 s per association) and only an allowed address is used, so no datagram
 * reaches a private network or this platform's own listeners unless the policy allows it. Replies are accepted
 * only from an address and port the association has sent to (a port-restricted cone): strangers cannot push
 * datagrams, billed to the account, through an association they found.
 */
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { ProxyTarget, UdpExit, UdpExitEvents } from '../gateway/gateway.types.js';
import type { DirectEndpoint } from './node-url.js';
import type { TargetPolicy } from './target-policy.js';

/** How long a name's addresses are reused by one association. */
const NAME_TTL_MS = 30_000;
/** Names one association remembers at most. */
const MAX_NAMES = 256;
/** Peers (address and port sent to) one association remembers; past this the oldest are forgotten. */
const MAX_PEERS = 4096;

export class DirectUdpExit implements UdpExit {
  readonly #sockets = new Map<4 | 6, dgram.Socket>();
  readonly #peers = new Set<string>();
  readonly #names = new Map<string, { address: string; family: 4 | 6; until: number }>();
  #closed = false;

  constructor(
    readonly nodeId: number,
    private readonly endpoint: DirectEndpoint,
    private readonly policy: TargetPolicy,
    private readonly events: UdpExitEvents,
    private readonly now: () => number = Date.now,
  ) {}

  send(data: Buffer, target: ProxyTarget): void {
    if (this.#closed) return;
    const family = isIP(target.host);
    if (family !== 0) return this.#sendTo(data, target.host, family as 4 | 6, target.port);
    const portProblem = this.policy.checkPort(target.port);
    if (portProblem !== undefined) return this.events.dropped('blocked');
    const known = this.#names.get(target.host);
    if (known && known.until > this.now()) return this.#sendTo(data, known.address, known.family, target.port);
    lookup(target.host, { all: true }).then(
      (addresses) => {
        if (this.#closed) return;
        const local = this.endpoint.localAddress;
        const usable = addresses.find(
          (a) => this.policy.check(a.address, target.port) === undefined && (local === undefined || isIP(local) === a.family),
        );
        if (!usable) return this.events.dropped('blocked');
        if (this.#names.size >= MAX_NAMES) this.#names.clear();
        const family = usable.family as 4 | 6;
        this.#names.set(target.host, { address: usable.address, family, until: this.now() + NAME_TTL_MS });
        this.#sendTo(data, usable.address, family, target.port);
      },
      () => {
        if (!this.#closed) this.events.dropped('unresolved');
      },
    );
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const socket of this.#sockets.values()) socket.close();
    this.#sockets.clear();
  }

  #sendTo(data: Buffer, address: string, family: 4 | 6, port: number): void {
    if (this.policy.check(address, port) !== undefined) return this.events.dropped('blocked');
    const local = this.endpoint.localAddress;
    // A socket bound to a local address reaches only its own family.
    if (local !== undefined && isIP(local) !== family) return this.events.dropped('blocked');
    const key = `${address}|${port}`;
    if (!this.#peers.has(key)) {
      if (this.#peers.size >= MAX_PEERS) this.#peers.delete(this.#peers.values().next().value!);
      this.#peers.add(key);
    }
    this.#socket(family).send(data, port, address);
    this.events.sent(data.length);
  }

  #socket(family: 4 | 6): dgram.Socket {
    let socket = this.#sockets.get(family);
    if (socket) return socket;
    socket = dgram.createSocket(family === 4 ? 'udp4' : 'udp6');
    // Sends made before the bind completes are queued by dgram.
    socket.bind({ port: 0, ...(this.endpoint.localAddress !== undefined ? { address: this.endpoint.localAddress } : {}) });
    socket.on('message', (data, from) => {
      if (this.#closed) return;
      if (!this.#peers.has(`${from.address}|${from.port}`)) return this.events.dropped('unsolicited');
      this.events.reply(data, from.address, from.port);
    });
    // An ICMP unreachable or a send to a vanished route: UDP has no connection to fail, so the datagram is lost.
    socket.on('error', () => {});
    this.#sockets.set(family, socket);
    return socket;
  }
}
