/**
 * SOCKS5 messages: the method negotiation and the request (RFC 1928 §3-6) and the username/password
 * sub-negotiation (RFC 1929 §2).
 *
 * The parsers are incremental: each takes whatever has arrived, which may be part of a message or a
 * message followed by more bytes, and returns NEED when the message is not complete, a SocksFault
 * when it can never become valid, or the message with `consumed`, the bytes it used. Faults are
 * reported as soon as the byte that causes them arrives, so an HTTP request or TLS hello sent to the
 * SOCKS port fails on its first byte. Nothing is copied out of the buffer except the strings returned.
 */
import { isUtf8 } from 'node:buffer';
import { isIPv4, isIPv6 } from 'node:net';
import { type ErrorKey, SOCKS } from '../../errors/index.js';

export const SOCKS_VERSION = 5;
/** The sub-negotiation's own version byte, RFC 1929 §2. */
export const USER_PASS_VERSION = 1;
export const METHOD_NO_AUTH = 0;
export const METHOD_USER_PASS = 2;
export const METHOD_NONE_ACCEPTABLE = 0xff;
export const CMD_CONNECT = 1;
export const CMD_BIND = 2;
export const CMD_UDP_ASSOCIATE = 3;
export const ATYP_IPV4 = 1;
export const ATYP_DOMAIN = 3;
export const ATYP_IPV6 = 4;
/** REP X'00', RFC 1928 §6; the failure codes are SOCKS in the error catalogue. */
export const REPLY_SUCCEEDED = 0;

/** More bytes are needed before the message can be judged. */
export interface NeedMore {
  readonly need: true;
}

/** The bytes can never form a valid message; the caller answers (if `reply` is set) and closes. */
export interface SocksFault {
  /** The catalogue error to raise. */
  readonly error: ErrorKey;
  /** What was wrong, for the error's `{reason}` and the log. */
  readonly reason: string;
  /** The REP code (RFC 1928 §6) to send before closing; set only for requests, the one stage with a reply. */
  readonly reply?: number;
}

/** RFC 1928 §3: the client's version identifier/method selection message. */
export interface SocksGreeting {
  /** The METHODS octets in the order sent, duplicates kept. */
  readonly methods: number[];
  readonly consumed: number;
}

/** RFC 1929 §2: the username/password request. */
export interface SocksUserPass {
  readonly username: string;
  readonly password: string;
  readonly consumed: number;
}

/** RFC 1928 §4: the client's request, with DST.ADDR as text. */
export interface SocksRequest {
  /** CMD as sent; the caller answers anything but CMD_CONNECT with SOCKS.COMMAND_NOT_SUPPORTED. */
  readonly command: number;
  /** Dotted IPv4, RFC 5952 IPv6 without brackets, or the domain name exactly as sent. */
  readonly host: string;
  /** DST.PORT as sent, 0 included (UDP ASSOCIATE uses it); a CONNECT caller refuses 0. */
  readonly port: number;
  readonly addressType: 1 | 3 | 4;
  readonly consumed: number;
}

/** Shared: a partial read must not allocate. */
const NEED: NeedMore = Object.freeze({ need: true });

/**
 * RFC 1928 §3: VER (5) | NMETHODS (1-255) | METHODS. NMETHODS 0 is refused: the client would be
 * offering nothing, and the only answer would be METHOD_NONE_ACCEPTABLE anyway.
 */
export function parseGreeting(buf: Buffer): SocksGreeting | NeedMore | SocksFault {
  if (buf.length < 1) return NEED;
  if (buf[0] !== SOCKS_VERSION) return badRequest(`SOCKS version ${buf[0]} in greeting, expected 5`);
  if (buf.length < 2) return NEED;
  const count = buf[1]!;
  if (count === 0) return badRequest('greeting offers no methods');
  const consumed = 2 + count;
  if (buf.length < consumed) return NEED;
  const methods = new Array<number>(count);
  for (let i = 0; i < count; i++) methods[i] = buf[2 + i]!;
  return { methods, consumed };
}

/**
 * RFC 1929 §2: VER (1) | ULEN (1-255) | UNAME | PLEN (0-255) | PASSWD, both decoded as UTF-8.
 * RFC 1929 asks for 1-255 password bytes; an empty one is let through for the account check to
 * refuse, as with Basic credentials. On a fault the caller answers authReply(false) and closes.
 */
