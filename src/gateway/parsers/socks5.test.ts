import assert from 'node:assert/strict';
import { isIPv6 } from 'node:net';
import { describe, it } from 'node:test';
import {
  ATYP_DOMAIN,
  ATYP_IPV4,
  ATYP_IPV6,
  CMD_CONNECT,
  METHOD_NO_AUTH,
  METHOD_NONE_ACCEPTABLE,
  METHOD_USER_PASS,
  SOCKS_VERSION,
  authReply,
  greetingReply,
  parseGreeting,
  parseRequest,
  parseUdpDatagram,
  parseUserPassAuth,
  reply,
  udpHeader,
} from './socks5.js';

const bytes = (...parts: Array<number | number[] | string | Buffer>): Buffer =>
  Buffer.concat(
    parts.map((p) =>
      typeof p === 'number' ? Buffer.from([p]) : typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p),
    ),
  );
const port = (n: number): number[] => [n >> 8, n & 0xff];
const NEED = { need: true };

/** Every strict prefix of a complete message, the empty one included, needs more bytes. */
function assertPrefixesNeedMore(parse: (buf: Buffer) => unknown, message: Buffer): void {
  for (let n = 0; n < message.length; n++) {
    assert.deepEqual(parse(message.subarray(0, n)), NEED, `prefix of ${n} bytes of ${message.toString('hex')}`);
  }
}

const badRequest = (reason: string) => ({ error: 'TG_ERR_PROXY_BAD_REQUEST', reason });
const requestFault = (reason: string) => ({ error: 'TG_ERR_PROXY_BAD_REQUEST', reason, reply: 0x01 });

describe('constants', () => {
  it('match RFC 1928 §3-4', () => {
    assert.deepEqual(
      [SOCKS_VERSION, METHOD_NO_AUTH, METHOD_USER_PASS, METHOD_NONE_ACCEPTABLE, CMD_CONNECT, ATYP_IPV4, ATYP_DOMAIN, ATYP_IPV6],
      [5, 0, 2, 0xff, 1, 1, 3, 4],
    );
  });
});

describe('parseGreeting', () => {
  const all = Array.from({ length: 255 }, (_, i) => i);
  const VALID: ReadonlyArray<readonly [string, Buffer, number[]]> = [
    ['no auth', bytes(5, 1, 0), [0]],
    ['user/pass', bytes(5, 1, 2), [2]],
    ['both, in order', bytes(5, 2, 0, 2), [0, 2]],
    ['both, reversed', bytes(5, 2, 2, 0), [2, 0]],
    ['GSSAPI only', bytes(5, 1, 1), [1]],
    ['duplicates kept', bytes(5, 3, 2, 2, 0), [2, 2, 0]],
    ['0xff offered', bytes(5, 1, 0xff), [0xff]],
    ['255 methods', bytes(5, 255, all), all],
  ];
  for (const [label, message, methods] of VALID) {
    it(`parses ${label}`, () => {
      assert.deepEqual(parseGreeting(message), { methods, consumed: message.length });
    });
    it(`needs more for every prefix of ${label}`, () => assertPrefixesNeedMore(parseGreeting, message));
    it(`leaves trailing bytes of ${label}`, () => {
      const withRequest = bytes(message, 5, 1, 0, 1, 127, 0, 0, 1, 0, 80);
      assert.deepEqual(parseGreeting(withRequest), { methods, consumed: message.length });
    });
  }

  const HOSTILE: ReadonlyArray<readonly [string, Buffer, object]> = [
    ['SOCKS4', bytes(4, 1, 0, 80, 127, 0, 0, 1, 0), badRequest('SOCKS version 4 in greeting, expected 5')],
    ['SOCKS4 first byte alone', bytes(4), badRequest('SOCKS version 4 in greeting, expected 5')],
    ['HTTP', bytes('GET / HTTP/1.1\r\n'), badRequest('SOCKS version 71 in greeting, expected 5')],
    ['CONNECT', bytes('CONNECT a:443 HTTP/1.1\r\n'), badRequest('SOCKS version 67 in greeting, expected 5')],
    ['TLS hello', bytes(0x16, 3, 1, 0, 0xa5), badRequest('SOCKS version 22 in greeting, expected 5')],
    ['version 0', bytes(0), badRequest('SOCKS version 0 in greeting, expected 5')],
    ['version 255', bytes(0xff, 1, 0), badRequest('SOCKS version 255 in greeting, expected 5')],
    ['no methods', bytes(5, 0), badRequest('greeting offers no methods')],
    ['no methods, then more', bytes(5, 0, 0, 2), badRequest('greeting offers no methods')],
  ];
  for (const [label, message, expected] of HOSTILE) {
    it(`refuses ${label}`, () => assert.deepEqual(parseGreeting(message), expected));
  }
});

