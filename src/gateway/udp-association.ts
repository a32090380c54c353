/**
 * SOCKS5 UDP ASSOCIATE (RFC 1928 §7) for accounts with `udp: 1`. The gateway opens a datagram socket on the
 * address the client reached it on, answers its address and port (BND.ADDR/BND.PORT), and relays: each datagram
 * from the client (header parsed by parseUdpDatagram) goes to its target through an exit of the pool (direct exits:
 * their sockets bind the exit's local address, and the target policy checks every datagram's destination), and
 * each reply from a target the association sent to comes back with the header naming its source.
 *
 * Metering and limits as for TCP: the payload bytes of every datagram relayed, both ways (not the SOCKS headers),
 * are charged to the account as they are sent, and a charge that answers false (limit, daily limit or packages
 * used up) ends the association there; a shaped product drops datagrams over its bandwidth (UDP has no reader to
 * pause). Only the client's address may use the association: the control connection's peer address, and the port
 * it declared in the request or, when it declared none, the port of its first datagram.
 *
 * The association lives as long as its TCP control connection: closing either ends both. The control connection
 * carries nothing after the reply; the association is idle (and closed) after TOLLGATE_IDLE_TIMEOUT_MS without a
 * datagram either way.
 */
import dgram from 'node:dgram';
import { isIPv4 } from 'node:net';
import type { Socket } from 'node:net';
import { AppError } from '../errors/index.js';
import type { GatewayContext } from './context.js';
import type { UdpDropReason, UdpExit } from './gateway.types.js';
import type { Authorized } from './handshake.js';
import { parseUdpDatagram, reply, udpHeader } from './parsers/socks5.js';
import type { ProxyConnection } from './registry.js';

/** The client's declared source (DST.ADDR/DST.PORT of the request); 0 or an unspecified address: not known yet. */
export interface DeclaredSource {
  readonly host: string;
  readonly port: number;
}

/**
 * Checks that the account may associate and opens the association's client-side socket; resolves once the
 * success reply is sent. Throws AppError (TG_ERR_PROXY_UDP_NOT_ALLOWED, TG_ERR_PROXY_COMMAND_UNSUPPORTED,
 * TG_ERR_PROXY_NO_EXIT) before anything is opened; the caller answers it with its reply code.
 */
export async function associateUdp(
  ctx: GatewayContext,
  conn: ProxyConnection,
  control: Socket,
  authorized: Authorized,
  declared: DeclaredSource,
): Promise<void> {
  const account = authorized.account;
  if (!account.udp) throw new AppError('TG_ERR_PROXY_UDP_NOT_ALLOWED');
  // Entries with their own exits (extraction leases, static IPs) dial TCP through them; they relay no UDP.
  if (authorized.connect) {
    throw new AppError('TG_ERR_PROXY_COMMAND_UNSUPPORTED', { params: { reason: 'UDP ASSOCIATE on this entry' } });
  }
  const clientAddress = unmapped(conn.remoteAddress);
  let clientPort = declared.port;
  const localAddress = unmapped(control.localAddress ?? '127.0.0.1');
  const shaper = account.shaper;
  let shapedUntil = 0;
  let active = false;
  let closed = false;
  const drop = (reason: UdpDropReason): void => ctx.metrics.udpDropped(reason);
  /** UDP cannot pause its reader: over the shaper's rate, datagrams are dropped until it has caught up. */
  const shaped = (bytes: number): boolean => {
    if (shaper === undefined) return false;
    const now = performance.now();
    if (now < shapedUntil) return true;
    const ms = shaper.take(bytes);
    if (ms > 0) shapedUntil = now + ms;
    return false;
  };

  const route = {
    ...authorized.targeting,
    productType: account.productType,
    accountId: account.accountId,
  };
  const exit: UdpExit = ctx.handshake.exits.udpExit(route, {
    sent(bytes) {
      active = true;
      conn.up += bytes;
      if (!account.charge(bytes)) conn.destroy();
    },
    reply(data, host, port) {
      if (closed || clientPort === 0) return;
      if (shaped(data.length)) return drop('shaped');
      active = true;
      relaySocket.send([udpHeader(unmapped(host), port), data], clientPort, clientAddress);
      conn.down += data.length;
      if (!account.charge(data.length)) conn.destroy();
    },
    dropped: drop,
  });
  // Opened only once an exit is chosen: a refusal above leaves nothing to close.
  const relaySocket = dgram.createSocket(isIPv4(localAddress) ? 'udp4' : 'udp6');
  relaySocket.on('error', () => conn.destroy());

  relaySocket.on('message', (datagram, from) => {
    if (closed) return;
    if (unmapped(from.address) !== clientAddress || (clientPort !== 0 && from.port !== clientPort)) return drop('source');
    const parsed = parseUdpDatagram(datagram);
    if ('error' in parsed) return drop('malformed');
    // The first well-formed datagram from the client's address fixes its port when the request declared none.
    if (clientPort === 0) clientPort = from.port;
    if (shaped(parsed.data.length)) return drop('shaped');
    exit.send(parsed.data, { host: parsed.host, port: parsed.port });
  });

  const close = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(idle);
    exit.close();
    relaySocket.close();
  };
  // Idle when neither side sent a datagram for a whole period (so closed after one to two periods of silence).
  const idle = setInterval(() => {
    if (!active) conn.destroy();
    active = false;
  }, ctx.config.idleTimeoutMs);
  idle.unref();
  control.once('close', close);
  if (conn.closed) return close();

  try {
    await new Promise<void>((resolve, reject) => {
      relaySocket.once('error', reject);
      relaySocket.bind({ address: localAddress, port: 0 }, () => {
        relaySocket.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    close();
    throw err;
  }
  if (conn.closed) return close();
  conn.exitNodeId = exit.nodeId;
  ctx.handshakeDone(conn);
  // The control connection's own idle timer would end a busy association: the interval above takes over.
  control.setTimeout(0);
  control.write(reply(0, { host: localAddress, port: relaySocket.address().port }));
  ctx.metrics.connection('socks5', 'relayed');
  // Nothing more is expected on the control connection; whatever comes is read and ignored, and its end ends all.
  control.on('data', () => {});
  control.on('end', () => conn.destroy());
  control.resume();
}

/** `::ffff:a.b.c.d` as `a.b.c.d`: sockets of either family report IPv4 peers either way. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
}
