/**
 * Dialing through each kind of exit over real loopback sockets: a target that
 * greets with the address it sees and then echoes, an upstream HTTP CONNECT
 * proxy and an upstream SOCKS5 server started here, and the target policy.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import ipaddr from 'ipaddr.js';
import { SocksClient } from 'socks';
import { AppError } from '../src/errors/index.js';
import { dial, isExitFault, type NodeEndpoint, parseNodeUrl, TargetPolicy } from '../src/pool/index.js';

const open = new TargetPolicy({ allowPrivateTargets: true, blockedPorts: [25], localAddresses: [] });
const strict = new TargetPolicy({ allowPrivateTargets: false, blockedPorts: [25], localAddresses: [] });
const TIMEOUT = 5000;

function endpoint(url: string): NodeEndpoint {
  const parsed = parseNodeUrl(url);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.endpoint;
}

const connections = new WeakMap<Server, Set<Socket>>();

async function listen(server: Server): Promise<number> {
  const live = new Set<Socket>();
  connections.set(server, live);
  server.on('connection', (socket: Socket) => {
    live.add(socket);
    socket.on('close', () => live.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Closes the server and every connection it still has. */
async function close(server: Server): Promise<void> {
  const closed = once(server, 'close');
  server.close();
  for (const socket of connections.get(server) ?? []) socket.destroy();
  await closed;
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  server.close();
  await once(server, 'close');
  return port;
}

/** Everything read from `socket` up to the first "\n" (failing after 5 s without one). */
async function readLine(socket: Socket): Promise<string> {
  let text = '';
  const signal = AbortSignal.timeout(TIMEOUT);
  for (let i = 0; i < 100 && !text.includes('\n'); i++) {
    const [chunk] = (await once(socket, 'data', { signal })) as [Buffer];
    text += chunk.toString();
  }
  return text;
}