describe('parseUserPassAuth', () => {
  const VALID: ReadonlyArray<readonly [string, Buffer, string, string]> = [
    ['simple', bytes(1, 4, 'user', 4, 'pass'), 'user', 'pass'],
    ['one byte each', bytes(1, 1, 'u', 1, 'p'), 'u', 'p'],
    ['empty password', bytes(1, 1, 'u', 0), 'u', ''],
    ['targeting username', bytes(1, 25, 'user01-country-us-life-30', 6, 's3cret'), 'user01-country-us-life-30', 's3cret'],
    ['colon in both', bytes(1, 3, 'a:b', 3, 'c:d'), 'a:b', 'c:d'],
    ['UTF-8', bytes(1, 7, 'jürgen', 6, '密码'), 'jürgen', '密码'],
    ['255 bytes each', bytes(1, 255, 'u'.repeat(255), 255, 'p'.repeat(255)), 'u'.repeat(255), 'p'.repeat(255)],
    ['NUL kept (the account check refuses it)', bytes(1, 3, 'a\0b', 1, 'p'), 'a\0b', 'p'],
  ];
  for (const [label, message, username, password] of VALID) {
    it(`parses ${label}`, () => {
      assert.deepEqual(parseUserPassAuth(message), { username, password, consumed: message.length });
    });
    it(`needs more for every prefix of ${label}`, () => assertPrefixesNeedMore(parseUserPassAuth, message));
    it(`leaves trailing bytes of ${label}`, () => {
      assert.deepEqual(parseUserPassAuth(bytes(message, 5, 1, 0)), { username, password, consumed: message.length });
    });
  }

  const HOSTILE: ReadonlyArray<readonly [string, Buffer, object]> = [
    ['SOCKS version byte', bytes(5, 4, 'user', 4, 'pass'), badRequest('username/password version 5, expected 1')],
    ['version 0', bytes(0), badRequest('username/password version 0, expected 1')],
    ['version 2', bytes(2, 1, 'u', 1, 'p'), badRequest('username/password version 2, expected 1')],
    ['empty username', bytes(1, 0, 4, 'pass'), badRequest('empty username')],
    ['empty username, nothing after', bytes(1, 0), badRequest('empty username')],
    ['username not UTF-8', bytes(1, 2, [0xc3, 0x28], 1, 'p'), badRequest('username is not UTF-8')],
    ['password not UTF-8', bytes(1, 1, 'u', 2, [0xff, 0xfe]), badRequest('password is not UTF-8')],
    ['password a lone surrogate', bytes(1, 1, 'u', 3, [0xed, 0xa0, 0x80]), badRequest('password is not UTF-8')],
  ];
  for (const [label, message, expected] of HOSTILE) {
    it(`refuses ${label}`, () => assert.deepEqual(parseUserPassAuth(message), expected));
  }
});

