/**
 * API and gateway as separate processes on one database (`serve --role api` and
 * `--role gateway`): changes reach the gateway through the change feed, usage
 * flushed by the gateway is what the API reads.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIN, launchServer, serverEnv, stopServer } from './helpers/dist.js';
import { connectTunnel, freePortRange, startEcho, type Target } from './helpers/gateway.js';

async function serve(role: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; banner: string }> {
  const { child, output } = await launchServer(BIN, ['serve', '--role', role], env);
  return { child, banner: output() };
}

const stop = stopServer;

describe('API and gateway in separate processes on one database', () => {
  let dataDir: string;
  let api: ChildProcess;
  let gateway: ChildProcess;
  let apiUrl: string;
  let proxyPort: number;
  let echo: Target;
  let appKey: string;

  const post = async (path: string, body: Record<string, unknown>) => {
    const res = await fetch(`${apiUrl}/gateway/${path}?app_key=${appKey}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await res.json()) as { code: number; data: any };
  };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tollgate-roles-'));
    const range = await freePortRange(4);
    const env = serverEnv(dataDir, {
      TOLLGATE_ALLOW_PRIVATE_TARGETS: '1',
      TOLLGATE_EXTRACT_PORTS: `${range.from}-${range.to}`,
      TOLLGATE_EXTRACT_HOST: '127.0.0.1',
    });
    const a = await serve('api', env);
    api = a.child;
    apiUrl = /API\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(a.banner)?.[1] ?? '';
    assert.doesNotMatch(a.banner, /Proxy/, 'the API role runs no gateway');
    const g = await serve('gateway', env);
    gateway = g.child;
    proxyPort = Number(/Proxy\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(g.banner)?.[1]);
    assert.doesNotMatch(g.banner, /OpenAPI/, 'the gateway role runs no API');
    const metricsUrl = /Metrics\s+(http:\/\/\S+)/.exec(g.banner)?.[1] ?? '';
    assert.match(await (await fetch(metricsUrl)).text(), /tollgate_gateway_open_connections/);
    echo = await startEcho();
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const created = await fetch(`${apiUrl}/admin/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'roles@example.com' }),
    });
    const createdData = ((await created.json()) as any).data;
    appKey = createdData.app_key;
    // Product-9 traffic draws from packages: the operator grants one through the admin API.
    const granted = await fetch(`${apiUrl}/admin/users/${createdData.user.id}/packages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ product_type: 9, gb: 1, days: 30 }),
    });
    assert.equal(((await granted.json()) as any).code, 200);
  });

  after(async () => {
    await echo?.close();
    if (gateway) await stop(gateway);
    if (api) await stop(api);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a sub-account added through the API carries traffic at once, and its usage shows in the API', async () => {
    assert.equal((await post('whitelist-account/add', { accounts: 'roles1:pass1234' })).code, 200);
    const t = await connectTunnel(proxyPort, `127.0.0.1:${echo.port}`, 'roles1:pass1234');
    assert.equal(t.status, 200, t.head);
    const echoed = new Promise<void>((resolve) => {
      let got = 0;
      t.socket.on('data', (c: Buffer) => {
        got += c.length;
        if (got >= 4096) resolve();
      });
    });
    t.socket.resume();
    t.socket.write(Buffer.alloc(4096, 0x41));
    await echoed;
    t.socket.destroy();
    const t0 = performance.now();
    let usage = 0;
    while (usage < 8 && performance.now() - t0 < 5000) {
      const listed = (await (await fetch(`${apiUrl}/gateway/whitelist-account/list?app_key=${appKey}`)).json()) as any;
      usage = listed.data.list[0].usage_flow;
      if (usage < 8) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(usage, 8, '4096 bytes up and 4096 down = 8 KB');
    assert.ok(performance.now() - t0 < 3000, `usage visible after ${performance.now() - t0} ms`);
  });

  it('disabling through the API closes the open tunnel in the other process', async () => {
    assert.equal((await post('whitelist-account/add', { accounts: 'roles2:pass1234' })).code, 200);
    const t = await connectTunnel(proxyPort, `127.0.0.1:${echo.port}`, 'roles2:pass1234');
    assert.equal(t.status, 200, t.head);
    t.socket.resume();
    const t0 = performance.now();
    const closed = once(t.socket, 'close');
    assert.equal((await post('whitelist-account/disable', { accounts: 'roles2' })).code, 200);
    await closed;
    assert.ok(performance.now() - t0 < 3000, `closed after ${performance.now() - t0} ms`);
    const again = await connectTunnel(proxyPort, `127.0.0.1:${echo.port}`, 'roles2:pass1234');
    assert.equal(again.status, 403);
    again.socket.destroy();
  });

  it('an ip/v3 lease made through the API is served by the gateway process to the whitelisted address, and ends there', async () => {
    assert.equal((await post('white-ip/add', { ips: '127.0.0.5' })).code, 200);
    const answer = (await (await fetch(`${apiUrl}/gateway/ip/v3?app_key=${appKey}&life=1`)).json()) as any;
    assert.equal(answer.code, 200, JSON.stringify(answer));
    const port = Number(String(answer.data.list[0][0]).split(':')[1]);
    // The gateway process learns of the lease and the address through the change feed.
    const t0 = performance.now();
    let status = 0;
    let socket: Socket | undefined;
    while (status !== 200 && performance.now() - t0 < 5000) {
      const t = await connectTunnel(port, `127.0.0.1:${echo.port}`, undefined, { localAddress: '127.0.0.5' });
      status = t.status;
      if (status === 200) socket = t.socket;
      else {
        t.socket.destroy();
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    assert.equal(status, 200, 'the leased port admits the whitelisted address without credentials');
    socket!.resume();
    const closed = once(socket!, 'close');
    assert.equal((await post('white-ip/delete', { ips: '127.0.0.5' })).code, 200);
    await closed;
    const refused = await connectTunnel(port, `127.0.0.1:${echo.port}`, undefined, { localAddress: '127.0.0.5' });
    assert.equal(refused.status, 407, 'no longer whitelisted: credentials needed');
    refused.socket.destroy();
  });
});
