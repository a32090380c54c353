/**
 * The geo catalogue endpoints (`ip/dynamic-citys`, `ip/dynamic-states` and their searches) against the
 * documents, over exit nodes stored on every dialect.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GeoCatalogue } from '../src/pool/index.js';
import { type Answer, call, createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const PREFIXES = ['/gateway', '/end-point', '/api-gate-way', '/pub'];
const P = '/api-gate-way';

const US = { name_zh_cn: '美国', name_en: 'United States', continent_code: 'NA', country_code: 'US' };
const DE = { name_zh_cn: '德国', name_en: 'Germany', continent_code: 'EU', country_code: 'DE' };
const us = { continent_code: 'NA', country_code: 'US' };

function assertOk(answer: Answer): void {
  assert.equal(answer.code, 200, JSON.stringify(answer));
  assert.equal(answer.msg, answer.message);
}

for (const dialect of dialects()) {
  describe(`geo catalogue API on ${dialect}`, () => {
    let tp: TestPlatform;
    let appKey: string;
    const get = (path: string, query: Record<string, string> = {}, prefix = P) =>
      call(tp.app, 'GET', `${prefix}/${path}`, { query: { app_key: appKey, ...query } });

    before(async () => {
      tp = await startTestPlatform(dialect);
      appKey = (await createUser(tp)).appKey;
      const nodes = tp.platform.services.nodes;
      await nodes.add({ url: 'direct://', country: 'US', state: 'ca', city: 'losangeles' });
      await nodes.add({ url: 'direct://', country: 'us', state: 'NY', city: 'newyork', types: [9, 11] });
      await nodes.add({ url: 'direct://', country: 'US', state: 'ca', city: 'losangeles', weight: 3 }); // same place
      await nodes.add({ url: 'direct://', country: 'DE' });
      await nodes.add({ url: 'direct://', country: 'GB', state: 'england', city: 'london', enabled: false });
      await nodes.add({ url: 'direct://', country: 'FR', state: 'idf', city: 'paris', types: [14] });
    });
    after(() => tp.close());

    it('dynamic-citys lists served countries in ISO order with one item per (state, city), names from the data packages', async () => {
      const answer = await get('ip/dynamic-citys');
      assert.deepEqual(answer, {
        code: 200,
        msg: '操作成功',
        message: '操作成功',
        data: {
          list: [
            { ...DE, items: [] },
            {
              ...US,
              items: [
                { city: 'losangeles', state: 'ca', ...us },
                { city: 'newyork', state: 'ny', ...us },
              ],
            },
          ],
        },
      });
    });

    it('dynamic-states lists served countries with one item per state', async () => {
      const answer = await get('ip/dynamic-states');
      assertOk(answer);
      assert.deepEqual(answer.data, {
        list: [
          { ...DE, items: [] },
          {
            ...US,
            items: [
              { state: 'ca', ...us },
              { state: 'ny', ...us },
            ],
          },
        ],
      });
    });

    it('dynamic-states/search answers the states of a country, code in any case', async () => {
      for (const cc of ['US', 'us', 'Us']) {
        const answer = await get('ip/dynamic-states/search', { country_code: cc });
        assertOk(answer);
        assert.deepEqual(answer.data, { list: ['ca', 'ny'] });
      }
      for (const cc of ['DE', 'gb', 'FR', 'CN']) {
        assert.deepEqual((await get('ip/dynamic-states/search', { country_code: cc })).data, { list: [] }, cc);
      }
    });

    it('dynamic-citys/search answers the cities of a state', async () => {
      assert.deepEqual((await get('ip/dynamic-citys/search', { country_code: 'us', state: 'CA' })).data, {
        list: ['losangeles'],
      });
      assert.deepEqual((await get('ip/dynamic-citys/search', { country_code: 'US', state: 'ny' })).data, { list: ['newyork'] });
      assert.deepEqual((await get('ip/dynamic-citys/search', { country_code: 'US', state: 'tx' })).data, { list: [] });
      assert.deepEqual((await get('ip/dynamic-citys/search', { country_code: 'GB', state: 'england' })).data, { list: [] });
      assert.deepEqual((await get('ip/dynamic-citys/search', { country_code: 'FR', state: 'idf' })).data, { list: [] });
    });

    it('refuses a country code that is not ISO alpha-2 with code 400 naming country_code', async () => {
      for (const cc of ['USA', 'uk', 'x', '12']) {
        for (const [path, extra] of [
          ['ip/dynamic-states/search', {}],
          ['ip/dynamic-citys/search', { state: 'ca' }],
        ] as const) {
          const answer = await get(path, { country_code: cc, ...extra });
          assert.equal(answer.code, 400, JSON.stringify(answer));
          assert.equal(answer.msg, '参数错误');
          assert.deepEqual(answer.errors, { country_code: 'an ISO 3166-1 alpha-2 country code, e.g. US' });
        }
      }
      const en = await get('ip/dynamic-states/search', { country_code: 'USA', language: 'en' });
      assert.equal(en.msg, 'Invalid parameters');
    });

    it('refuses a missing (or empty) required parameter with code 400', async () => {
      const cases: [string, Record<string, string>, Record<string, string>][] = [
        ['ip/dynamic-states/search', {}, { country_code: 'is required' }],
        ['ip/dynamic-states/search', { country_code: '' }, { country_code: 'is required' }],
        ['ip/dynamic-citys/search', { country_code: 'US' }, { state: 'is required' }],
        ['ip/dynamic-citys/search', { state: 'ca', country_code: '' }, { country_code: 'is required' }],
        ['ip/dynamic-citys/search', {}, { country_code: 'is required', state: 'is required' }],
      ];
      for (const [path, query, errors] of cases) {
        const answer = await get(path, query);
        assert.equal(answer.code, 400, `${path} ${JSON.stringify(query)}: ${JSON.stringify(answer)}`);
        assert.deepEqual(answer.errors, errors);
      }
    });

    it('needs app_key like every customer route', async () => {
      for (const path of ['ip/dynamic-citys', 'ip/dynamic-states', 'ip/dynamic-states/search?country_code=US']) {
        const missing = await call(tp.app, 'GET', `${P}/${path}`);
        assert.equal(missing.code, 3, JSON.stringify(missing));
        const wrong = await call(tp.app, 'GET', `${P}/${path}${path.includes('?') ? '&' : '?'}app_key=nope`);
        assert.equal(wrong.code, 3);
      }
    });

    it('answers identically under every prefix', async () => {
      const expected = await get('ip/dynamic-citys');
      for (const prefix of PREFIXES) {
        assert.deepEqual(await get('ip/dynamic-citys', {}, prefix), expected, prefix);
        assert.deepEqual((await get('ip/dynamic-states', {}, prefix)).data.list.length, 2, prefix);
        assert.deepEqual((await get('ip/dynamic-states/search', { country_code: 'us' }, prefix)).data, { list: ['ca', 'ny'] });
        assert.deepEqual((await get('ip/dynamic-citys/search', { country_code: 'us', state: 'ca' }, prefix)).data, {
          list: ['losangeles'],
        });
      }
    });

    it('sees node changes at once: added, disabled, enabled, removed', async () => {
      const nodes = tp.platform.services.nodes;
      const jp = await nodes.add({ url: 'direct://', country: 'JP', state: 'tokyo', city: 'shinjuku', types: [11] });
      const listed = (await get('ip/dynamic-citys')).data.list;
      assert.deepEqual(
        listed.map((c: any) => c.country_code),
        ['DE', 'JP', 'US'],
      );
      assert.deepEqual(listed[1], {
        name_zh_cn: '日本',
        name_en: 'Japan',
        continent_code: 'AS',
        country_code: 'JP',
        items: [{ city: 'shinjuku', state: 'tokyo', continent_code: 'AS', country_code: 'JP' }],
      });
      await nodes.setEnabled(jp.id, false);
      assert.deepEqual((await get('ip/dynamic-states/search', { country_code: 'JP' })).data, { list: [] });
      await nodes.setEnabled(jp.id, true);
      assert.deepEqual((await get('ip/dynamic-states/search', { country_code: 'JP' })).data, { list: ['tokyo'] });
      await nodes.update(jp.id, { types: [14] });
      assert.deepEqual((await get('ip/dynamic-states/search', { country_code: 'JP' })).data, { list: [] });
      await nodes.remove(jp.id);
      assert.deepEqual(
        (await get('ip/dynamic-states')).data.list.map((c: any) => c.country_code),
        ['DE', 'US'],
      );
    });

    it('resolve() checks a requested location against the stored pool', async () => {
      const geo = new GeoCatalogue(tp.platform.services.nodes);
      assert.deepEqual(await geo.resolve({ country: 'us', state: 'CA', city: 'Los Angeles' }), {
        country: 'US',
        state: 'ca',
        city: 'losangeles',
      });
      assert.deepEqual(await geo.resolve({ country: 'de' }), { country: 'DE' });
      for (const [query, text] of [
        [{ country: 'US', state: 'ca', city: 'newyork' }, 'US/ca/newyork'],
        [{ country: 'GB' }, 'GB'],
        [{ country: 'FR', state: 'idf' }, 'FR/idf'],
      ] as const) {
        await assert.rejects(geo.resolve(query), (err: any) => {
          assert.equal(err.key, 'TG_ERR_EXTRACT_GEO_UNKNOWN');
          assert.deepEqual(err.params, { geo: text });
          return true;
        });
      }
    });
  });
}