describe('parseRequest', () => {
  const VALID: ReadonlyArray<readonly [string, Buffer, object]> = [
    [
      'CONNECT IPv4',
      bytes(5, 1, 0, 1, [93, 184, 216, 34], port(443)),
      { command: 1, host: '93.184.216.34', port: 443, addressType: 1 },
    ],
    ['IPv4 zeros', bytes(5, 1, 0, 1, [0, 0, 0, 0], port(0)), { command: 1, host: '0.0.0.0', port: 0, addressType: 1 }],
    [
      'IPv4 max',
      bytes(5, 1, 0, 1, [255, 255, 255, 255], port(65535)),
      { command: 1, host: '255.255.255.255', port: 65535, addressType: 1 },
    ],
    [
      'IPv6 loopback',
      bytes(5, 1, 0, 4, [...Array(15).fill(0), 1], port(80)),
      { command: 1, host: '::1', port: 80, addressType: 4 },
    ],
    ['IPv6 unspecified', bytes(5, 1, 0, 4, Array(16).fill(0), port(80)), { command: 1, host: '::', port: 80, addressType: 4 }],
    [
      'IPv6 documentation',
      bytes(5, 1, 0, 4, [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1], port(8080)),
      { command: 1, host: '2001:db8::1', port: 8080, addressType: 4 },
    ],
    ['domain', bytes(5, 1, 0, 3, 11, 'example.com', port(443)), { command: 1, host: 'example.com', port: 443, addressType: 3 }],
    ['one-byte domain', bytes(5, 1, 0, 3, 1, 'a', port(1)), { command: 1, host: 'a', port: 1, addressType: 3 }],
    [
      'domain kept as sent',
      bytes(5, 1, 0, 3, 15, 'WWW.Example.COM', port(80)),
      { command: 1, host: 'WWW.Example.COM', port: 80, addressType: 3 },
    ],
    [
      'domain holding an IP literal',
      bytes(5, 1, 0, 3, 9, '127.0.0.1', port(22)),
      { command: 1, host: '127.0.0.1', port: 22, addressType: 3 },
    ],
    [
      '255-byte domain',
      bytes(5, 1, 0, 3, 255, 'a'.repeat(255), port(443)),
      { command: 1, host: 'a'.repeat(255), port: 443, addressType: 3 },
    ],
    [
      'BIND returned as is',
      bytes(5, 2, 0, 1, [10, 0, 0, 1], port(21)),
      { command: 2, host: '10.0.0.1', port: 21, addressType: 1 },
    ],
    [
      'UDP ASSOCIATE returned as is',
      bytes(5, 3, 0, 1, [0, 0, 0, 0], port(0)),
      { command: 3, host: '0.0.0.0', port: 0, addressType: 1 },
    ],
    [
      'unknown command returned as is',
      bytes(5, 0xff, 0, 1, [1, 2, 3, 4], port(80)),
      { command: 255, host: '1.2.3.4', port: 80, addressType: 1 },
    ],
    [
      'RSV not zero is accepted',
      bytes(5, 1, 0xff, 1, [1, 2, 3, 4], port(80)),
      { command: 1, host: '1.2.3.4', port: 80, addressType: 1 },
    ],
    [
      'port byte order',
      bytes(5, 1, 0, 1, [1, 2, 3, 4], [0x01, 0x02]),
      { command: 1, host: '1.2.3.4', port: 258, addressType: 1 },
    ],
  ];
  for (const [label, message, expected] of VALID) {
    it(`parses ${label}`, () => assert.deepEqual(parseRequest(message), { ...expected, consumed: message.length }));
    it(`needs more for every prefix of ${label}`, () => assertPrefixesNeedMore(parseRequest, message));
    it(`leaves trailing bytes of ${label}`, () => {
      const withData = bytes(message, 'GET / HTTP/1.1\r\n\r\n');
      assert.deepEqual(parseRequest(withData), { ...expected, consumed: message.length });
    });
  }

  const unsupported = (atyp: number) => ({
    error: 'TG_ERR_PROXY_ADDRESS_UNSUPPORTED',
    reason: `address type ${atyp}`,
    reply: 0x08,
  });
  const HOSTILE: ReadonlyArray<readonly [string, Buffer, object]> = [
    ['SOCKS4 request', bytes(4, 1, 0, 80, 127, 0, 0, 1, 0), requestFault('SOCKS version 4 in request, expected 5')],
    ['version byte alone', bytes(0), requestFault('SOCKS version 0 in request, expected 5')],
    ['greeting again (version 1 auth)', bytes(1, 1, 'u', 1, 'p'), requestFault('SOCKS version 1 in request, expected 5')],
    ['ATYP 0', bytes(5, 1, 0, 0), unsupported(0)],
    ['ATYP 2', bytes(5, 1, 0, 2, [1, 2, 3, 4], port(80)), unsupported(2)],
    ['ATYP 5', bytes(5, 1, 0, 5), unsupported(5)],
    ['ATYP 255', bytes(5, 1, 0, 255, 1, 2, 3), unsupported(255)],
    ['empty domain', bytes(5, 1, 0, 3, 0, port(80)), requestFault('empty domain name')],
    ['empty domain, nothing after', bytes(5, 1, 0, 3, 0), requestFault('empty domain name')],
    ['NUL in domain', bytes(5, 1, 0, 3, 5, 'a\0b.c', port(80)), requestFault('domain name byte 0x00 is not printable ASCII')],
    ['CR LF in domain', bytes(5, 1, 0, 3, 5, 'a\r\nbc', port(80)), requestFault('domain name byte 0x0d is not printable ASCII')],
    ['space in domain', bytes(5, 1, 0, 3, 3, 'a b', port(80)), requestFault('domain name byte 0x20 is not printable ASCII')],
    ['DEL in domain', bytes(5, 1, 0, 3, 3, 'a\x7fb', port(80)), requestFault('domain name byte 0x7f is not printable ASCII')],
    ['UTF-8 domain', bytes(5, 1, 0, 3, 7, 'bücher', port(80)), requestFault('domain name byte 0xc3 is not printable ASCII')],
  ];
  for (const [label, message, expected] of HOSTILE) {
    it(`refuses ${label}`, () => assert.deepEqual(parseRequest(message), expected));
  }
});

