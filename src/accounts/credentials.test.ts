import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  APP_KEY_LENGTH,
  DUMMY_PASSWORD_HASH,
  generateAppKey,
  hashAppKey,
  hashPassword,
  safeEqual,
  verifyPassword,
} from './credentials.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

describe('generateAppKey', () => {
  it('is 32 characters of [A-Za-z0-9]', () => {
    assert.equal(APP_KEY_LENGTH, 32);
    for (let i = 0; i < 1000; i++) {
      const key = generateAppKey();
      assert.match(key, /^[A-Za-z0-9]{32}$/);
    }
  });

  it('gives 1000 distinct keys', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateAppKey()));
    assert.equal(keys.size, 1000);
  });

  it('uses every one of the 62 characters across 2000 keys', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) for (const ch of generateAppKey()) seen.add(ch);
    assert.equal(seen.size, 62);
    assert.deepEqual([...seen].sort(), [...ALPHABET].sort());
  });

  it('is unbiased: every character within 10% of its expected count over 10,000 keys', () => {
    // Without rejection sampling (byte % 62 over all 256 values) the first 8 characters
    // would come up 25% more often; 10% is about 7 standard deviations for a fair draw.
    const counts = new Map<string, number>();
    for (let i = 0; i < 10_000; i++) for (const ch of generateAppKey()) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    const expected = (10_000 * 32) / 62;
    for (const ch of ALPHABET) {
      const n = counts.get(ch) ?? 0;
      assert.ok(Math.abs(n - expected) < expected * 0.1, `${ch} drawn ${n} times, expected about ${Math.round(expected)}`);
    }
  });
});

describe('hashAppKey', () => {
  it('is the SHA-256 hex digest', () => {
    for (const key of ['', 'a', generateAppKey(), generateAppKey(), 'ключ-中文-🔑']) {
      assert.equal(hashAppKey(key), createHash('sha256').update(key, 'utf8').digest('hex'));
    }
  });

  it('matches the known SHA-256 test vector', () => {
    assert.equal(hashAppKey('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('is 64 lowercase hex characters and differs between keys', () => {
    const a = hashAppKey(generateAppKey());
    const b = hashAppKey(generateAppKey());
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.notEqual(a, b);
  });
});

describe('safeEqual', () => {
  const table: [string, string, boolean][] = [
    ['', '', true],
    ['abc', 'abc', true],
    ['中文', '中文', true],
    ['abc', 'abd', false],
    ['abc', 'ABC', false],
    ['abc', 'abcd', false],
    ['abcd', 'abc', false],
    ['a', '', false],
    ['', 'a', false],
    ['é', 'e', false],
    ['é', 'e\u0301', false],
  ];
  for (const [a, b, expected] of table) {
    it(`${JSON.stringify(a)} vs ${JSON.stringify(b)} → ${expected}`, () => {
      assert.equal(safeEqual(a, b), expected);
    });
  }
});

describe('hashPassword / verifyPassword', () => {
  it('round-trips, and a wrong password is false', async () => {
    const stored = await hashPassword('correct horse battery staple');
    assert.equal(await verifyPassword('correct horse battery staple', stored), true);
    assert.equal(await verifyPassword('correct horse battery stapl', stored), false);
    assert.equal(await verifyPassword('Correct horse battery staple', stored), false);
    assert.equal(await verifyPassword('', stored), false);
  });

  it('round-trips a unicode password', async () => {
    const stored = await hashPassword('пароль-密码-🔑');
    assert.equal(await verifyPassword('пароль-密码-🔑', stored), true);
    assert.equal(await verifyPassword('пароль-密码-🔒', stored), false);
  });

  it('stores scrypt$N$r$p$salt$hash, never the password', async () => {
    const stored = await hashPassword('visible?');
    assert.match(stored, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    assert.equal(stored.includes('visible?'), false);
    assert.equal(stored.includes(Buffer.from('visible?').toString('base64')), false);
  });

  it('salts: two hashes of the same password differ, and both verify', async () => {
    const [a, b] = await Promise.all([hashPassword('same-password'), hashPassword('same-password')]);
    assert.notEqual(a, b);
    assert.notEqual(a.split('$')[4], b.split('$')[4]);
    assert.equal(await verifyPassword('same-password', a), true);
    assert.equal(await verifyPassword('same-password', b), true);
  });

  it('is false for a malformed stored hash', async () => {
    const good = await hashPassword('pw123456');
    const [, n, r, p, salt, hash] = good.split('$');
    const malformed = [
      '',
      'garbage',
      'pw123456',
      `bcrypt$${n}$${r}$${p}$${salt}$${hash}`,
      `scrypt$${n}$${r}$${p}$${salt}`,
      `scrypt$${n}$${r}$${p}$$${hash}`,
      `scrypt$${n}$${r}$$${salt}$${hash}`,
      `scrypt$${n}$${r}$${p}$${salt}$`,
    ];
    for (const stored of malformed) assert.equal(await verifyPassword('pw123456', stored), false, stored);
  });

  it('is false for the dummy hash used for unknown emails', async () => {
    for (const password of ['', 'password', 'pw123456']) assert.equal(await verifyPassword(password, DUMMY_PASSWORD_HASH), false);
  });

  it('is false when the stored hash part decodes to zero bytes', async () => {
    const good = await hashPassword('pw123456');
    const [, n, r, p, salt] = good.split('$');
    for (const hash of ['!!!', '=', '====', '*']) {
      const stored = `scrypt$${n}$${r}$${p}$${salt}$${hash}`;
      assert.equal(await verifyPassword('any password at all', stored), false, stored);
    }
  });

  it('is false (does not reject) when the scrypt parameters are not usable', async () => {
    const good = await hashPassword('pw123456');
    const [, , , , salt, hash] = good.split('$');
    for (const [n, r, p] of [
      ['abc', '8', '1'],
      ['1000', '8', '1'],
      ['16384', 'x', '1'],
      ['1048576', '8', '1'],
      ['-16384', '8', '1'],
    ]) {
      const stored = `scrypt$${n}$${r}$${p}$${salt}$${hash}`;
      assert.equal(await verifyPassword('pw123456', stored), false, stored);
    }
  });
});