export function parseUserPassAuth(buf: Buffer): SocksUserPass | NeedMore | SocksFault {
  if (buf.length < 1) return NEED;
  if (buf[0] !== USER_PASS_VERSION) return badRequest(`username/password version ${buf[0]}, expected 1`);
  if (buf.length < 2) return NEED;
  const userLength = buf[1]!;
  if (userLength === 0) return badRequest('empty username');
  const passAt = 2 + userLength;
  if (buf.length < passAt + 1) return NEED;
  const passLength = buf[passAt]!;
  const consumed = passAt + 1 + passLength;
  if (buf.length < consumed) return NEED;
  // RFC 1929 names no charset; UTF-8 matches Basic credentials (RFC 7617 §2.1), and bytes that are
  // not UTF-8 are refused rather than replaced so two different passwords cannot decode alike.
  if (!isUtf8(buf.subarray(2, passAt))) return badRequest('username is not UTF-8');
  if (!isUtf8(buf.subarray(passAt + 1, consumed))) return badRequest('password is not UTF-8');
  return { username: buf.toString('utf8', 2, passAt), password: buf.toString('utf8', passAt + 1, consumed), consumed };
}

/**
 * RFC 1928 §4: VER (5) | CMD | RSV | ATYP | DST.ADDR | DST.PORT (network order), DST.ADDR per §5.
 * RSV is accepted whatever it holds: §6 has senders set reserved fields to 0 but asks nothing of
 * receivers, and refusing would only break clients that get it wrong. A domain name must be 1-255
 * bytes of printable ASCII without space: names are sent in ASCII (IDNs as A-labels), and a NUL, CR
 * or LF must not reach logs, headers or the resolver. It is not otherwise checked or lower-cased.
 */
export function parseRequest(buf: Buffer): SocksRequest | NeedMore | SocksFault {
  if (buf.length < 1) return NEED;
  if (buf[0] !== SOCKS_VERSION) return requestFault(`SOCKS version ${buf[0]} in request, expected 5`);
  if (buf.length < 4) return NEED;
  const command = buf[1]!;
  const address = readAddress(buf, 3);
  if ('need' in address) return NEED;
  if ('unsupported' in address) {
    return {
      error: 'TG_ERR_PROXY_ADDRESS_UNSUPPORTED',
      reason: `address type ${address.unsupported}`,
      reply: SOCKS.ADDRESS_TYPE_NOT_SUPPORTED,
    };
  }
  if ('reason' in address) return requestFault(address.reason);
  return { command, host: address.host, port: address.port, addressType: address.addressType, consumed: address.end };
}

/** RFC 1928 §7: a UDP datagram between client and relay, with DST.ADDR as text and DATA as a view of the buffer. */
export interface SocksUdpDatagram {
  /** Dotted IPv4, RFC 5952 IPv6 without brackets, or the domain name exactly as sent. */
  readonly host: string;
  readonly port: number;
  readonly addressType: 1 | 3 | 4;
  /** The payload: a view into the datagram, not a copy. */
  readonly data: Buffer;
}

/**
 * RFC 1928 §7: RSV (X'0000') | FRAG | ATYP | DST.ADDR | DST.PORT | DATA. A datagram arrives whole, so a short one
 * is a fault, never "need more". Fragments are refused: §7 lets a relay that does not reassemble drop any
 * datagram whose FRAG is not X'00', and reassembly would hold memory for strangers. RSV must be zero (a datagram
 * with anything else is not one of ours: another protocol sent to the port), DST.ADDR follows §5 as in a request,
 * and DST.PORT 0 is refused (nothing listens there). An empty DATA is allowed (a probe, as some clients send).
 */
export function parseUdpDatagram(buf: Buffer): SocksUdpDatagram | SocksFault {
  if (buf.length < 4) return badRequest(`datagram of ${buf.length} bytes is shorter than a header`);
  if (buf[0] !== 0 || buf[1] !== 0) return badRequest('datagram RSV is not zero');
  if (buf[2] !== 0) return badRequest(`fragment ${buf[2]} (fragmented datagrams are not relayed)`);
  const address = readAddress(buf, 3);
  if ('need' in address) return badRequest('datagram header is cut short');
  if ('unsupported' in address)
    return { error: 'TG_ERR_PROXY_ADDRESS_UNSUPPORTED', reason: `address type ${address.unsupported}` };
  if ('reason' in address) return badRequest(address.reason);
  if (address.port === 0) return badRequest('datagram to port 0');
  return { host: address.host, port: address.port, addressType: address.addressType, data: buf.subarray(address.end) };
}