/** Sixteen bytes from eight groups. */
const v6 = (...groups: number[]): number[] => groups.flatMap((g) => [g >> 8, g & 0xff]);
const hostOf = (addr: number[]): string => {
  const result = parseRequest(bytes(5, 1, 0, 4, addr, port(1)));
  assert.ok('host' in result);
  return result.host;
};

describe('IPv6 text (RFC 5952)', () => {
  const TABLE: ReadonlyArray<readonly [number[], string]> = [
    [v6(0, 0, 0, 0, 0, 0, 0, 0), '::'],
    [v6(0, 0, 0, 0, 0, 0, 0, 1), '::1'],
    [v6(1, 0, 0, 0, 0, 0, 0, 0), '1::'],
    [v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), '2001:db8::1'],
    // §4.1: leading zeros dropped; §4.3: lower case.
    [v6(0x2001, 0x0db8, 0x00aa, 0x000a, 0xabcd, 0xef00, 0x0001, 0x0010), '2001:db8:aa:a:abcd:ef00:1:10'],
    // §4.2.2: a single zero group is not compressed.
    [v6(0x2001, 0xdb8, 0, 1, 1, 1, 1, 1), '2001:db8:0:1:1:1:1:1'],
    [v6(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1), '2001:db8::1:0:0:1'],
    // §4.2.3: the longest run, the first of equals.
    [v6(0x2001, 0, 0, 1, 0, 0, 0, 1), '2001:0:0:1::1'],
    [v6(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1), '2001:db8::1:0:0:1'],
    [v6(1, 0, 0, 2, 0, 0, 3, 4), '1::2:0:0:3:4'],
    [v6(0, 0, 1, 0, 0, 0, 0, 0), '0:0:1::'],
    [v6(0, 1, 0, 1, 0, 1, 0, 1), '0:1:0:1:0:1:0:1'],
    [v6(0xfe80, 0, 0, 0, 0x1ff, 0xfe23, 0x4567, 0x890a), 'fe80::1ff:fe23:4567:890a'],
    [v6(0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff), 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    // §5: IPv4-mapped in mixed notation.
    [v6(0, 0, 0, 0, 0, 0xffff, 0x7f00, 1), '::ffff:127.0.0.1'],
    [v6(0, 0, 0, 0, 0, 0xffff, 0, 0), '::ffff:0.0.0.0'],
    [v6(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0280), '::ffff:192.0.2.128'],
    // Not mapped: ::ffff:0:0/96 only.
    [v6(0, 0, 0, 0, 0, 0xfffe, 0x7f00, 1), '::fffe:7f00:1'],
    [v6(0, 0, 0, 0, 1, 0xffff, 0x7f00, 1), '::1:ffff:7f00:1'],
    [v6(0, 0, 0, 0, 0, 0, 0x7f00, 1), '::7f00:1'],
  ];
  for (const [addr, text] of TABLE) {
    it(`formats ${text}`, () => assert.equal(hostOf(addr), text));
  }

  it('agrees with the WHATWG URL serializer on 20,000 random addresses with zero runs', () => {
    for (let i = 0; i < 20_000; i++) {
      // Mostly zero groups, so compression is exercised.
      const groups = Array.from({ length: 8 }, () => (Math.random() < 0.5 ? 0 : Math.floor(Math.random() * 0x10000)));
      const addr = v6(...groups);
      const text = hostOf(addr);
      assert.ok(isIPv6(text), text);
      const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
      if (!mapped) assert.equal(text, new URL(`http://[${text}]/`).hostname.slice(1, -1));
      // And reply() encodes it back to the same bytes.
      assert.deepEqual([...reply(0, { host: text, port: 1 }).subarray(4, 20)], addr, text);
    }
  });
});

