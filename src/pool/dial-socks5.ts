/**
 * Chaining through an upstream SOCKS5 proxy: RFC 1928 CONNECT, with RFC 1929
 * username/password authentication when the node has credentials. Names are
 * sent as names (ATYP 3) for the upstream to resolve.
 *
 * Written here rather than with the `socks` package: that client reports reply
 * codes only inside message text and hands back a resumed socket, re-emitting
 * early bytes on a timer; the gateway needs codes to map (errno.ts) and a
 * socket from which nothing has been read.
 */
import { isIP, type Socket } from 'node:net';
import ipaddr from 'ipaddr.js';
import { AppError } from '../errors/index.js';
import type { ProxyTarget } from '../gateway/gateway.types.js';
import type { DialContext } from './dial-context.js';
import { asExitFault, socks5ReplyError } from './errno.js';
import type { UpstreamEndpoint } from './node-url.js';
import { connectTcp, readMessage } from './socket-io.js';

const VERSION = 0x05;
const METHOD_NONE = 0x00;
const METHOD_USERPASS = 0x02;
const METHOD_REFUSED = 0xff;
const USERPASS_VERSION = 0x01;
const CMD_CONNECT = 0x01;
const ATYP_IPV4 = 0x01;
const ATYP_DOMAIN = 0x03;
const ATYP_IPV6 = 0x04;

/** Method selection request (RFC 1928 §3): no authentication, and username/password when we have credentials. */
export function greeting(withCredentials: boolean): Buffer {
  return Buffer.from(withCredentials ? [VERSION, 2, METHOD_NONE, METHOD_USERPASS] : [VERSION, 1, METHOD_NONE]);
}

/** Username/password request (RFC 1929 §2). Lengths were checked when the node URL was parsed. */
export function userPassRequest(username: string, password: string): Buffer {
  const user = Buffer.from(username, 'utf8');
  const pass = Buffer.from(password, 'utf8');
  return Buffer.concat([Buffer.from([USERPASS_VERSION, user.length]), user, Buffer.from([pass.length]), pass]);
}

/** CONNECT request (RFC 1928 §4, addresses per §5). */
export function connectRequest(target: ProxyTarget): Buffer {
  const port = Buffer.from([target.port >> 8, target.port & 0xff]);
  const family = isIP(target.host);
  let address: Buffer;
  if (family === 0) {
    const name = Buffer.from(target.host, 'ascii');
    address = Buffer.concat([Buffer.from([ATYP_DOMAIN, name.length]), name]);
  } else {
    address = Buffer.from([family === 4 ? ATYP_IPV4 : ATYP_IPV6, ...ipaddr.parse(target.host).toByteArray()]);
  }
  return Buffer.concat([Buffer.from([VERSION, CMD_CONNECT, 0x00]), address, port]);
}

/** Length of a complete reply (RFC 1928 §6) in `buffered`, or undefined while incomplete; throws on a malformed one. */
export function replyLength(buffered: Buffer): number | undefined {
  if (buffered.length < 2) return undefined;
  if (buffered[0] !== VERSION) throw malformed('reply');
  // On failure only REP matters: the upstream closes the connection (§6).
  if (buffered[1] !== 0x00) return 2;
  if (buffered.length < 5) return undefined;
  const atyp = buffered[3];
  const length = atyp === ATYP_IPV4 ? 10 : atyp === ATYP_IPV6 ? 22 : atyp === ATYP_DOMAIN ? 7 + buffered[4]! : undefined;
  if (length === undefined) throw malformed('reply');
  return buffered.length >= length ? length : undefined;
}

const twoBytes = (buffered: Buffer): number | undefined => (buffered.length >= 2 ? 2 : undefined);

export async function dialSocks5(endpoint: UpstreamEndpoint, target: ProxyTarget, ctx: DialContext): Promise<Socket> {
  const socket = await connectTcp({ host: endpoint.host, port: endpoint.port }, ctx);
  const credentials = endpoint.username !== undefined && endpoint.password !== undefined;

  socket.write(greeting(credentials));
  const choice = await readMessage(socket, twoBytes, 2, 'SOCKS5 method selection');
  if (choice[0] !== VERSION) throw asExitFault(malformed('method selection'));
  const method = choice[1];
  if (method === METHOD_REFUSED || (method === METHOD_USERPASS && !credentials)) {
    throw asExitFault(failed('the SOCKS5 upstream accepts none of our authentication methods'));
  }
  if (method === METHOD_USERPASS) {
    socket.write(userPassRequest(endpoint.username!, endpoint.password!));
    const status = await readMessage(socket, twoBytes, 2, 'SOCKS5 authentication reply');
    // RFC 1929 §2: STATUS 0x00 is success; anything else means the connection must close.
    if (status[1] !== 0x00) throw asExitFault(failed('the SOCKS5 upstream refused our credentials'));
  } else if (method !== METHOD_NONE) {
    throw asExitFault(malformed('method selection'));
  }
  ctx.reachedExit();

  socket.write(connectRequest(target));
  const reply = await readMessage(socket, replyLength, 262, 'SOCKS5 reply');
  if (reply[1] !== 0x00) throw socks5ReplyError(reply[1]!);
  return socket;
}

function failed(reason: string): AppError {
  return new AppError('TG_ERR_UPSTREAM_FAILED', { params: { reason } });
}

function malformed(what: string): AppError {
  return failed(`malformed SOCKS5 ${what} from the upstream`);
}