async function expectError(promise: Promise<unknown>, key: string): Promise<AppError> {
  const err = await promise.then(
    () => assert.fail(`expected ${key}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof AppError, `expected an AppError, got ${String(err)}`);
  assert.equal(err.key, key, err.message);
  return err;
}

/** Greets with `hello <address it sees>`, then echoes; counts connections. */
class EchoTarget {
  connections = 0;
  port = 0;
  readonly server = createServer((socket) => {
    this.connections++;
    socket.on('error', () => {});
    socket.write(`hello ${socket.remoteAddress}\n`);
    socket.pipe(socket);
  });
  async start(): Promise<this> {
    this.port = await listen(this.server);
    return this;
  }
}

/** Relays once the target has spoken, sending `reply` and its first bytes in one write (so they share a segment). */
function relay(client: Socket, host: string, port: number, reply: Buffer, refused: () => void): void {
  const target = connect({ host, port });
  target.on('error', refused);
  target.once('data', (first: Buffer) => {
    client.write(Buffer.concat([reply, first]));
    target.pipe(client);
    client.pipe(target);
  });
  client.on('close', () => target.destroy());
}

/** An upstream HTTP proxy: CONNECT only; 407 without the right Basic credentials when it has some; 502 when the target refuses. */
class HttpProxy {
  readonly requests: string[] = [];
  port = 0;
  readonly server = createServer((client) => {
    client.on('error', () => {});
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      client.off('data', onData);
      this.requests.push(head.slice(0, end));
      const authority = /^CONNECT (\S+) HTTP\/1\.1\r\n/.exec(head)?.[1] ?? ':0';
      const auth = /\r\nProxy-Authorization: Basic (\S+)/i.exec(head)?.[1];
      if (this.credentials !== undefined && auth !== Buffer.from(this.credentials).toString('base64')) {
        client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n');
        return;
      }
      const colon = authority.lastIndexOf(':');
      const host = authority.slice(0, colon).replace(/^\[|\]$/g, '');
      relay(client, host, Number(authority.slice(colon + 1)), Buffer.from('HTTP/1.1 200 Connection established\r\n\r\n'), () =>
        client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'),
      );
    };
    client.on('data', onData);
  });
  constructor(private readonly credentials?: string) {}
  async start(): Promise<this> {
    this.port = await listen(this.server);
    return this;
  }
}

/** A SOCKS5 server (RFC 1928 CONNECT, RFC 1929 auth when it has credentials); resolves names itself. */
class Socks5Server {
  readonly requests: Array<{ atyp: number; host: string; port: number }> = [];
  port = 0;
  readonly server = createServer((client) => {
    client.on('error', () => {});
    let buffered = Buffer.alloc(0);
    let stage: 'greeting' | 'auth' | 'request' | 'done' = 'greeting';
    const step = (): number => {
      const b = buffered;
      if (stage === 'greeting') {
        if (b.length < 2 || b.length < 2 + b[1]!) return 0;
        const methods = [...b.subarray(2, 2 + b[1]!)];
        const wanted = this.credentials ? 0x02 : 0x00;
        if (b[0] !== 5 || !methods.includes(wanted)) {
          client.end(Buffer.from([5, 0xff]));
          stage = 'done';
          return b.length;
        }
        client.write(Buffer.from([5, wanted]));
        stage = this.credentials ? 'auth' : 'request';
        return 2 + b[1]!;
      }
      if (stage === 'auth') {
        if (b.length < 2 || b.length < 3 + b[1]! || b.length < 3 + b[1]! + b[2 + b[1]!]!) return 0;
        const ulen = b[1]!;
        const plen = b[2 + ulen]!;
        const user = b.subarray(2, 2 + ulen).toString();
        const pass = b.subarray(3 + ulen, 3 + ulen + plen).toString();
        const ok = user === this.credentials?.[0] && pass === this.credentials?.[1];
        if (!ok) {
          client.end(Buffer.from([1, 1]));
          stage = 'done';
          return b.length;
        }
        client.write(Buffer.from([1, 0]));
        stage = 'request';
        return 3 + ulen + plen;
      }
      if (stage === 'request') {
        if (b.length < 5) return 0;
        const atyp = b[3]!;
        const addrLength = atyp === 1 ? 4 : atyp === 4 ? 16 : 1 + b[4]!;
        if (b.length < 4 + addrLength + 2) return 0;
        const addr = b.subarray(4, 4 + addrLength);
        const host = atyp === 3 ? addr.subarray(1).toString() : ipaddr.fromByteArray([...addr]).toString();
        const port = b.readUInt16BE(4 + addrLength);
        this.requests.push({ atyp, host, port });
        stage = 'done';
        client.off('data', onData);
        relay(client, host, port, Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0x1f, 0x90]), () =>
          client.end(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0])),
        );
        return b.length;
      }
      return 0;
    };
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      for (let used = step(); used > 0 && stage !== 'done'; used = step()) buffered = buffered.subarray(used);
    };
    client.on('data', onData);
  });
  constructor(private readonly credentials?: [string, string]) {}
  async start(): Promise<this> {
    this.port = await listen(this.server);
    return this;
  }
}

/** Accepts connections and never says a word. */
class SilentServer {
  readonly sockets: Socket[] = [];
  port = 0;
  readonly server = createServer((socket) => {
    socket.on('error', () => {});
    // Read (and drop) whatever comes, so the peer's FIN is seen and 'close' follows.
    socket.resume();
    this.sockets.push(socket);
  });
  async start(): Promise<this> {
    this.port = await listen(this.server);
    return this;
  }
}

describe('exit dialers', () => {
  let target: EchoTarget;
  let proxy: HttpProxy;
  let authProxy: HttpProxy;
  let socks: Socks5Server;
  let authSocks: Socks5Server;
  let silent: SilentServer;

  before(async () => {
    target = await new EchoTarget().start();
    proxy = await new HttpProxy().start();
    authProxy = await new HttpProxy('alice:s3cret').start();
    socks = await new Socks5Server().start();
    authSocks = await new Socks5Server(['bob', 'pa:ss']).start();
    silent = await new SilentServer().start();
  });
  after(async () => {
    for (const s of [target, proxy, authProxy, socks, authSocks, silent]) await close(s.server);
  });

  const to = (host = '127.0.0.1') => ({ host, port: target.port });

  it('dials direct: the socket reaches the target, nothing read yet', async () => {
    const socket = await dial(endpoint('direct://'), to(), { timeoutMs: TIMEOUT, policy: open });
    try {
      assert.equal(await readLine(socket), 'hello 127.0.0.1\n');
      socket.write('ping\n');
      assert.equal(await readLine(socket), 'ping\n');
    } finally {
      socket.destroy();
    }
  });

  it('dials direct from the bound local address: the target sees 127.0.0.2, then 127.0.0.3', async () => {
    for (const local of ['127.0.0.2', '127.0.0.3']) {
      const socket = await dial(endpoint(`direct://${local}`), to(), { timeoutMs: TIMEOUT, policy: open });
      assert.equal(await readLine(socket), `hello ${local}\n`);
      socket.destroy();
    }
  });

  it('resolves names for direct exits', async () => {
    const socket = await dial(endpoint('direct://'), to('localhost'), { timeoutMs: TIMEOUT, policy: open });
    assert.match(await readLine(socket), /^hello (127\.0\.0\.1|::1)\n$/);
    socket.destroy();
  });

  it('chains through an upstream HTTP proxy, keeping the bytes that arrive with its 200', async () => {
    const socket = await dial(endpoint(`http://127.0.0.1:${proxy.port}`), to(), { timeoutMs: TIMEOUT, policy: open });
    try {
      // The target's greeting came in the same write as the 200: it is already buffered, and still readable.
      assert.ok(socket.readableLength > 0, 'bytes after the response head are kept');
      assert.equal(await readLine(socket), 'hello 127.0.0.1\n');
      socket.write('through http\n');
      assert.equal(await readLine(socket), 'through http\n');
      assert.equal(proxy.requests.at(-1), `CONNECT 127.0.0.1:${target.port} HTTP/1.1\r\nHost: 127.0.0.1:${target.port}`);
    } finally {
      socket.destroy();
    }
  });

  it('hands the upstream socket over so pipe() gets every byte too', async () => {
    const socket = await dial(endpoint(`http://127.0.0.1:${proxy.port}`), to(), { timeoutMs: TIMEOUT, policy: open });
    const sink = createServer();
    const sinkPort = await listen(sink);
    const out = connect({ host: '127.0.0.1', port: sinkPort });
    try {
      const [[peer]] = (await Promise.all([once(sink, 'connection'), once(out, 'connect')])) as [[Socket], unknown];
      socket.pipe(out);
      assert.equal(await readLine(peer), 'hello 127.0.0.1\n');
    } finally {
      socket.destroy();
      out.destroy();
      await close(sink);
    }
  });

  it('sends Basic credentials to an upstream that wants them; wrong ones are the exit’s failure', async () => {
    const good = await dial(endpoint(`http://alice:s3cret@127.0.0.1:${authProxy.port}`), to(), {
      timeoutMs: TIMEOUT,
      policy: open,
    });
    assert.equal(await readLine(good), 'hello 127.0.0.1\n');
    good.destroy();
    assert.match(authProxy.requests.at(-1) ?? '', /\r\nProxy-Authorization: Basic YWxpY2U6czNjcmV0$/);

    for (const url of [`http://alice:wrong@127.0.0.1:${authProxy.port}`, `http://127.0.0.1:${authProxy.port}`]) {
      const err = await expectError(dial(endpoint(url), to(), { timeoutMs: TIMEOUT, policy: open }), 'TG_ERR_UPSTREAM_FAILED');
      assert.match(err.message, /answered 407/);
      assert.equal(isExitFault(err), true);
    }
  });

  it('reports an upstream refusal of the target as the target’s failure', async () => {
    const port = await closedPort();
    const err = await expectError(
      dial(endpoint(`http://127.0.0.1:${proxy.port}`), { host: '127.0.0.1', port }, { timeoutMs: TIMEOUT, policy: open }),
      'TG_ERR_UPSTREAM_FAILED',
    );
    assert.match(err.message, /answered 502/);
    assert.equal(isExitFault(err), false);
  });

  it('the test SOCKS5 server speaks RFC 1928 to an independent client (the socks package)', async () => {
    const { socket } = await SocksClient.createConnection({
      proxy: { host: '127.0.0.1', port: authSocks.port, type: 5, userId: 'bob', password: 'pa:ss' },
      command: 'connect',
      destination: { host: '127.0.0.1', port: target.port },
    });
    assert.equal(await readLine(socket), 'hello 127.0.0.1\n');
    socket.destroy();
  });

  it('chains through an upstream SOCKS5 server, names left for it to resolve, early bytes kept', async () => {
    const socket = await dial(endpoint(`socks5://127.0.0.1:${socks.port}`), to('localhost'), {
      timeoutMs: TIMEOUT,
      policy: open,
    });
    try {
      assert.ok(socket.readableLength > 0, 'bytes after the reply are kept');
      assert.equal(await readLine(socket), 'hello 127.0.0.1\n');
      socket.write('through socks\n');
      assert.equal(await readLine(socket), 'through socks\n');
      assert.deepEqual(socks.requests.at(-1), { atyp: 3, host: 'localhost', port: target.port });
    } finally {
      socket.destroy();
    }
    const v4 = await dial(endpoint(`socks5://127.0.0.1:${socks.port}`), to('127.0.0.1'), { timeoutMs: TIMEOUT, policy: open });
    v4.destroy();
    assert.deepEqual(socks.requests.at(-1), { atyp: 1, host: '127.0.0.1', port: target.port });
  });

  it('authenticates to a SOCKS5 upstream with username/password; wrong ones are the exit’s failure', async () => {
    const good = await dial(endpoint(`socks5://bob:pa%3Ass@127.0.0.1:${authSocks.port}`), to(), {
      timeoutMs: TIMEOUT,
      policy: open,
    });
    assert.equal(await readLine(good), 'hello 127.0.0.1\n');
    good.destroy();

    const wrong = await expectError(
      dial(endpoint(`socks5://bob:nope@127.0.0.1:${authSocks.port}`), to(), { timeoutMs: TIMEOUT, policy: open }),
      'TG_ERR_UPSTREAM_FAILED',
    );
    assert.match(wrong.message, /refused our credentials/);
    assert.equal(isExitFault(wrong), true);
    const none = await expectError(
      dial(endpoint(`socks5://127.0.0.1:${authSocks.port}`), to(), { timeoutMs: TIMEOUT, policy: open }),
      'TG_ERR_UPSTREAM_FAILED',
    );
    assert.match(none.message, /accepts none of our authentication methods/);
  });

  it('maps a SOCKS5 refusal reply to CONNECT_REFUSED, the target’s failure', async () => {
    const port = await closedPort();
    const err = await expectError(
      dial(endpoint(`socks5://127.0.0.1:${socks.port}`), { host: '127.0.0.1', port }, { timeoutMs: TIMEOUT, policy: open }),
      'TG_ERR_UPSTREAM_CONNECT_REFUSED',
    );
    assert.equal(isExitFault(err), false);
  });

  describe('target policy', () => {
    it('refuses a loopback target by default, before connecting', async () => {
      const before = target.connections;
      const err = await expectError(
        dial(endpoint('direct://'), to(), { timeoutMs: TIMEOUT, policy: strict }),
        'TG_ERR_PROXY_TARGET_BLOCKED',
      );
      assert.equal(err.message, 'Target not allowed: 127.0.0.1 is a loopback address');
      await expectError(
        dial(endpoint('direct://'), to('::ffff:127.0.0.1'), { timeoutMs: TIMEOUT, policy: strict }),
        'TG_ERR_PROXY_TARGET_BLOCKED',
      );
      assert.equal(target.connections, before);
    });

    it('checks the address a name resolves to: localhost is refused like 127.0.0.1', async () => {
      const before = target.connections;
      const err = await expectError(
        dial(endpoint('direct://'), to('localhost'), { timeoutMs: TIMEOUT, policy: strict }),
        'TG_ERR_PROXY_TARGET_BLOCKED',
      );
      assert.match(err.message, /is a loopback address/);
      assert.equal(target.connections, before, 'the target never saw a connection');
    });

    it('refuses blocked ports even when private targets are allowed', async () => {
      const err = await expectError(
        dial(endpoint('direct://'), { host: '127.0.0.1', port: 25 }, { timeoutMs: TIMEOUT, policy: open }),
        'TG_ERR_PROXY_TARGET_BLOCKED',
      );
      assert.match(err.message, /port 25 is blocked/);
      await expectError(
        dial(
          endpoint(`http://127.0.0.1:${proxy.port}`),
          { host: 'mail.example.com', port: 25 },
          { timeoutMs: TIMEOUT, policy: strict },
        ),
        'TG_ERR_PROXY_TARGET_BLOCKED',
      );
    });

    it("refuses the gateway's own port on local addresses even when private targets are allowed", async () => {
      const guarded = new TargetPolicy({
        allowPrivateTargets: true,
        blockedPorts: [],
        own: [{ host: '0.0.0.0', port: target.port }],
        localAddresses: [],
      });
      const before = target.connections;
      for (const host of ['127.0.0.1', '127.0.0.2', 'localhost']) {
        const err = await expectError(
          dial(endpoint('direct://'), to(host), { timeoutMs: TIMEOUT, policy: guarded }),
          'TG_ERR_PROXY_TARGET_BLOCKED',
        );
        assert.match(err.message, /is this gateway/);
      }
      assert.equal(target.connections, before);
    });

    it('through an upstream: IP literals are checked here, names go to the upstream to resolve', async () => {
      const asked = proxy.requests.length;
      await expectError(
        dial(endpoint(`http://127.0.0.1:${proxy.port}`), to('127.0.0.1'), { timeoutMs: TIMEOUT, policy: strict }),
        'TG_ERR_PROXY_TARGET_BLOCKED',
      );
      assert.equal(proxy.requests.length, asked, 'the upstream was not asked');
      const socket = await dial(endpoint(`http://127.0.0.1:${proxy.port}`), to('localhost'), {
        timeoutMs: TIMEOUT,
        policy: strict,
      });
      socket.destroy();
      assert.match(proxy.requests.at(-1) ?? '', /^CONNECT localhost:/);
    });

    it('refuses malformed target names before anything is sent', async () => {
      const err = await expectError(
        dial(endpoint(`http://127.0.0.1:${proxy.port}`), to('a\r\nX-Injected: 1'), { timeoutMs: TIMEOUT, policy: open }),
        'TG_ERR_PROXY_TARGET_BLOCKED',
      );
      assert.match(err.message, /not a valid host name/);
    });
  });

  describe('failures', () => {
    it('maps a refused connection to CONNECT_REFUSED: the target’s failure direct, the exit’s through a dead upstream', async () => {
      const port = await closedPort();
      const direct = await expectError(
        dial(endpoint('direct://'), { host: '127.0.0.1', port }, { timeoutMs: TIMEOUT, policy: open }),
        'TG_ERR_UPSTREAM_CONNECT_REFUSED',
      );
      assert.equal(isExitFault(direct), false);
      for (const url of [`http://127.0.0.1:${port}`, `socks5://127.0.0.1:${port}`]) {
        const err = await expectError(
          dial(endpoint(url), to(), { timeoutMs: TIMEOUT, policy: open }),
          'TG_ERR_UPSTREAM_CONNECT_REFUSED',
        );
        assert.equal(isExitFault(err), true, url);
      }
    });

    it('maps a name that does not resolve to DNS_FAILED', async () => {
      await expectError(
        dial(endpoint('direct://'), { host: 'no-such-host.invalid', port: 80 }, { timeoutMs: TIMEOUT, policy: open }),
        'TG_ERR_UPSTREAM_DNS_FAILED',
      );
    });

    it('times out on an upstream that never answers CONNECT, and closes the connection to it', async () => {
      const started = Date.now();
      const [err] = await Promise.all([
        expectError(
          dial(endpoint(`http://127.0.0.1:${silent.port}`), to(), { timeoutMs: 200, policy: open }),
          'TG_ERR_UPSTREAM_TIMEOUT',
        ),
        once(silent.server, 'connection').then(([peer]) => once(peer as Socket, 'close')),
      ]);
      assert.ok(Date.now() - started < 3000, 'within a generous bound of the 200 ms timeout');
      // The upstream accepted: the exit itself answered nothing, yet it was reached, so this is not the exit's fault.
      assert.equal(isExitFault(err), false);
    });

    it('times out on a SOCKS5 upstream that never answers the greeting: the exit’s failure', async () => {
      const err = await expectError(
        dial(endpoint(`socks5://127.0.0.1:${silent.port}`), to(), { timeoutMs: 200, policy: open }),
        'TG_ERR_UPSTREAM_TIMEOUT',
      );
      assert.equal(isExitFault(err), true);
    });

    it('aborts on the signal: rejects with its reason and destroys the socket', async () => {
      const controller = new AbortController();
      const reason = new Error('client went away');
      const dialing = dial(endpoint(`http://127.0.0.1:${silent.port}`), to(), {
        signal: controller.signal,
        timeoutMs: TIMEOUT,
        policy: open,
      });
      const [peer] = (await once(silent.server, 'connection')) as [Socket];
      const closed = once(peer, 'close');
      controller.abort(reason);
      await assert.rejects(dialing, (err) => err === reason);
      await closed;
    });

    it('rejects at once when the signal has already aborted', async () => {
      const before = target.connections;
      await assert.rejects(
        dial(endpoint('direct://'), to(), { signal: AbortSignal.abort(), timeoutMs: TIMEOUT, policy: open }),
        (err: Error) => err.name === 'AbortError',
      );
      assert.equal(target.connections, before);
    });

    it('fails an exit whose local address cannot be bound, as the exit’s fault', async () => {
      // 192.0.2.1 (TEST-NET-1) is on no interface here.
      const err = await expectError(
        dial(endpoint('direct://192.0.2.1'), to(), { timeoutMs: TIMEOUT, policy: open }),
        'TG_ERR_UPSTREAM_FAILED',
      );
      assert.match(err.message, /EADDRNOTAVAIL/);
      assert.equal(isExitFault(err), true);
    });
  });
});
