/**
 * The portal's own routes behind its pages, on every dialect, through the full Fastify stack: rotating the
 * app_key from a portal session (CSRF required, the old key refused at once on the customer API, the new one
 * accepted, only its last 4 characters shown afterwards, the audit log recording it without the key), and the
 * usage series of a team's space for its members only (an outsider and a team_id on a personal route are
 * refused, nothing changes).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Team } from '../src/teams/index.js';
import { call, createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const PASSWORD = 'portal password 1';

interface Browser {
  cookies: Record<string, string>;
}

for (const dialect of dialects()) {
  describe(`portal routes on ${dialect}`, () => {
    let tp: TestPlatform;
    let prefix: string;
    let person: { id: number; appKey: string; email: string };
    let outsider: { id: number; appKey: string; email: string };
    let team: Team;

    /** A portal call with the browser's cookies; the CSRF header repeats tg_csrf unless `csrf` says otherwise. */
    const portal = async (b: Browser, method: 'GET' | 'POST', url: string, options: { csrf?: string; body?: unknown } = {}) => {
      const res = await tp.app.inject({
        method,
        url,
        cookies: b.cookies,
        headers: {
          'x-csrf-token': options.csrf ?? b.cookies.tg_csrf ?? '',
          language: 'en',
          ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(options.body !== undefined ? { payload: JSON.stringify(options.body) } : {}),
      });
      for (const c of res.cookies) b.cookies[c.name] = c.value;
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { code: number; msg: string; data: any };
    };
    const signIn = async (email: string): Promise<Browser> => {
      const b: Browser = { cookies: {} };
      await portal(b, 'GET', '/web/session');
      const answer = await portal(b, 'POST', '/web/session', { body: { email, password: PASSWORD } });
      assert.equal(answer.code, 200, JSON.stringify(answer));
      return b;
    };
    const customerCall = (appKey: string) =>
      call(tp.app, 'GET', `${prefix}/whitelist-account/list`, { query: { app_key: appKey, language: 'en' } });

    before(async () => {
      tp = await startTestPlatform(dialect);
      prefix = tp.platform.config.apiPrefixes[0] ?? '';
      person = await createUser(tp, { email: `key-${dialect}@example.com`, password: PASSWORD });
      outsider = await createUser(tp, { email: `out-${dialect}@example.com`, password: PASSWORD });
      team = await tp.platform.services.teams.create({ ownerUserId: outsider.id, name: 'Crawlers' });
      await tp.platform.services.teams.addMember(team.publicId, person.id, []);
    });
    after(() => tp?.close());

    it('rotates the app_key from a portal session: shown once, the old key refused, the last 4 kept', async () => {
      const b = await signIn(person.email);
      assert.equal((await customerCall(person.appKey)).code, 200);
      const shown = await portal(b, 'GET', '/web/app-key');
      assert.deepEqual(shown.data, { app_key_last4: person.appKey.slice(-4) });

      // Without the session's CSRF token nothing changes.
      const forged = await portal(b, 'POST', '/web/app-key/rotate', { csrf: 'not-the-token' });
      assert.equal(forged.code, 8202, JSON.stringify(forged));
      assert.equal((await customerCall(person.appKey)).code, 200);
      // Without a session, neither.
      const anonymous = await portal({ cookies: {} }, 'POST', '/web/app-key/rotate');
      assert.equal(anonymous.code, 8201, JSON.stringify(anonymous));
      // A personal route refuses team_id, and changes nothing.
      const forTeam = await portal(b, 'POST', `/web/app-key/rotate?team_id=${team.publicId}`);
      assert.equal(forTeam.code, 8003, JSON.stringify(forTeam));
      assert.equal((await customerCall(person.appKey)).code, 200);

      const rotated = await portal(b, 'POST', '/web/app-key/rotate');
      assert.equal(rotated.code, 200, JSON.stringify(rotated));
      const newKey = rotated.data.app_key as string;
      assert.notEqual(newKey, person.appKey);
      assert.equal(rotated.data.app_key_last4, newKey.slice(-4));
      assert.equal((await customerCall(person.appKey)).code, 3, 'the old key is refused at once');
      assert.equal((await customerCall(newKey)).code, 200, 'the new key works');
      assert.deepEqual((await portal(b, 'GET', '/web/app-key')).data, { app_key_last4: newKey.slice(-4) });

      // Operators see who rotated, from where; never the key.
      const { items } = await tp.platform.services.audit.list({ action: 'POST /web/app-key/rotate', page: 1, size: 10 });
      assert.equal(items.length, 1);
      const entry = items[0];
      assert.equal(entry?.actorKind, 'customer');
      assert.equal(entry?.actor, person.email);
      assert.equal(entry?.targetId, String(person.id));
      assert.deepEqual(entry?.after, { last4: newKey.slice(-4) });
      assert.ok(!JSON.stringify(entry).includes(newKey));
      person.appKey = newKey;
    });

    it('charts a team’s usage for its members only', async () => {
      const now = Date.now();
      const hour = Math.floor(now / 3_600_000) * 3_600_000;
      const spaceId = team.backingUserId;
      await tp.platform.storage.db
        .insertInto('usage_hourly')
        .values({ user_id: spaceId, username: 'teamacct', product_type: 9, hour_start: hour, bytes: 4096 })
        .execute();
      const b = await signIn(person.email);
      const own = await portal(b, 'GET', '/web/usage?range=24h');
      assert.equal(own.code, 200);
      assert.equal(own.data.total_bytes, 0, 'the personal space has no traffic');
      const ofTeam = await portal(b, 'GET', `/web/usage?range=24h&team_id=${team.publicId}`);
      assert.equal(ofTeam.code, 200, JSON.stringify(ofTeam));
      assert.equal(ofTeam.data.total_bytes, 4096);
      const oneAccount = await portal(b, 'GET', `/web/usage?range=24h&team_id=${team.publicId}&username=other`);
      assert.equal(oneAccount.data.total_bytes, 0);

      const stranger = await createUser(tp, { email: `stranger-${dialect}@example.com`, password: PASSWORD });
      const s = await signIn(stranger.email);
      const refused = await portal(s, 'GET', `/web/usage?range=24h&team_id=${team.publicId}`);
      assert.equal(refused.code, 8001, JSON.stringify(refused));
    });
  });
}