describe('builders', () => {
  it('greetingReply', () => {
    assert.deepEqual([...greetingReply(METHOD_NO_AUTH)], [5, 0]);
    assert.deepEqual([...greetingReply(METHOD_USER_PASS)], [5, 2]);
    assert.deepEqual([...greetingReply(METHOD_NONE_ACCEPTABLE)], [5, 0xff]);
    assert.throws(() => greetingReply(256), RangeError);
    assert.throws(() => greetingReply(-1), RangeError);
    assert.throws(() => greetingReply(1.5), RangeError);
  });

  it('authReply', () => {
    assert.deepEqual([...authReply(true)], [1, 0]);
    assert.deepEqual([...authReply(false)], [1, 1]);
  });

  const REPLIES: ReadonlyArray<readonly [string, Buffer, number[]]> = [
    ['success, default bound', reply(0), [5, 0, 0, 1, 0, 0, 0, 0, 0, 0]],
    ['general failure', reply(0x01), [5, 1, 0, 1, 0, 0, 0, 0, 0, 0]],
    ['not allowed', reply(0x02), [5, 2, 0, 1, 0, 0, 0, 0, 0, 0]],
    ['command not supported', reply(0x07), [5, 7, 0, 1, 0, 0, 0, 0, 0, 0]],
    ['address type not supported', reply(0x08), [5, 8, 0, 1, 0, 0, 0, 0, 0, 0]],
    ['IPv4 bound', reply(0, { host: '192.0.2.10', port: 50000 }), [5, 0, 0, 1, 192, 0, 2, 10, 0xc3, 0x50]],
    ['IPv4 bound zeros', reply(0, { host: '0.0.0.0', port: 0 }), [5, 0, 0, 1, 0, 0, 0, 0, 0, 0]],
    ['IPv4 bound max', reply(0, { host: '255.255.255.255', port: 65535 }), [5, 0, 0, 1, 255, 255, 255, 255, 255, 255]],
    ['IPv6 loopback', reply(0, { host: '::1', port: 1080 }), [5, 0, 0, 4, ...v6(0, 0, 0, 0, 0, 0, 0, 1), 0x04, 0x38]],
    ['IPv6 unspecified', reply(0, { host: '::', port: 1 }), [5, 0, 0, 4, ...Array(16).fill(0), 0, 1]],
    [
      'IPv6 full',
      reply(0, { host: '2001:DB8:1:2:3:4:5:6', port: 2 }),
      [5, 0, 0, 4, ...v6(0x2001, 0xdb8, 1, 2, 3, 4, 5, 6), 0, 2],
    ],
    ['IPv6 trailing ::', reply(0, { host: 'fe80::', port: 2 }), [5, 0, 0, 4, ...v6(0xfe80, 0, 0, 0, 0, 0, 0, 0), 0, 2]],
    ['IPv6 middle ::', reply(0, { host: '1:2::7:8', port: 2 }), [5, 0, 0, 4, ...v6(1, 2, 0, 0, 0, 0, 7, 8), 0, 2]],
    ['IPv6 zone dropped', reply(0, { host: 'fe80::1%eth0', port: 3 }), [5, 0, 0, 4, ...v6(0xfe80, 0, 0, 0, 0, 0, 0, 1), 0, 3]],
    [
      'IPv4-mapped',
      reply(0, { host: '::ffff:192.0.2.1', port: 4 }),
      [5, 0, 0, 4, ...v6(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201), 0, 4],
    ],
    [
      'IPv6 with IPv4 tail',
      reply(0, { host: '64:ff9b::1.2.3.4', port: 5 }),
      [5, 0, 0, 4, ...v6(0x64, 0xff9b, 0, 0, 0, 0, 0x102, 0x304), 0, 5],
    ],
    ['domain', reply(0, { host: 'proxy.example', port: 1080 }), [5, 0, 0, 3, 13, ...Buffer.from('proxy.example'), 0x04, 0x38]],
  ];
  for (const [label, actual, expected] of REPLIES) {
    it(`reply: ${label}`, () => assert.deepEqual([...actual], expected));
  }

  it('reply refuses what it cannot encode', () => {
    assert.throws(() => reply(256), RangeError);
    assert.throws(() => reply(-1), RangeError);
    assert.throws(() => reply(0, { host: '1.2.3.4', port: 65536 }), RangeError);
    assert.throws(() => reply(0, { host: '1.2.3.4', port: -1 }), RangeError);
    assert.throws(() => reply(0, { host: '1.2.3.4', port: 1.5 }), RangeError);
    assert.throws(() => reply(0, { host: '', port: 1 }), RangeError);
    assert.throws(() => reply(0, { host: 'a'.repeat(256), port: 1 }), RangeError);
    assert.throws(() => reply(0, { host: 'bücher.example', port: 1 }), RangeError);
  });

  it('parseRequest reads back what reply writes (same layout, RFC 1928 §4 and §6)', () => {
    for (const host of ['10.1.2.3', '::1', '2001:db8::8:800:200c:417a', '::ffff:10.0.0.1', 'exit.example.net']) {
      const built = reply(0, { host, port: 4321 });
      const parsed = parseRequest(built);
      assert.ok('host' in parsed);
      assert.equal(parsed.host, host);
      assert.equal(parsed.port, 4321);
      assert.equal(parsed.consumed, built.length);
    }
  });
});