/**
 * RFC 1928 §7: the header the relay puts before a reply datagram from `host`:`port` (RSV X'0000', FRAG X'00',
 * the source as ATYP/ADDR/PORT, encoded as in reply()). Throws RangeError on what cannot be encoded.
 */
export function udpHeader(host: string, port: number): Buffer {
  const out = reply(REPLY_SUCCEEDED, { host, port });
  // reply() is VER | REP | RSV | ATYP …; a datagram header is RSV RSV | FRAG | ATYP ….
  out[0] = 0;
  out[1] = 0;
  out[2] = 0;
  return out;
}

type AddressRead =
  | { readonly host: string; readonly port: number; readonly addressType: 1 | 3 | 4; readonly end: number }
  | NeedMore
  | { readonly unsupported: number }
  | { readonly reason: string };

/** RFC 1928 §5: ATYP | DST.ADDR | DST.PORT at buf[at] (ATYP's offset), shared by requests and datagrams. */
function readAddress(buf: Buffer, at: number): AddressRead {
  if (buf.length < at + 1) return NEED;
  const addressType = buf[at]!;
  let end: number;
  let host: string;
  if (addressType === ATYP_IPV4) {
    end = at + 1 + 4 + 2;
    if (buf.length < end) return NEED;
    host = `${buf[at + 1]}.${buf[at + 2]}.${buf[at + 3]}.${buf[at + 4]}`;
  } else if (addressType === ATYP_IPV6) {
    end = at + 1 + 16 + 2;
    if (buf.length < end) return NEED;
    host = formatIPv6(buf, at + 1);
  } else if (addressType === ATYP_DOMAIN) {
    if (buf.length < at + 2) return NEED;
    const length = buf[at + 1]!;
    if (length === 0) return { reason: 'empty domain name' };
    end = at + 2 + length + 2;
    if (buf.length < end) return NEED;
    for (let i = at + 2; i < at + 2 + length; i++) {
      const c = buf[i]!;
      if (c <= 0x20 || c >= 0x7f)
        return { reason: `domain name byte 0x${c.toString(16).padStart(2, '0')} is not printable ASCII` };
    }
    host = buf.toString('latin1', at + 2, at + 2 + length);
  } else {
    return { unsupported: addressType };
  }
  const port = (buf[end - 2]! << 8) | buf[end - 1]!;
  return { host, port, addressType, end };
}

/** RFC 1928 §3: VER | METHOD, the server's choice (METHOD_NONE_ACCEPTABLE to refuse all). */
export function greetingReply(method: number): Buffer {
  checkByte(method, 'method');
  return Buffer.from([SOCKS_VERSION, method]);
}

/** RFC 1929 §2: VER | STATUS, 0 for success; on failure the server closes after sending it. */
export function authReply(ok: boolean): Buffer {
  return Buffer.from([USER_PASS_VERSION, ok ? 0 : 1]);
}

/**
 * RFC 1928 §6: VER | REP | RSV (0) | ATYP | BND.ADDR | BND.PORT. Without `bound`, 0.0.0.0:0, as for
 * failures and for proxies that do not expose their outgoing address. An IPv4 or IPv6 literal (an
 * IPv6 zone is dropped) goes as ATYP 1 or 4, anything else as a domain name of 1-255 ASCII bytes.
 * Throws RangeError on a code, port or host that cannot be encoded: these come from our own code.
 */
