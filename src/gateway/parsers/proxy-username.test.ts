import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import countries from 'i18n-iso-countries';
import { type ParsedUsername, parseProxyUsername } from './proxy-username.js';

/** The parser always sets every field; tests name only the ones that matter. */
function parsed(fields: Partial<ParsedUsername> & { name: string }): ParsedUsername {
  return { country: undefined, state: undefined, city: undefined, session: undefined, lifeMinutes: 10, ip: undefined, ...fields };
}

const VALID: ReadonlyArray<readonly [string, ParsedUsername]> = [
  ['user01', parsed({ name: 'user01' })],
  ['a', parsed({ name: 'a' })],
  ['0', parsed({ name: '0' })],
  ['UserName', parsed({ name: 'UserName' })],
  ['a'.repeat(32), parsed({ name: 'a'.repeat(32) })],
  [
    'user01-country-us-state-ca-city-losangeles-session-a1b2c3-life-30',
    parsed({ name: 'user01', country: 'US', state: 'ca', city: 'losangeles', session: 'a1b2c3', lifeMinutes: 30 }),
  ],
  // Order does not matter; state before country is fine.
  [
    'user01-life-30-session-a1b2c3-city-losangeles-state-ca-country-us',
    parsed({ name: 'user01', country: 'US', state: 'ca', city: 'losangeles', session: 'a1b2c3', lifeMinutes: 30 }),
  ],
  ['u-country-us', parsed({ name: 'u', country: 'US' })],
  ['u-country-US', parsed({ name: 'u', country: 'US' })],
  ['u-country-Us', parsed({ name: 'u', country: 'US' })],
  ['u-cc-de', parsed({ name: 'u', country: 'DE' })],
  ['u-region-gb', parsed({ name: 'u', country: 'GB' })],
  ['u-COUNTRY-fr', parsed({ name: 'u', country: 'FR' })],
  ['u-Cc-jp', parsed({ name: 'u', country: 'JP' })],
  ['u-country-xk', parsed({ name: 'u', country: 'XK' })],
  ['u-country-us-state-new_york', parsed({ name: 'u', country: 'US', state: 'new_york' })],
  ['u-country-us-st-TX', parsed({ name: 'u', country: 'US', state: 'tx' })],
  ['u-country-us-STATE-Ca', parsed({ name: 'u', country: 'US', state: 'ca' })],
  ['u-country-us-state-' + 's'.repeat(64), parsed({ name: 'u', country: 'US', state: 's'.repeat(64) })],
  ['u-country-us-city-LosAngeles', parsed({ name: 'u', country: 'US', city: 'losangeles' })],
  ['u-country-us-city-los_angeles', parsed({ name: 'u', country: 'US', city: 'los_angeles' })],
  ['u-country-cn-city-_', parsed({ name: 'u', country: 'CN', city: '_' })],
  ['u-country-us-city-' + 'c'.repeat(64), parsed({ name: 'u', country: 'US', city: 'c'.repeat(64) })],
  ['u-session-AbC123', parsed({ name: 'u', session: 'AbC123' })],
  ['u-sessid-x', parsed({ name: 'u', session: 'x' })],
  ['u-SESSID-X', parsed({ name: 'u', session: 'X' })],
  ['u-session-' + 'z'.repeat(32), parsed({ name: 'u', session: 'z'.repeat(32) })],
  ['u-life-1', parsed({ name: 'u', lifeMinutes: 1 })],
  ['u-ip-127.0.0.2', parsed({ name: 'u', ip: '127.0.0.2' })],
  ['u-IP-2001_db8__1', parsed({ name: 'u', ip: '2001:db8::1' })],
  ['u-ip-2001:DB8:0::1', parsed({ name: 'u', ip: '2001:db8::1' })],
  ['u-ip-__ffff_1.2.3.4-session-x1', parsed({ name: 'u', ip: '1.2.3.4', session: 'x1' })],
  ['u-life-10', parsed({ name: 'u', lifeMinutes: 10 })],
  ['u-life-1440', parsed({ name: 'u', lifeMinutes: 1440 })],
  ['u-life-030', parsed({ name: 'u', lifeMinutes: 30 })],
  ['u-sesstime-60', parsed({ name: 'u', lifeMinutes: 60 })],
  ['u-LIFE-5', parsed({ name: 'u', lifeMinutes: 5 })],
  ['u-session-s1-sesstime-120', parsed({ name: 'u', session: 's1', lifeMinutes: 120 })],
];

