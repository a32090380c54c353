import assert from 'node:assert/strict';
import { once } from 'node:events';
import net, { type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../config/index.js';
import { AppError, ERRORS } from '../errors/index.js';
import { startsConnect } from './connect-head.js';
import type { GatewayAccount } from './gateway.types.js';
import { Gateway } from './server.js';

const AUTH = `Basic ${Buffer.from('user1:pass1').toString('base64')}`;
const BAD_AUTH = `Basic ${Buffer.from('user1:wrong').toString('base64')}`;

/** Writes `parts` one by one (a pause between them, so they arrive as separate reads) and collects the answer. */
async function exchange(port: number, parts: readonly string[], until: (text: string) => boolean): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let text = '';
  const done = new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      if (until(text)) resolve();
    });
    socket.on('close', () => resolve());
  });
  for (const part of parts) {
    socket.write(part);
    await new Promise((r) => setTimeout(r, 30));
  }
  await done;
  socket.destroy();
  return text;
}

describe('CONNECT read by hand (connect-head.ts)', () => {
  let echo: net.Server;
  let echoPort: number;
  let gateway: Gateway;
  let port: number;
  let charged = 0;

  before(async () => {
    echo = net.createServer((s) => s.on('data', (c: Buffer) => s.write(c)));
    echo.listen(0, '127.0.0.1');
    await once(echo, 'listening');
    echoPort = (echo.address() as AddressInfo).port;
    const account: GatewayAccount = {
      accountId: 1,
      userId: 1,
      productType: 9,
      maxTunnels: 100,
      maxUserTunnels: 100,
      charge: (n) => {
        charged += n;
        return true;
      },
      shaper: undefined,
      udp: false,
      admit: () => {},
      leave: () => {},
    };
    gateway = new Gateway({
      config: loadConfig({ TOLLGATE_PROXY_HOST: '127.0.0.1', TOLLGATE_PROXY_PORT: '0', TOLLGATE_MAX_HEADER_BYTES: '2048' })
        .gateway,
      accounts: {
        authenticate: async (name, password) => {
          if (name !== 'user1' || password !== 'pass1') throw new AppError('TG_ERR_PROXY_AUTH_FAILED');
          return account;
        },
      },
      exits: {
        connect: async (_route, target) => {
          const socket: Socket = net.connect(target.port, target.host);
          await once(socket, 'connect');
          return { socket, nodeId: 1 };
        },
        udpExit: () => {
          throw new AppError('TG_ERR_PROXY_NO_EXIT', { params: { reason: 'no UDP here' } });
        },
      },
      productTypes: [9],
      logger: pino({ level: 'silent' }),
    });
    port = (await gateway.listen()).port;
  });

  after(async () => {
    await gateway.close();
    echo.close();
  });

  it('recognises only a request line starting "CONNECT "', () => {
    assert.equal(startsConnect(Buffer.from('CONNECT a:1 HTTP/1.1\r\n')), true);
    assert.equal(startsConnect(Buffer.from('CONNECT')), false);
    assert.equal(startsConnect(Buffer.from('connect a:1 HTTP/1.1\r\n')), false);
    assert.equal(startsConnect(Buffer.from('GET http://a/ HTTP/1.1\r\n')), false);
  });

  it('tunnels a head split over several reads, relaying and billing the bytes sent with its end', async () => {
    charged = 0;
    const text = await exchange(
      port,
      ['CONNECT 127.0.0.1:', `${echoPort} HTTP/1.1\r\nHost: x\r\nProxy-Authorization: ${AUTH}\r`, '\n\r\nearly', '+later'],
      (t) => t.endsWith('early+later'),
    );
    assert.equal(text, 'HTTP/1.1 200 Connection Established\r\n\r\nearly+later');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(charged, 2 * 'early+later'.length);
  });

  it('refuses wrong credentials with 407 and the catalogued code', async () => {
    const text = await exchange(
      port,
      [`CONNECT 127.0.0.1:${echoPort} HTTP/1.1\r\nProxy-Authorization: ${BAD_AUTH}\r\n\r\n`],
      (t) => t.includes('\r\n\r\n') && t.endsWith('\n'),
    );
    assert.match(text, /^HTTP\/1\.1 407 /);
    assert.match(text, new RegExp(`X-Tollgate-Error: ${ERRORS.TG_ERR_PROXY_AUTH_FAILED.code}\r\n`));
  });

  it('leaves a head it does not read whole to Node’s parser (llhttp’s answer)', async () => {
    const text = await exchange(
      port,
      [`CONNECT 127.0.0.1:${echoPort} HTTP/1.1\r\nProxy-Authorization : ${AUTH}\r\n\r\n`],
      (t) => t.includes('\r\n\r\n') && t.endsWith('\n'),
    );
    assert.match(text, /^HTTP\/1\.1 400 /);
    assert.match(text, new RegExp(`X-Tollgate-Error: ${ERRORS.TG_ERR_PROXY_BAD_REQUEST.code}\r\n`));
    assert.match(text, /HPE_/);
  });

  it('answers an oversized CONNECT head as Node’s parser does', async () => {
    const text = await exchange(
      port,
      [`CONNECT 127.0.0.1:${echoPort} HTTP/1.1\r\nX-Pad: ${'a'.repeat(4096)}\r\n\r\n`],
      (t) => t.includes('\r\n\r\n') && t.endsWith('\n'),
    );
    assert.match(text, new RegExp(`X-Tollgate-Error: ${ERRORS.TG_ERR_PROXY_HEADER_TOO_LARGE.code}\r\n`));
  });
});
