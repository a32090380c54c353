import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../errors/index.js';
import { countryInfo, DYNAMIC_PRODUCT_TYPES, formatGeo, GeoCatalogue, type GeoNode, normalizeGeoPlace } from './geo-catalogue.js';

function node(country: string, state: string, city: string, productTypes: number[] = [9], enabled = true): GeoNode {
  return { country, state, city, productTypes, enabled };
}

/** A node list read fresh on every call, as NodesService.list() is. */
function source(nodes: GeoNode[]) {
  let reads = 0;
  return {
    nodes,
    get reads() {
      return reads;
    },
    async list() {
      reads += 1;
      return [...nodes];
    },
  };
}

async function rejects(promise: Promise<unknown>, key: string): Promise<AppError> {
  const err = await promise.then(
    () => assert.fail(`expected ${key}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof AppError, String(err));
  assert.equal(err.key, key);
  return err;
}

describe('countryInfo', () => {
  it('takes English names and continents from countries-list, Chinese names from i18n-iso-countries', () => {
    assert.deepEqual(countryInfo('us'), { code: 'US', nameEn: 'United States', nameZhCn: '美国', continent: 'NA' });
    assert.deepEqual(countryInfo('GB'), { code: 'GB', nameEn: 'United Kingdom', nameZhCn: '英国', continent: 'EU' });
    assert.deepEqual(countryInfo(' de '), { code: 'DE', nameEn: 'Germany', nameZhCn: '德国', continent: 'EU' });
    assert.equal(countryInfo('JP')?.continent, 'AS');
    assert.equal(countryInfo('BR')?.continent, 'SA');
    assert.equal(countryInfo('NG')?.continent, 'AF');
    assert.equal(countryInfo('AU')?.continent, 'OC');
    assert.equal(countryInfo('AQ')?.continent, 'AN');
  });

  it('knows no continent-less code and refuses what is not alpha-2', () => {
    for (const bad of ['', 'U', 'USA', 'UK', 'ZZ', '840', 'u$']) assert.equal(countryInfo(bad), undefined, bad);
  });
});

describe('normalizeGeoPlace and formatGeo', () => {
  it('writes places as the username grammar does: lower case, no spaces', () => {
    assert.equal(normalizeGeoPlace('Los Angeles'), 'losangeles');
    assert.equal(normalizeGeoPlace(' CA '), 'ca');
    assert.equal(normalizeGeoPlace('new_york'), 'new_york');
  });

  it('formats a location with * for a skipped part', () => {
    assert.equal(formatGeo({ country: 'us', state: 'CA', city: 'Los Angeles' }), 'US/ca/losangeles');
    assert.equal(formatGeo({ country: 'us' }), 'US');
    assert.equal(formatGeo({ country: 'us', city: 'miami' }), 'US/*/miami');
    assert.equal(formatGeo({ state: 'ca' }), '*/ca');
    assert.equal(formatGeo({}), '');
  });
});

describe('GeoCatalogue', () => {
  const nodes = [
    node('US', 'ny', 'newyork'),
    node('US', 'ca', 'losangeles', [9, 11]),
    node('US', 'ca', 'sanjose'),
    node('US', 'ca', 'losangeles'), // a second exit in the same place: listed once
    node('US', 'tx', ''), // a state without a city
    node('US', '', 'miami'), // a city without a state
    node('DE', '', ''),
    node('JP', 'tokyo', 'tokyo', [11]), // type 11 is dynamic too
    node('GB', 'england', 'london', [9], false), // disabled
    node('FR', 'idf', 'paris', [14, 25]), // static only
  ];

  it('lists served countries in ISO order, each state and (state, city) once, sorted', async () => {
    const geo = new GeoCatalogue(source(nodes));
    assert.deepEqual(await geo.countries(), [
      { code: 'DE', nameEn: 'Germany', nameZhCn: '德国', continent: 'EU', states: [], cities: [] },
      {
        code: 'JP',
        nameEn: 'Japan',
        nameZhCn: '日本',
        continent: 'AS',
        states: ['tokyo'],
        cities: [{ state: 'tokyo', city: 'tokyo' }],
      },
      {
        code: 'US',
        nameEn: 'United States',
        nameZhCn: '美国',
        continent: 'NA',
        states: ['ca', 'ny', 'tx'],
        cities: [
          { state: '', city: 'miami' },
          { state: 'ca', city: 'losangeles' },
          { state: 'ca', city: 'sanjose' },
          { state: 'ny', city: 'newyork' },
        ],
      },
    ]);
  });

  it('counts only the product types it is given', async () => {
    assert.deepEqual(DYNAMIC_PRODUCT_TYPES, [9, 11]);
    const statics = new GeoCatalogue(source(nodes), { productTypes: [14] });
    assert.deepEqual(
      (await statics.countries()).map((c) => [c.code, c.states, c.cities]),
      [['FR', ['idf'], [{ state: 'idf', city: 'paris' }]]],
    );
  });

  it('searches states of a country and cities of a state, in any case', async () => {
    const geo = new GeoCatalogue(source(nodes));
    assert.deepEqual(await geo.states('us'), ['ca', 'ny', 'tx']);
    assert.deepEqual(await geo.states('DE'), []);
    assert.deepEqual(await geo.states('GB'), []); // only a disabled node
    assert.deepEqual(await geo.states('FR'), []); // only static types
    assert.deepEqual(await geo.states('CN'), []); // valid, not served
    assert.deepEqual(await geo.cities('US', 'CA'), ['losangeles', 'sanjose']);
    assert.deepEqual(await geo.cities('us', 'tx'), []);
    assert.deepEqual(await geo.cities('US', 'zz'), []);
    assert.deepEqual(await geo.cities('DE', 'be'), []);
  });

  it('refuses a country code that is not ISO alpha-2, naming country_code', async () => {
    const geo = new GeoCatalogue(source(nodes));
    for (const bad of ['USA', 'UK', 'xx', '1']) {
      const err = await rejects(geo.states(bad), 'TG_ERR_PARAM_INVALID');
      assert.deepEqual(err.errors, { country_code: 'an ISO 3166-1 alpha-2 country code, e.g. US' });
      await rejects(geo.cities(bad, 'ca'), 'TG_ERR_PARAM_INVALID');
    }
  });

  it('reads the source on every call: a change shows at once', async () => {
    const src = source([node('US', 'ca', 'losangeles')]);
    const geo = new GeoCatalogue(src);
    assert.deepEqual(await geo.states('US'), ['ca']);
    src.nodes.push(node('US', 'wa', 'seattle'));
    assert.deepEqual(await geo.states('US'), ['ca', 'wa']);
    src.nodes.length = 0;
    assert.deepEqual(await geo.countries(), []);
    assert.equal(src.reads, 3);
  });

  describe('resolve', () => {
    const geo = new GeoCatalogue(source(nodes));

    it('answers the normalized location when a served node matches every given part', async () => {
      assert.deepEqual(await geo.resolve({}), {});
      assert.deepEqual(await geo.resolve({ country: 'us' }), { country: 'US' });
      assert.deepEqual(await geo.resolve({ country: 'US', state: 'CA' }), { country: 'US', state: 'ca' });
      assert.deepEqual(await geo.resolve({ country: 'Us', state: 'ca', city: 'Los Angeles' }), {
        country: 'US',
        state: 'ca',
        city: 'losangeles',
      });
      assert.deepEqual(await geo.resolve({ country: 'US', city: 'miami' }), { country: 'US', city: 'miami' });
      assert.deepEqual(await geo.resolve({ country: 'de', state: '', city: ' ' }), { country: 'DE' });
      assert.deepEqual(await geo.resolve({ state: 'ny' }), { state: 'ny' });
      assert.deepEqual(await geo.resolve({ country: 'JP' }), { country: 'JP' });
    });

    it('throws TG_ERR_EXTRACT_GEO_UNKNOWN naming the location otherwise', async () => {
      const cases: [Parameters<GeoCatalogue['resolve']>[0], string][] = [
        [{ country: 'us', state: 'CA', city: 'San Francisco' }, 'US/ca/sanfrancisco'],
        [{ country: 'US', state: 'ny', city: 'losangeles' }, 'US/ny/losangeles'],
        [{ country: 'de', state: 'be' }, 'DE/be'],
        [{ country: 'GB' }, 'GB'], // disabled
        [{ country: 'FR' }, 'FR'], // static only
        [{ country: 'USA' }, 'USA'], // not a code
        [{ city: 'paris' }, '*/*/paris'],
      ];
      for (const [query, geoText] of cases) {
        const err = await rejects(geo.resolve(query), 'TG_ERR_EXTRACT_GEO_UNKNOWN');
        assert.deepEqual(err.params, { geo: geoText });
        assert.equal(err.localized('en'), `Unknown location: ${geoText}`);
      }
    });

    it('narrows to one product type when asked', async () => {
      assert.deepEqual(await geo.resolve({ country: 'FR' }, { productType: 14 }), { country: 'FR' });
      assert.deepEqual(await geo.resolve({ country: 'JP' }, { productType: 11 }), { country: 'JP' });
      await rejects(geo.resolve({ country: 'JP' }, { productType: 9 }), 'TG_ERR_EXTRACT_GEO_UNKNOWN');
      await rejects(geo.resolve({ country: 'US', city: 'sanjose' }, { productType: 11 }), 'TG_ERR_EXTRACT_GEO_UNKNOWN');
    });
  });
});