const HOSTILE: ReadonlyArray<readonly [input: string, error: string]> = [
  ['', 'name must be 1 to 32 ASCII letters or digits'],
  ['-', 'name must be 1 to 32 ASCII letters or digits'],
  ['--', 'name must be 1 to 32 ASCII letters or digits'],
  ['-country-us', 'name must be 1 to 32 ASCII letters or digits'],
  ['a'.repeat(33), 'name must be 1 to 32 ASCII letters or digits'],
  ['a'.repeat(33) + '-country-us', 'name must be 1 to 32 ASCII letters or digits'],
  ['üser', 'name must be 1 to 32 ASCII letters or digits'],
  ['user😀', 'name must be 1 to 32 ASCII letters or digits'],
  ['user_01', 'name must be 1 to 32 ASCII letters or digits'],
  ['user 01', 'name must be 1 to 32 ASCII letters or digits'],
  ['user:pass', 'name must be 1 to 32 ASCII letters or digits'],
  ['user\0', 'name must be 1 to 32 ASCII letters or digits'],
  ['ｕｓｅｒ', 'name must be 1 to 32 ASCII letters or digits'],
  ['user-', 'empty key'],
  ['user--country-us', 'empty key'],
  ['user-country-us-', 'empty key'],
  ['user-country-us--', 'empty key'],
  ['user-country', 'missing value for country'],
  ['user-cc', 'missing value for country'],
  ['user-life', 'missing value for life'],
  ['user-ip-1.2.3', 'ip "1.2.3" is not an IPv4 or IPv6 address'],
  ['user-ip-010.0.0.1', 'ip "010.0.0.1" is not an IPv4 or IPv6 address'],
  ['user-ip-example', 'ip "example" is not an IPv4 or IPv6 address'],
  ['user-ip-1.2.3.4-ip-1.2.3.5', 'repeated key "ip"'],
  ['user-country-', 'empty value for country'],
  ['user-country--state-ca', 'empty value for country'],
  ['user-session-', 'empty value for session'],
  ['user-foo', 'unknown key "foo"'],
  ['user-foo-bar', 'unknown key "foo"'],
  ['user-countryy-us', 'unknown key "countryy"'],
  ['user-sessiontime-5', 'unknown key "sessiontime"'],
  ['user-sid-abc', 'unknown key "sid"'],
  ['user-' + 'k'.repeat(40) + '-v', `unknown key "${'k'.repeat(32)}..."`],
  ['user-kéy-v', 'unknown key "k?y"'],
  ['user-a"b\\c\r\n-v', 'unknown key "a?b?c??"'],
  ['user-country-us-country-gb', 'repeated key "country"'],
  ['user-cc-us-region-gb', 'repeated key "country" (given again as "region")'],
  ['user-country-us-CC-us', 'repeated key "country" (given again as "cc")'],
  ['user-country-us-Country-us', 'repeated key "country"'],
  ['user-country-us-state-ca-st-ny', 'repeated key "state" (given again as "st")'],
  ['user-country-us-city-a-city-b', 'repeated key "city"'],
  ['user-session-a-sessid-b', 'repeated key "session" (given again as "sessid")'],
  ['user-life-5-sesstime-6', 'repeated key "life" (given again as "sesstime")'],
  ['user-life-5-life-5', 'repeated key "life"'],
  ['user-country-uk', 'country "uk" is not an ISO 3166-1 alpha-2 code (use "gb")'],
  ['user-country-UK', 'country "UK" is not an ISO 3166-1 alpha-2 code (use "gb")'],
  ['user-country-el', 'country "el" is not an ISO 3166-1 alpha-2 code (use "gr")'],
  ['user-country-xx', 'country "xx" is not an ISO 3166-1 alpha-2 code'],
  ['user-country-zz', 'country "zz" is not an ISO 3166-1 alpha-2 code'],
  ['user-country-eu', 'country "eu" is not an ISO 3166-1 alpha-2 code'],
  ['user-country-u', 'country "u" is not an ISO 3166-1 alpha-2 code'],
  ['user-country-usa', 'country "usa" is not an ISO 3166-1 alpha-2 code'],
  ['user-country-840', 'country "840" is not an ISO 3166-1 alpha-2 code'],
  ['user-country-u1', 'country "u1" is not an ISO 3166-1 alpha-2 code'],
  ['user-country-u_', 'country "u_" is not an ISO 3166-1 alpha-2 code'],
  ['user-country-üs', 'country "?s" is not an ISO 3166-1 alpha-2 code'],
  ['user-country-ｕｓ', 'country "??" is not an ISO 3166-1 alpha-2 code'],
  ['user-state-ca', 'state needs a country'],
  ['user-city-paris', 'city needs a country'],
  ['user-state-ca-city-la', 'state needs a country'],
  ['user-country-us-state-' + 's'.repeat(65), 'state must be 1 to 64 ASCII letters, digits or underscores'],
  ['user-country-us-state-new york', 'state must be 1 to 64 ASCII letters, digits or underscores'],
  ['user-country-us-state-ca.', 'state must be 1 to 64 ASCII letters, digits or underscores'],
  ['user-country-us-city-Los Angeles', 'city must be 1 to 64 ASCII letters, digits or underscores'],
  ['user-country-us-city-los%20angeles', 'city must be 1 to 64 ASCII letters, digits or underscores'],
  ['user-country-de-city-münchen', 'city must be 1 to 64 ASCII letters, digits or underscores'],
  ['user-country-us-city-' + 'c'.repeat(65), 'city must be 1 to 64 ASCII letters, digits or underscores'],
  ['user-session-' + 'a'.repeat(33), 'session must be 1 to 32 ASCII letters or digits'],
  ['user-session-a_b', 'session must be 1 to 32 ASCII letters or digits'],
  ['user-session-a b', 'session must be 1 to 32 ASCII letters or digits'],
  ['user-session-ä', 'session must be 1 to 32 ASCII letters or digits'],
  ['user-life-0', 'life must be an integer from 1 to 1440'],
  ['user-life-00', 'life must be an integer from 1 to 1440'],
  ['user-life-1441', 'life must be an integer from 1 to 1440'],
  ['user-life-99999999999999999999', 'life must be an integer from 1 to 1440'],
  ['user-life-1e3', 'life must be an integer from 1 to 1440'],
  ['user-life-1.5', 'life must be an integer from 1 to 1440'],
  ['user-life-+5', 'life must be an integer from 1 to 1440'],
  ['user-life- 5', 'life must be an integer from 1 to 1440'],
  ['user-life-0x10', 'life must be an integer from 1 to 1440'],
  ['user-life-ten', 'life must be an integer from 1 to 1440'],
  ['user-life-１０', 'life must be an integer from 1 to 1440'],
  // The first fault wins.
  ['user-foo-bar-country-xx', 'unknown key "foo"'],
  ['user-country-xx-foo-bar', 'country "xx" is not an ISO 3166-1 alpha-2 code'],
];