export function reply(code: number, bound?: { host: string; port: number }): Buffer {
  checkByte(code, 'reply code');
  if (bound === undefined) return Buffer.from([SOCKS_VERSION, code, 0, ATYP_IPV4, 0, 0, 0, 0, 0, 0]);
  const { host, port } = bound;
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new RangeError(`SOCKS reply port ${port} out of range`);
  let out: Buffer;
  if (isIPv4(host)) {
    out = Buffer.allocUnsafe(4 + 4 + 2);
    out[3] = ATYP_IPV4;
    let at = 4;
    let octet = 0;
    // isIPv4 has checked the form: four decimal octets, no leading zeros.
    for (let i = 0; i < host.length; i++) {
      const c = host.charCodeAt(i);
      if (c === 0x2e) {
        out[at++] = octet;
        octet = 0;
      } else octet = octet * 10 + (c - 0x30);
    }
    out[at] = octet;
  } else if (isIPv6(host)) {
    out = Buffer.allocUnsafe(4 + 16 + 2);
    out[3] = ATYP_IPV6;
    writeIPv6(host, out, 4);
  } else {
    const length = Buffer.byteLength(host, 'utf8');
    if (length < 1 || length > 255 || length !== host.length) throw new RangeError(`SOCKS reply host ${JSON.stringify(host)}`);
    out = Buffer.allocUnsafe(4 + 1 + length + 2);
    out[3] = ATYP_DOMAIN;
    out[4] = length;
    out.write(host, 5, 'latin1');
  }
  out[0] = SOCKS_VERSION;
  out[1] = code;
  out[2] = 0;
  out.writeUInt16BE(port, out.length - 2);
  return out;
}

function badRequest(reason: string): SocksFault {
  return { error: 'TG_ERR_PROXY_BAD_REQUEST', reason };
}

function requestFault(reason: string): SocksFault {
  return { error: 'TG_ERR_PROXY_BAD_REQUEST', reason, reply: SOCKS.GENERAL_FAILURE };
}

function checkByte(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`SOCKS ${what} ${value} out of range`);
}

/**
 * RFC 5952 §4 text for 16 bytes at buf[at]: lower-case hex without leading zeros, the longest run of
 * two or more zero groups (the first of equals) as "::", and §5's mixed notation for IPv4-mapped
 * addresses (::ffff:0:0/96), which is also how Node shows them (`::ffff:127.0.0.1`).
 */
function formatIPv6(buf: Buffer, at: number): string {
  let bestStart = -1;
  let bestLength = 1;
  let runStart = -1;
  for (let g = 0; g < 8; g++) {
    if (buf[at + 2 * g] === 0 && buf[at + 2 * g + 1] === 0) {
      if (runStart === -1) runStart = g;
      if (g - runStart + 1 > bestLength) {
        bestStart = runStart;
        bestLength = g - runStart + 1;
      }
    } else runStart = -1;
  }
  if (bestStart === 0 && bestLength === 5 && buf[at + 10] === 0xff && buf[at + 11] === 0xff) {
    return `::ffff:${buf[at + 12]}.${buf[at + 13]}.${buf[at + 14]}.${buf[at + 15]}`;
  }
  let text = '';
  for (let g = 0; g < 8; g++) {
    if (g === bestStart) {
      text += '::';
      g += bestLength - 1;
      continue;
    }
    if (text !== '' && !text.endsWith(':')) text += ':';
    text += ((buf[at + 2 * g]! << 8) | buf[at + 2 * g + 1]!).toString(16);
  }
  return text;
}

/** Writes the 16 bytes of an IPv6 literal already checked by isIPv6 (RFC 4291 §2.2 forms). */
function writeIPv6(text: string, out: Buffer, at: number): void {
  const zone = text.indexOf('%');
  const address = zone === -1 ? text : text.slice(0, zone);
  const gap = address.indexOf('::');
  const head = gap === -1 ? address : address.slice(0, gap);
  const tail = gap === -1 ? '' : address.slice(gap + 2);
  out.fill(0, at, at + 16);
  writeGroups(head, out, at);
  const tailGroups = groupsIn(tail);
  writeGroups(tail, out, at + 16 - 2 * tailGroups);
}

/** How many 16-bit groups `part` spells: a trailing dotted IPv4 counts as two. */
function groupsIn(part: string): number {
  if (part === '') return 0;
  let groups = 1;
  for (let i = 0; i < part.length; i++) if (part.charCodeAt(i) === 0x3a) groups++;
  return part.includes('.') ? groups + 1 : groups;
}

function writeGroups(part: string, out: Buffer, at: number): void {
  if (part === '') return;
  for (const group of part.split(':')) {
    if (group.includes('.')) {
      for (const octet of group.split('.')) out[at++] = Number(octet);
    } else {
      out.writeUInt16BE(parseInt(group, 16), at);
      at += 2;
    }
  }
}
