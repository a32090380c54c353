/**
 * On PostgreSQL the change feed does not wait for its timer: a committed change
 * NOTIFYs the schema's channel and the gateway polls at once. With the poll
 * interval set to a minute, a disable through the API still cuts an open tunnel
 * within a second or so. (SQLite has no LISTEN/NOTIFY; its followers poll.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  closedWithin,
  connectTunnel,
  createProxyAccount,
  type GatewayPlatform,
  startEcho,
  startGatewayPlatform,
  type Target,
} from './helpers/gateway.js';
import { call, dialects } from './helpers/platform.js';

describe('change feed wake-up by LISTEN/NOTIFY (postgres)', { skip: !dialects().includes('postgres') }, () => {
  let g: GatewayPlatform;
  let echo: Target;

  before(async () => {
    g = await startGatewayPlatform('postgres', { TOLLGATE_CHANGE_POLL_MS: '60000' });
    echo = await startEcho();
  });
  after(async () => {
    await echo?.close();
    await g?.close();
  });

  it('cuts a tunnel of a disabled account long before the next timed poll', async () => {
    const a = await createProxyAccount(g.tp, 'notify1');
    // The package grant's NOTIFY reaches the gateway too; wait until the account is let in.
    const t = await connectTunnel(g.port, `127.0.0.1:${echo.port}`, `${a.name}:${a.password}`);
    assert.equal(t.status, 200, t.head);
    t.socket.resume();
    const closed = closedWithin(t.socket);
    const answer = await call(g.tp.app, 'POST', '/gateway/whitelist-account/disable', {
      json: { app_key: a.appKey, accounts: a.name },
    });
    assert.equal(answer.code, 200);
    const ms = await closed;
    assert.ok(ms < 5000, `closed after ${ms} ms with a 60 s poll interval`);
  });

  it('lets a new package in at once', async () => {
    const a = await createProxyAccount(g.tp, 'notify2', 'pass1234', 0);
    const refused = await connectTunnel(g.port, `127.0.0.1:${echo.port}`, `${a.name}:${a.password}`);
    assert.equal(refused.status, 403);
    refused.socket.destroy();
    await g.tp.platform.services.packages.grant({ userId: a.userId, productType: 9, totalBytes: 1024 ** 2, days: 1 });
    const t0 = performance.now();
    let status = 0;
    while (status !== 200 && performance.now() - t0 < 5000) {
      const t = await connectTunnel(g.port, `127.0.0.1:${echo.port}`, `${a.name}:${a.password}`);
      status = t.status;
      t.socket.destroy();
      if (status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status, 200, `let in after ${performance.now() - t0} ms with a 60 s poll interval`);
  });
});