describe('parseProxyUsername', () => {
  for (const [input, expected] of VALID) {
    it(`parses ${JSON.stringify(input)}`, () => {
      assert.deepEqual(parseProxyUsername(input), expected);
    });
  }

  for (const [input, error] of HOSTILE) {
    it(`refuses ${JSON.stringify(input.length > 60 ? input.slice(0, 60) + '...' : input)}`, () => {
      assert.deepEqual(parseProxyUsername(input), { error });
    });
  }

  it('accepts every assigned alpha-2 code in either case and refuses every other pair of letters', () => {
    const assigned = new Set(Object.keys(countries.getAlpha2Codes()));
    assert.ok(assigned.size >= 249, `only ${assigned.size} codes`);
    for (let a = 0x41; a <= 0x5a; a++) {
      for (let b = 0x41; b <= 0x5a; b++) {
        const code = String.fromCharCode(a, b);
        for (const given of [code, code.toLowerCase()]) {
          const result = parseProxyUsername(`u-country-${given}`);
          if (assigned.has(code)) assert.deepEqual(result, parsed({ name: 'u', country: code }));
          else assert.ok('error' in result, `${given} accepted`);
        }
      }
    }
  });

  it('accepts every ASCII letter and digit in the name and refuses every other character', () => {
    for (let c = 0; c < 0x3000; c++) {
      const ch = String.fromCharCode(c);
      const ok = /^[A-Za-z0-9]$/.test(ch);
      const result = parseProxyUsername(`a${ch}b`);
      if (ok) assert.deepEqual(result, parsed({ name: `a${ch}b` }));
      else if (ch === '-') assert.deepEqual(result, { error: 'unknown key "b"' });
      else assert.ok('error' in result, `U+${c.toString(16)} accepted`);
    }
  });

  it('accepts every life from 1 to 1440', () => {
    for (let m = 1; m <= 1440; m++) assert.deepEqual(parseProxyUsername(`u-life-${m}`), parsed({ name: 'u', lifeMinutes: m }));
  });

  it('stops at the first fault on a long hostile username', () => {
    const raw = 'u-foo' + '-x'.repeat(100_000);
    assert.deepEqual(parseProxyUsername(raw), { error: 'unknown key "foo"' });
  });

  it('gives every result the same keys', () => {
    const keys = Object.keys(parseProxyUsername('u')).sort();
    assert.deepEqual(keys, ['city', 'country', 'ip', 'lifeMinutes', 'name', 'session', 'state']);
    assert.deepEqual(Object.keys(parseProxyUsername(VALID[5]![0])).sort(), keys);
  });
});
