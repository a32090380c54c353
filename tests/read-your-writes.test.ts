/**
 * What the API answers, the gateway honours at once — with the change feed's timer set to a minute, so nothing
 * here can lean on it:
 * - in one process (`tollgate serve`'s wiring: startApi beside startGateway), an answer is sent only once the
 *   gateway has applied what the request committed: a new account, an enabled one, a lease, a white IP;
 * - across processes (an API the gateway does not run beside), an extraction port re-reads a lease or a white
 *   IP it does not know from the database before refusing;
 * - behind the feed, every held account is re-read every TOLLGATE_ACCOUNT_REVALIDATE_MS: a change the feed never
 *   delivered (a row changed by hand) is still enforced.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import pino from 'pino';
import { SocksClient } from 'socks';
import { loadConfig, resolveSecrets } from '../src/config/index.js';
import { openPlatform, type Platform, type RunningGateway, type RunningServer, startApi, startGateway } from '../src/main.js';
import {
  closedWithin,
  connectTunnel,
  createProxyAccount,
  exitAddress,
  freePortRange,
  type GatewayPlatform,
  startEcho,
  startGatewayPlatform,
  startHttpTarget,
  type Target,
} from './helpers/gateway.js';
import { call } from './helpers/platform.js';

/** Milliseconds until `closed` resolves, or Infinity after 10 s. */
const within = (closed: Promise<number>) => Promise.race([closed, delay(10_000, Number.POSITIVE_INFINITY)]);