describe('random input', () => {
  it('never throws, and never consumes more than it was given', () => {
    // A fixed-seed generator, so a failure can be replayed.
    let seed = 0x5eed;
    const next = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 16;
    for (let i = 0; i < 20_000; i++) {
      const buf = Buffer.alloc(next() % 40);
      for (let j = 0; j < buf.length; j++) buf[j] = next() & 0xff;
      // Steer half the cases past the version byte.
      if (i % 2 === 0 && buf.length > 0) buf[0] = i % 4 === 0 ? 5 : 1;
      for (const parse of [parseGreeting, parseUserPassAuth, parseRequest]) {
        const result = parse(buf) as { consumed?: number };
        if (result.consumed !== undefined) assert.ok(result.consumed <= buf.length, buf.toString('hex'));
      }
    }
  });
});

describe('parseUdpDatagram (RFC 1928 §7)', () => {
  const VALID: ReadonlyArray<readonly [string, Buffer, object, string]> = [
    [
      'IPv4',
      bytes(0, 0, 0, 1, [93, 184, 216, 34], port(53), 'query'),
      { host: '93.184.216.34', port: 53, addressType: 1 },
      'query',
    ],
    [
      'IPv6',
      bytes(0, 0, 0, 4, [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1], port(443), 'x'),
      { host: '2001:db8::1', port: 443, addressType: 4 },
      'x',
    ],
    [
      'domain',
      bytes(0, 0, 0, 3, 11, 'example.com', port(123), [1, 2, 3]),
      { host: 'example.com', port: 123, addressType: 3 },
      '\x01\x02\x03',
    ],
    ['empty payload', bytes(0, 0, 0, 1, [1, 2, 3, 4], port(9)), { host: '1.2.3.4', port: 9, addressType: 1 }, ''],
    [
      'payload looking like a header',
      bytes(0, 0, 0, 1, [1, 2, 3, 4], port(9), [0, 0, 1, 1]),
      { host: '1.2.3.4', port: 9, addressType: 1 },
      '\x00\x00\x01\x01',
    ],
    ['port 65535', bytes(0, 0, 0, 1, [1, 2, 3, 4], port(65535), 'p'), { host: '1.2.3.4', port: 65535, addressType: 1 }, 'p'],
    [
      '255-byte domain',
      bytes(0, 0, 0, 3, 255, 'a'.repeat(255), port(1), 'd'),
      { host: 'a'.repeat(255), port: 1, addressType: 3 },
      'd',
    ],
  ];
  for (const [label, datagram, address, payload] of VALID) {
    it(`parses ${label}`, () => {
      const r = parseUdpDatagram(datagram);
      assert.ok('data' in r, JSON.stringify(r));
      const { data, ...rest } = r;
      assert.deepEqual(rest, address);
      assert.equal(data.toString('latin1'), payload);
      // DATA is a view of the datagram, not a copy.
      assert.equal(data.buffer, datagram.buffer);
    });
  }

  const bad = (reason: string) => ({ error: 'TG_ERR_PROXY_BAD_REQUEST', reason });
  const HOSTILE: ReadonlyArray<readonly [string, Buffer, object]> = [
    ['empty', bytes(), bad('datagram of 0 bytes is shorter than a header')],
    ['three bytes', bytes(0, 0, 0), bad('datagram of 3 bytes is shorter than a header')],
    ['fragment 1', bytes(0, 0, 1, 1, [1, 2, 3, 4], port(53), 'x'), bad('fragment 1 (fragmented datagrams are not relayed)')],
    [
      'last fragment (high bit)',
      bytes(0, 0, 0x81, 1, [1, 2, 3, 4], port(53)),
      bad('fragment 129 (fragmented datagrams are not relayed)'),
    ],
    ['RSV not zero', bytes(0, 1, 0, 1, [1, 2, 3, 4], port(53)), bad('datagram RSV is not zero')],
    ['a SOCKS request instead', bytes(5, 1, 0, 1, [1, 2, 3, 4], port(53)), bad('datagram RSV is not zero')],
    ['a DNS query sent raw', bytes([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0]), bad('datagram RSV is not zero')],
    [
      'ATYP 0',
      bytes(0, 0, 0, 0, [1, 2, 3, 4], port(53)),
      { error: 'TG_ERR_PROXY_ADDRESS_UNSUPPORTED', reason: 'address type 0' },
    ],
    [
      'ATYP 2',
      bytes(0, 0, 0, 2, [1, 2, 3, 4], port(53)),
      { error: 'TG_ERR_PROXY_ADDRESS_UNSUPPORTED', reason: 'address type 2' },
    ],
    ['ATYP 255', bytes(0, 0, 0, 255), { error: 'TG_ERR_PROXY_ADDRESS_UNSUPPORTED', reason: 'address type 255' }],
    ['IPv4 cut short', bytes(0, 0, 0, 1, [1, 2, 3]), bad('datagram header is cut short')],
    ['IPv4 without port', bytes(0, 0, 0, 1, [1, 2, 3, 4], 0), bad('datagram header is cut short')],
    ['IPv6 cut short', bytes(0, 0, 0, 4, Array(15).fill(0)), bad('datagram header is cut short')],
    ['domain length only', bytes(0, 0, 0, 3), bad('datagram header is cut short')],
    ['domain longer than the datagram', bytes(0, 0, 0, 3, 200, 'short', port(53)), bad('datagram header is cut short')],
    ['empty domain', bytes(0, 0, 0, 3, 0, port(53)), bad('empty domain name')],
    ['NUL in domain', bytes(0, 0, 0, 3, 3, 'a\0b', port(53)), bad('domain name byte 0x00 is not printable ASCII')],
    ['newline in domain', bytes(0, 0, 0, 3, 3, 'a\nb', port(53)), bad('domain name byte 0x0a is not printable ASCII')],
    ['port 0', bytes(0, 0, 0, 1, [1, 2, 3, 4], port(0), 'x'), bad('datagram to port 0')],
  ];
  for (const [label, datagram, expected] of HOSTILE) {
    it(`refuses ${label}`, () => assert.deepEqual(parseUdpDatagram(datagram), expected));
  }

  it('refuses every strict prefix of a header, and never throws on random bytes', () => {
    const header = bytes(0, 0, 0, 3, 11, 'example.com', port(53));
    for (let n = 0; n < header.length; n++) assert.ok('error' in parseUdpDatagram(header.subarray(0, n)), `prefix of ${n}`);
    for (let i = 0; i < 5000; i++) {
      const random = Buffer.from(Array.from({ length: Math.floor(Math.random() * 40) }, () => Math.floor(Math.random() * 256)));
      const r = parseUdpDatagram(random);
      assert.ok('error' in r || 'data' in r);
    }
  });
});

describe('udpHeader', () => {
  const TABLE: ReadonlyArray<readonly [string, number, number[]]> = [
    ['93.184.216.34', 53, [0, 0, 0, 1, 93, 184, 216, 34, 0, 53]],
    ['2001:db8::1', 443, [0, 0, 0, 4, 0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1, 1, 0xbb]],
    ['example.com', 123, [0, 0, 0, 3, 11, ...Buffer.from('example.com'), 0, 123]],
  ];
  for (const [host, p, expected] of TABLE) {
    it(`encodes ${host}:${p} and parses back`, () => {
      const header = udpHeader(host, p);
      assert.deepEqual([...header], expected);
      const back = parseUdpDatagram(Buffer.concat([header, Buffer.from('payload')]));
      assert.ok('data' in back);
      assert.deepEqual([back.host, back.port, back.data.toString()], [host, p, 'payload']);
    });
  }
  it('throws on what cannot be encoded', () => {
    assert.throws(() => udpHeader('a'.repeat(256), 1), RangeError);
    assert.throws(() => udpHeader('1.2.3.4', 70_000), RangeError);
  });
});
