/**
 * A team's proxy accounts at the gateway, with real traffic: an account a member creates with `team_id` draws on
 * the team's packages (not the member's), its bytes are metered to the team's space, and disabling the team
 * closes its open tunnels and refuses new ones.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  closedWithin,
  connectTunnel,
  type GatewayPlatform,
  grantTestPackage,
  startEcho,
  startGatewayPlatform,
  type Target,
  until,
} from './helpers/gateway.js';
import { call, createUser, dialects } from './helpers/platform.js';

for (const dialect of dialects()) {
  describe(`a team's proxy accounts at the gateway on ${dialect}`, () => {
    let g: GatewayPlatform;
    let echo: Target;

    before(async () => {
      g = await startGatewayPlatform(dialect);
      echo = await startEcho();
    });
    after(async () => {
      await g?.close();
      await echo?.close();
    });

    it('uses the team’s packages, meters to the team, and stops when the team is disabled', async () => {
      const s = g.tp.platform.services;
      const owner = await createUser(g.tp);
      const member = await createUser(g.tp);
      const team = await s.teams.create({ ownerUserId: owner.id, name: 'Gateway team' });
      await s.teams.addMember(team.publicId, member.id, ['manage_accounts']);
      const added = await call(g.tp.app, 'POST', '/developers/whitelist-account/add', {
        query: { app_key: member.appKey },
        json: { accounts: 'teamproxy1:pass1234', team_id: team.publicId },
      });
      assert.equal(added.code, 200, JSON.stringify(added));

      // The member holds a package of their own; the team holds none: the team's account is refused.
      await grantTestPackage(g.tp, member.id, 1024 ** 3);
      const refused = await connectTunnel(g.port, `127.0.0.1:${echo.port}`, 'teamproxy1:pass1234');
      assert.notEqual(refused.status, 200, refused.head);
      refused.socket.destroy();

      await grantTestPackage(g.tp, team.backingUserId, 1024 ** 3);
      let tunnel = await connectTunnel(g.port, `127.0.0.1:${echo.port}`, 'teamproxy1:pass1234');
      for (let i = 0; i < 50 && tunnel.status !== 200; i++) {
        // The gateway learns of the new package through the change feed.
        tunnel.socket.destroy();
        await new Promise((r) => setTimeout(r, 50));
        tunnel = await connectTunnel(g.port, `127.0.0.1:${echo.port}`, 'teamproxy1:pass1234');
      }
      assert.equal(tunnel.status, 200, tunnel.head);
      const payload = Buffer.alloc(64 * 1024, 7);
      tunnel.socket.write(payload);
      let echoed = 0;
      tunnel.socket.on('data', (chunk: Buffer) => (echoed += chunk.length));
      tunnel.socket.resume();
      await until(() => echoed >= payload.length, 5000, 'the echo');

      // Metered to the team's space: its package is drawn, the member's is not.
      const used = async (userId: number) =>
        Number(
          (
            await g.tp.platform.storage.db
              .selectFrom('user_packages')
              .select((eb) => eb.fn.sum<number>('used_bytes').as('n'))
              .where('user_id', '=', userId)
              .executeTakeFirstOrThrow()
          ).n ?? 0,
        );
      const deadline = performance.now() + 5000;
      while ((await used(team.backingUserId)) < payload.length && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok((await used(team.backingUserId)) >= payload.length);
      assert.equal(await used(member.id), 0);

      // Disabling the team closes the tunnel and refuses the account.
      const closed = closedWithin(tunnel.socket);
      const off = await call(g.tp.app, 'PATCH', `/admin/teams/${team.publicId}`, {
        headers: { authorization: `Bearer ${g.tp.platform.config.adminToken}` },
        json: { status: 0 },
      });
      assert.equal(off.code, 200);
      const ms = await closed;
      assert.ok(ms < 3000, `tunnel closed after ${ms} ms`);
      const again = await connectTunnel(g.port, `127.0.0.1:${echo.port}`, 'teamproxy1:pass1234');
      assert.notEqual(again.status, 200, again.head);
      again.socket.destroy();
    });
  });
}
