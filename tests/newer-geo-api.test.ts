/**
 * The newer release's geo endpoints under /developers on every dialect: host-pool/regions (every pool's
 * countries with the types served), and ip/dcl4, ip/dsl4, ip/dal4 (what one proxy account's product type can
 * reach), with their error paths and team_id scoping.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Team } from '../src/teams/index.js';
import { type Answer, call, createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const D = '/developers';
const US = { name_zh_cn: '美国', name_en: 'United States', continent_code: 'NA', country_code: 'US' };
const DE = { name_zh_cn: '德国', name_en: 'Germany', continent_code: 'EU', country_code: 'DE' };
const JP = { name_zh_cn: '日本', name_en: 'Japan', continent_code: 'AS', country_code: 'JP' };

interface Person {
  id: number;
  appKey: string;
}

for (const dialect of dialects()) {
  describe(`newer geo API on ${dialect}`, () => {
    let tp: TestPlatform;
    let user: Person;
    let member: Person;
    let team: Team;
    const get = (who: Person, route: string, query: Record<string, string> = {}) =>
      call(tp.app, 'GET', `${D}/${route}`, { query: { app_key: who.appKey, language: 'en', ...query } });
    const ok = (answer: Answer) => {
      assert.equal(answer.code, 200, JSON.stringify(answer));
      return answer.data;
    };

    before(async () => {
      tp = await startTestPlatform(dialect);
      const s = tp.platform.services;
      await s.nodes.add({ url: 'direct://', country: 'US', state: 'ca', city: 'losangeles', types: [9] });
      await s.nodes.add({ url: 'direct://', country: 'US', state: 'ny', city: 'newyork', types: [9, 11] });
      await s.nodes.add({ url: 'direct://', country: 'DE', state: 'be', city: 'berlin', types: [11] });
      await s.nodes.add({ url: 'direct://', country: 'JP', types: [12] });
      await s.nodes.add({ url: 'direct://', country: 'GB', state: 'england', city: 'london', types: [9], enabled: false });
      user = await createUser(tp);
      member = await createUser(tp);
      await s.subAccounts.add(user.id, 'resi1:pass1234', '', 9);
      await s.subAccounts.add(user.id, 'time1:pass1234', '', 11);
      await s.subAccounts.add(user.id, 'dc1:pass1234', '', 12);
      await s.subAccounts.add(user.id, 'stat1:pass1234', '', 25);
      team = await s.teams.create({ ownerUserId: user.id, name: 'Geo', publicId: 'GeoTeam1' });
      await s.teams.addMember(team.publicId, member.id, []);
      await s.subAccounts.add(team.backingUserId, 'team1:pass1234', '', 11);
    });
    after(() => tp.close());

    it('host-pool/regions lists every pool’s served countries with the types served there', async () => {
      assert.deepEqual(ok(await get(user, 'host-pool/regions')).list, [
        { ...DE, product_types: [11] },
        { ...JP, product_types: [12] },
        { ...US, product_types: [9, 11] },
      ]);
    });

    it('dcl4, dsl4 and dal4 answer what the account’s product type reaches', async () => {
      assert.deepEqual(ok(await get(user, 'ip/dcl4', { username: 'resi1' })).list, [
        { city: 'losangeles', state: 'ca', continent_code: 'NA', country_code: 'US' },
        { city: 'newyork', state: 'ny', continent_code: 'NA', country_code: 'US' },
      ]);
      assert.deepEqual(ok(await get(user, 'ip/dsl4', { username: 'time1' })).list, [
        { state: 'be', continent_code: 'EU', country_code: 'DE' },
        { state: 'ny', continent_code: 'NA', country_code: 'US' },
      ]);
      assert.deepEqual(ok(await get(user, 'ip/dal4', { username: 'dc1' })).list, [{ ...JP, states: [], cities: [] }]);
      assert.deepEqual(ok(await get(user, 'ip/dal4', { username: 'resi1' })).list, [
        {
          ...US,
          states: ['ca', 'ny'],
          cities: [
            { state: 'ca', city: 'losangeles' },
            { state: 'ny', city: 'newyork' },
          ],
        },
      ]);
      // Static IP accounts exit through their IPs, not a pool.
      assert.deepEqual(ok(await get(user, 'ip/dal4', { username: 'stat1' })).list, []);
    });

    it('ip/static-ip-region takes the newer release’s asn and exclusive (0 or 1)', async () => {
      await tp.platform.services.staticIps.add({ ip: '127.0.0.41', port: 8000, country: 'JP', productType: 25, asn: 2516 });
      const plain = ok(await get(user, 'ip/static-ip-region')).list;
      assert.deepEqual(plain, [{ code: 'JP', number: 1 }]);
      assert.deepEqual(ok(await get(user, 'static-ip-region')).list, plain);
      assert.deepEqual(ok(await get(user, 'ip/static-ip-region', { asn: '1', exclusive: '1' })).list, [
        { code: 'JP', asn: 2516, number: 1 },
      ]);
      assert.deepEqual(ok(await get(user, 'ip/static-ip-region', { asn: '0', exclusive: '0' })).list, plain);
      const bad = await get(user, 'ip/static-ip-region', { asn: '2', exclusive: 'yes' });
      assert.equal(bad.code, 400);
      assert.deepEqual(Object.keys(bad.errors ?? {}).sort(), ['asn', 'exclusive']);
    });

    it('an unknown or someone else’s account is code 2001; username is required', async () => {
      const other = await createUser(tp);
      for (const route of ['ip/dcl4', 'ip/dsl4', 'ip/dal4']) {
        const unknown = await get(user, route, { username: 'nobody' });
        assert.equal(unknown.code, 2001, JSON.stringify(unknown));
        assert.deepEqual(unknown.data.accounts, ['nobody']);
        assert.equal((await get(other, route, { username: 'resi1' })).code, 2001);
        const missing = await get(user, route);
        assert.equal(missing.code, 400);
        assert.ok(missing.errors?.username);
      }
    });

    it('team_id: a member sees the team’s accounts, never the personal ones, and an outsider is refused', async () => {
      assert.deepEqual(
        ok(await get(member, 'ip/dsl4', { team_id: team.publicId, username: 'team1' })).list.map((s: any) => s.state),
        ['be', 'ny'],
      );
      assert.equal((await get(member, 'ip/dsl4', { team_id: team.publicId, username: 'resi1' })).code, 2001);
      assert.equal((await get(user, 'ip/dsl4', { username: 'team1' })).code, 2001);
      assert.equal((await get(await createUser(tp), 'ip/dcl4', { team_id: team.publicId, username: 'team1' })).code, 8001);
      assert.equal(ok(await get(member, 'host-pool/regions', { team_id: team.publicId })).list.length, 3);
    });
  });
}