async function http(api: RunningServer, method: string, path: string, body?: unknown, token?: string): Promise<any> {
  const res = await fetch(`${api.apiUrl}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return res.json();
}

describe('read your own writes: API and gateway in one process', () => {
  let dataDir: string;
  let platform: Platform;
  let gateway: RunningGateway;
  let api: RunningServer;
  let web: Target;
  let appKey: string;
  let userId: number;
  let proxyPort: number;
  let extractPort: number;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tollgate-ryow-'));
    const range = await freePortRange(2);
    const config = resolveSecrets(
      loadConfig({
        TOLLGATE_DATA_DIR: dataDir,
        TOLLGATE_HOST: '127.0.0.1',
        TOLLGATE_API_PORT: '0',
        TOLLGATE_PROXY_PORT: '0',
        TOLLGATE_STATIC_PORT: '0',
        TOLLGATE_EXTRACT_PORTS: `${range.from}-${range.to}`,
        TOLLGATE_EXTRACT_HOST: '127.0.0.1',
        TOLLGATE_PUBLIC_HOST: '127.0.0.1',
        TOLLGATE_ALLOW_PRIVATE_TARGETS: '1',
        TOLLGATE_CHANGE_POLL_MS: '60000',
        TOLLGATE_RATE_LIMIT_PER_KEY: '0',
        TOLLGATE_RATE_LIMIT_PER_IP: '0',
      }),
    );
    platform = await openPlatform(config, { logger: pino({ level: 'silent' }) });
    await platform.services.nodes.add({ url: 'direct://', country: 'US', types: [9] });
    gateway = await startGateway(platform);
    api = await startApi(platform, gateway);
    web = await startHttpTarget();
    proxyPort = gateway.address.port;
    extractPort = range.from;
    const token = platform.config.adminToken;
    const created = await http(api, 'POST', '/admin/users', { email: 'ryow@example.com', password: 'password123' }, token);
    assert.equal(created.code, 200, JSON.stringify(created));
    appKey = created.data.app_key;
    userId = created.data.user.id;
    const granted = await http(api, 'POST', `/admin/users/${userId}/packages`, { gb: 1, days: 30 }, token);
    assert.equal(granted.code, 200, JSON.stringify(granted));
  });
  after(async () => {
    await web?.close();
    await api?.close();
    await gateway?.close();
    await platform?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const tunnel = async (auth: string | undefined, options: { port?: number; localAddress?: string } = {}) => {
    const t = await connectTunnel(options.port ?? proxyPort, `127.0.0.1:${web.port}`, auth, options);
    t.socket.destroy();
    return t.status;
  };

  it('lets a sub-account in as soon as its add is answered, though the gateway refused the name before', async () => {
    assert.equal(await tunnel('ryow1:pass1234'), 407, 'unknown before the add (and remembered as unknown)');
    const added = await http(api, 'POST', `/gateway/whitelist-account/add?app_key=${appKey}`, {
      accounts: 'ryow1:pass1234',
      product_type: 9,
    });
    assert.equal(added.code, 200, JSON.stringify(added));
    assert.equal(await tunnel('ryow1:pass1234'), 200);
  });

  it('lets an account in as soon as its enable is answered', async () => {
    const disabled = await http(api, 'POST', `/gateway/whitelist-account/disable?app_key=${appKey}`, { accounts: 'ryow1' });
    assert.equal(disabled.code, 200);
    assert.equal(await tunnel('ryow1:pass1234'), 403);
    const enabled = await http(api, 'POST', `/gateway/whitelist-account/enable?app_key=${appKey}`, { accounts: 'ryow1' });
    assert.equal(enabled.code, 200);
    assert.equal(await tunnel('ryow1:pass1234'), 200);
  });

  it('serves a whitelisted address on a port as soon as ip/v3 has answered its lease', async () => {
    const white = await http(api, 'POST', `/gateway/white-ip/add?app_key=${appKey}`, { ips: '127.0.0.5' });
    assert.equal(white.code, 200, JSON.stringify(white));
    const leased = await http(api, 'GET', `/gateway/ip/v3?app_key=${appKey}&num=1`);
    assert.equal(leased.code, 200, JSON.stringify(leased));
    const port = Number((leased.data.list[0] as string[])[0]!.split(':')[1]);
    assert.ok(port >= extractPort, `a port of the range (${port})`);
    assert.equal(await tunnel(undefined, { port, localAddress: '127.0.0.5' }), 200);
  });
});

describe('across processes: an extraction port asks the database before refusing', () => {
  let g: GatewayPlatform;
  let web: Target;
  let owner: { userId: number; appKey: string; name: string; password: string };

  before(async () => {
    const range = await freePortRange(4);
    g = await startGatewayPlatform('sqlite', {
      TOLLGATE_EXTRACT_PORTS: `${range.from}-${range.to}`,
      TOLLGATE_EXTRACT_HOST: '127.0.0.1',
      TOLLGATE_PUBLIC_HOST: '127.0.0.1',
      TOLLGATE_EXTRACT_LEASE_MAX: '4',
      // The feed's timer never fires during the test: only the gateway's own re-reading can let clients in.
      TOLLGATE_CHANGE_POLL_MS: '60000',
    });
    web = await startHttpTarget();
    owner = await createProxyAccount(g.tp, 'xproc1');
  });
  after(async () => {
    await web?.close();
    await g?.close();
  });

  /** Leases a port through the test platform's API, which does not run beside this gateway. */
  const extract = async () => {
    const answer = await call(g.tp.app, 'GET', '/gateway/ip/v3', { query: { app_key: owner.appKey } });
    assert.equal(answer.code, 200, JSON.stringify(answer));
    return Number((answer.data.list[0] as string[])[0]!.split(':')[1]);
  };

  it('serves a lease and a white IP the feed has not delivered yet, over CONNECT and SOCKS5', async () => {
    await g.tp.platform.services.whiteIps.add(owner.userId, '127.0.0.6', '');
    const port = await extract();
    const t = await connectTunnel(port, `127.0.0.1:${web.port}`, undefined, { localAddress: '127.0.0.6' });
    assert.equal(t.status, 200, t.head);
    assert.equal(await exitAddress(t.socket, web.port), '127.0.0.1');

    await g.tp.platform.services.whiteIps.add(owner.userId, '127.0.0.7', '');
    const second = await extract();
    const socks = await SocksClient.createConnection({
      proxy: { host: '127.0.0.1', port: second, type: 5 },
      destination: { host: '127.0.0.1', port: web.port },
      command: 'connect',
      timeout: 5000,
      socket_options: { localAddress: '127.0.0.7' },
    } as Parameters<typeof SocksClient.createConnection>[0]);
    assert.equal(await exitAddress(socks.socket, web.port), '127.0.0.1', 'SOCKS5 with no authentication');
  });

  it('still refuses an address nobody whitelisted', async () => {
    const port = await extract();
    const t = await connectTunnel(port, `127.0.0.1:${web.port}`, undefined, { localAddress: '127.0.0.8' });
    assert.equal(t.status, 407, t.head);
    t.socket.destroy();
  });
});

describe('revalidation behind the feed', () => {
  let g: GatewayPlatform;
  let echo: Target;

  before(async () => {
    g = await startGatewayPlatform('sqlite', { TOLLGATE_CHANGE_POLL_MS: '60000', TOLLGATE_ACCOUNT_REVALIDATE_MS: '1000' });
    echo = await startEcho();
  });
  after(async () => {
    await echo?.close();
    await g?.close();
  });

  it('cuts an account disabled without a change-feed row within a period', async () => {
    const a = await createProxyAccount(g.tp, 'reval1');
    const t = await connectTunnel(g.port, `127.0.0.1:${echo.port}`, `${a.name}:${a.password}`);
    assert.equal(t.status, 200, t.head);
    t.socket.resume();
    const closed = closedWithin(t.socket);
    // Written as nothing in Tollgate writes: no change_log row, so only revalidation can notice.
    await g.tp.platform.storage.db.updateTable('sub_accounts').set({ status: 0 }).where('username', '=', a.name).execute();
    const ms = await within(closed);
    assert.ok(ms < 5000, `cut after ${ms} ms with a 1 s revalidation period`);
    const again = await connectTunnel(g.port, `127.0.0.1:${echo.port}`, `${a.name}:${a.password}`);
    assert.equal(again.status, 403, again.head);
    again.socket.destroy();
  });
});
