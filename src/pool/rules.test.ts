import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkNodeFields, normalizeCountry, normalizePlace, normalizeTypes } from './rules.js';

describe('node field rules', () => {
  it('takes ISO 3166-1 alpha-2 countries, upper-cased', () => {
    assert.equal(normalizeCountry('us'), 'US');
    assert.equal(normalizeCountry(' de '), 'DE');
    for (const bad of ['', 'USA', 'XX', 'U', 'UK', '12']) assert.equal(normalizeCountry(bad), undefined, bad);
  });

  it('takes lower-case places of letters, digits and underscores', () => {
    assert.equal(normalizePlace('CA'), 'ca');
    assert.equal(normalizePlace('new_york'), 'new_york');
    assert.equal(normalizePlace(''), '');
    for (const bad of ['new york', 'são_paulo', 'a-b', 'x'.repeat(65)]) assert.equal(normalizePlace(bad), undefined, bad);
  });

  it('takes non-empty sets of known product types, sorted', () => {
    assert.deepEqual(normalizeTypes([11, 9, 11]), [9, 11]);
    assert.deepEqual(normalizeTypes([25, 14]), [14, 25]);
    assert.equal(normalizeTypes([]), undefined);
    assert.equal(normalizeTypes([9, 10]), undefined);
  });

  it('checks every field at once', () => {
    const { errors } = checkNodeFields({ url: 'ftp://x:1', country: 'XX', state: 'a b', city: 'ok', types: [1], weight: 0 });
    assert.deepEqual(Object.keys(errors).sort(), ['country', 'state', 'types', 'url', 'weight']);
    const { fields } = checkNodeFields({ url: 'direct://', country: 'fr', weight: 1000 });
    assert.deepEqual(fields, { endpoint: { kind: 'direct' }, country: 'FR', weight: 1000 });
    assert.ok(checkNodeFields({ weight: 1001 }).errors.weight);
    assert.ok(checkNodeFields({ weight: 2.5 }).errors.weight);
  });
});
