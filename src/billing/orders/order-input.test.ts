import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRegionList, parseUpids } from './order-input.js';

describe('parseRegionList', () => {
  it('reads COUNTRY:COUNT lists in any case, skipping blank entries', () => {
    assert.deepEqual(parseRegionList('US:2,DE:1', 1000), {
      ok: true,
      value: [
        { country: 'US', count: 2 },
        { country: 'DE', count: 1 },
      ],
    });
    assert.deepEqual(parseRegionList(' us : 3 ,, gb:1,', 1000), {
      ok: true,
      value: [
        { country: 'US', count: 3 },
        { country: 'GB', count: 1 },
      ],
    });
  });

  it('reads the newer release’s COUNTRY,COUNT|COUNTRY,COUNT form, one region included', () => {
    assert.deepEqual(parseRegionList('JP,2|us,1', 10), {
      ok: true,
      value: [
        { country: 'JP', count: 2 },
        { country: 'US', count: 1 },
      ],
    });
    assert.deepEqual(parseRegionList(' de , 3 ', 10), { ok: true, value: [{ country: 'DE', count: 3 }] });
    assert.equal(parseRegionList('JP,2|JP,1', 10).ok, false);
    assert.equal(parseRegionList('JP:2|US,1', 10).ok, false);
    assert.equal(parseRegionList('JP,0', 10).ok, false);
  });

  it('refuses what is not a list of valid countries with counts in range', () => {
    for (const [input, reason] of [
      ['', /one or more/],
      [',', /one or more/],
      ['US', /not COUNTRY:COUNT/],
      ['US:', /not COUNTRY:COUNT/],
      ['US:-1', /not COUNTRY:COUNT/],
      ['US:1.5', /not COUNTRY:COUNT/],
      ['US:0', /US: the count must be 1-5/],
      ['US:6', /US: the count must be 1-5/],
      ['UK:1', /UK: an ISO 3166-1/],
      ['USA:1', /USA: an ISO 3166-1/],
      ['US:1,us:2', /US is named twice/],
      ['US:1;DE:1', /not COUNTRY:COUNT/],
    ] as const) {
      const parsed = parseRegionList(input, 5);
      assert.equal(parsed.ok, false, input);
      if (!parsed.ok) assert.match(parsed.reason, reason, input);
    }
  });
});

describe('parseUpids', () => {
  it('reads ids from text or an array, once each', () => {
    assert.deepEqual(parseUpids('1,2, 3,2'), { ok: true, value: [1, 2, 3] });
    assert.deepEqual(parseUpids([5, 4, 5]), { ok: true, value: [5, 4] });
    assert.deepEqual(parseUpids('7,'), { ok: true, value: [7] });
  });

  it('refuses anything but positive integer ids', () => {
    for (const input of ['', ',', 'a', '0', '-1', '1.5', '1,x', [0], [-2]]) {
      assert.equal(parseUpids(input).ok, false, JSON.stringify(input));
    }
    assert.equal(parseUpids(Array.from({ length: 1001 }, (_, i) => i + 1)).ok, false);
  });
});
