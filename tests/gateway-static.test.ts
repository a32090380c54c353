/**
 * The static-IP entry end to end: a product-25 sub-account exits through
 * exactly the static IP it names (`-ip-<address>`), or one of its owner's,
 * sticky per session; other IPs and users are refused with their codes; a
 * released allocation closes its tunnels; traffic is metered to the account.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  closedWithin,
  connectTunnel,
  exitAddress,
  type GatewayPlatform,
  grantTestPackage,
  startGatewayPlatform,
  startHttpTarget,
  type Target,
} from './helpers/gateway.js';
import { createUser, dialects } from './helpers/platform.js';

for (const dialect of dialects()) {
  describe(`static-IP entry (${dialect})`, () => {
    let g: GatewayPlatform;
    let web: Target;
    let staticPort: number;
    let owner: { id: number };
    let allocations: { id: number; ip: string }[];

    before(async () => {
      g = await startGatewayPlatform(dialect);
      staticPort = g.gw.staticAddress.port;
      web = await startHttpTarget();
      const statics = g.tp.platform.services.staticIps;
      await statics.add({ ip: '127.0.0.3', port: 8003, country: 'US', productType: 25 });
      await statics.add({ ip: '127.0.0.4', port: 8004, country: 'US', productType: 25 });
      await statics.add({ ip: '127.0.0.2', port: 8002, country: 'DE', productType: 25 });
      owner = await createUser(g.tp);
      const allocated = await statics.allocate({ userId: owner.id, country: 'US', productType: 25, count: 2, days: 30 });
      const inventory = await statics.list();
      allocations = allocated.map((a) => ({
        id: a.id,
        ip: inventory.find((s) => s.id === a.staticIpId)?.ip ?? '',
      }));
      await g.tp.platform.services.subAccounts.add(owner.id, 'static1:pass1234', '', 25);
    });
    after(async () => {
      await web?.close();
      await g?.close();
    });

    const ipVia = async (username: string, port = staticPort) => {
      const t = await connectTunnel(port, `127.0.0.1:${web.port}`, `${username}:pass1234`);
      assert.equal(t.status, 200, t.head);
      return exitAddress(t.socket, web.port);
    };

    it('exits through exactly the static IP named by -ip-, and through one of the owner’s without it', async () => {
      assert.deepEqual(allocations.map((a) => a.ip).sort(), ['127.0.0.3', '127.0.0.4']);
      for (let i = 0; i < 3; i++) assert.equal(await ipVia('static1-ip-127.0.0.3'), '127.0.0.3');
      for (let i = 0; i < 3; i++) assert.equal(await ipVia('static1-ip-127.0.0.4'), '127.0.0.4');
      const seen = new Set<string>();
      for (let i = 0; i < 20 && seen.size < 2; i++) seen.add(await ipVia('static1'));
      assert.deepEqual([...seen].sort(), ['127.0.0.3', '127.0.0.4'], 'either of the owner’s IPs');
      const sticky = new Set<string>();
      for (let i = 0; i < 6; i++) sticky.add(await ipVia('static1-session-abc123'));
      assert.equal(sticky.size, 1, 'a session keeps its static IP');
    });

    it('refuses an IP that is not the owner’s, a user with none, and accounts of other product types', async () => {
      const foreign = await connectTunnel(staticPort, `127.0.0.1:${web.port}`, 'static1-ip-127.0.0.2:pass1234');
      assert.equal(foreign.status, 403);
      assert.match(foreign.head, /X-Tollgate-Error: 4016/i);
      foreign.socket.destroy();

      const bare = await createUser(g.tp);
      await g.tp.platform.services.subAccounts.add(bare.id, 'static2:pass1234', '', 14);
      const none = await connectTunnel(staticPort, `127.0.0.1:${web.port}`, 'static2:pass1234');
      assert.equal(none.status, 403);
      assert.match(none.head, /X-Tollgate-Error: 4017/i);
      none.socket.destroy();

      await g.tp.platform.services.subAccounts.add(bare.id, 'dyn1:pass1234', '', 9);
      await grantTestPackage(g.tp, bare.id, 1024 ** 2);
      const dynamic = await connectTunnel(staticPort, `127.0.0.1:${web.port}`, 'dyn1:pass1234');
      assert.equal(dynamic.status, 407, 'a product-9 account is not served here');
      dynamic.socket.destroy();
      const onMain = await connectTunnel(g.port, `127.0.0.1:${web.port}`, 'static1:pass1234');
      assert.equal(onMain.status, 407, 'a static account is not served on the main port');
      onMain.socket.destroy();
      const ipOnMain = await connectTunnel(g.port, `127.0.0.1:${web.port}`, 'dyn1-ip-127.0.0.3:pass1234');
      assert.equal(ipOnMain.status, 400, '-ip- belongs to the static entry');
      ipOnMain.socket.destroy();
    });

    it('meters the traffic to the sub-account', async () => {
      await ipVia('static1-ip-127.0.0.3');
      await g.gw.meter.flush();
      const row = await g.tp.platform.storage.db
        .selectFrom('sub_accounts')
        .select('used_bytes')
        .where('username', '=', 'static1')
        .executeTakeFirstOrThrow();
      assert.ok(Number(row.used_bytes) > 0);
      const usage = await g.tp.platform.storage.db
        .selectFrom('usage_hourly')
        .select(['product_type', 'bytes'])
        .where('username', '=', 'static1')
        .execute();
      assert.equal(usage[0]?.product_type, 25);
      assert.equal(
        usage.reduce((s, r) => s + Number(r.bytes), 0),
        Number(row.used_bytes),
      );
    });

    it('closes the tunnels through a released static IP and refuses it afterwards', async () => {
      const t = await connectTunnel(staticPort, `127.0.0.1:${web.port}`, 'static1-ip-127.0.0.3:pass1234');
      assert.equal(t.status, 200);
      t.socket.resume();
      const other = await connectTunnel(staticPort, `127.0.0.1:${web.port}`, 'static1-ip-127.0.0.4:pass1234');
      other.socket.resume();
      const closed = closedWithin(t.socket);
      const allocation = allocations.find((a) => a.ip === '127.0.0.3');
      await g.tp.platform.services.staticIps.release(allocation!.id);
      const ms = await closed;
      assert.ok(ms < 3000, `closed after ${ms} ms`);
      assert.equal(other.socket.destroyed, false, 'tunnels through the other IP stay');
      other.socket.destroy();
      const refused = await connectTunnel(staticPort, `127.0.0.1:${web.port}`, 'static1-ip-127.0.0.3:pass1234');
      assert.equal(refused.status, 403);
      assert.match(refused.head, /TG_ERR_PROXY_STATIC_IP_INVALID/);
      refused.socket.destroy();
    });
  });
}
