import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SecretBox } from './secret-box.js';

const SECRET = 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const OTHER_SECRET = 'other-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const PURPOSE = 'sub-account-password';

const PLAINTEXTS = [
  '',
  'a',
  'Passw0rd',
  'SuperSecretPassword123',
  'x'.repeat(1000),
  'пароль',
  '密码密码',
  'émoji 🔑 mix ü',
  '\u0000\n',
];

/** iv (12) ‖ tag (16) ‖ ciphertext, after the "v1." prefix. */
function rawOf(sealed: string): Buffer {
  assert.equal(sealed.slice(0, 3), 'v1.');
  return Buffer.from(sealed.slice(3), 'base64');
}

function seal(raw: Buffer): string {
  return `v1.${raw.toString('base64')}`;
}

for (const cacheSize of [0, 1000]) {
  describe(`SecretBox (cache ${cacheSize === 0 ? 'off' : 'on'})`, () => {
    const box = new SecretBox(SECRET, PURPOSE, cacheSize);

    for (const plaintext of PLAINTEXTS) {
      it(`round-trips ${JSON.stringify(plaintext.length > 20 ? `${plaintext.slice(0, 10)}… (${plaintext.length})` : plaintext)}`, () => {
        const sealed = box.encrypt(plaintext);
        assert.equal(box.decrypt(sealed), plaintext);
        // A fresh instance (empty cache) with the same secret and purpose reads it too.
        assert.equal(new SecretBox(SECRET, PURPOSE).decrypt(sealed), plaintext);
        assert.equal(new SecretBox(SECRET, PURPOSE, 10).decrypt(sealed), plaintext);
      });
    }

    it('stores "v1." + base64(iv ‖ tag ‖ ciphertext), as long as the UTF-8 plaintext plus 28 bytes', () => {
      for (const plaintext of PLAINTEXTS) {
        const sealed = box.encrypt(plaintext);
        assert.match(sealed, /^v1\.[A-Za-z0-9+/]+={0,2}$/);
        assert.equal(rawOf(sealed).length, 12 + 16 + Buffer.byteLength(plaintext, 'utf8'));
      }
    });

    it('does not reveal the plaintext, not even as base64', () => {
      for (const plaintext of ['SuperSecretPassword123', 'pass'.repeat(16), '密码密码密码密码']) {
        const sealed = box.encrypt(plaintext);
        assert.equal(sealed.includes(plaintext), false);
        assert.equal(sealed.includes(Buffer.from(plaintext, 'utf8').toString('base64').slice(0, 8)), false);
        assert.equal(rawOf(sealed).includes(Buffer.from(plaintext, 'utf8')), false);
      }
    });

    it('gives a different value each time for the same plaintext (random IV)', () => {
      const values = new Set(Array.from({ length: 50 }, () => box.encrypt('same-password')));
      assert.equal(values.size, 50);
      const ivs = new Set([...values].map((v) => rawOf(v).subarray(0, 12).toString('hex')));
      assert.equal(ivs.size, 50);
      for (const v of values) assert.equal(box.decrypt(v), 'same-password');
    });

    it('cannot be read with a key derived from another secret', () => {
      const sealed = box.encrypt('Passw0rd');
      assert.throws(() => new SecretBox(OTHER_SECRET, PURPOSE).decrypt(sealed));
      assert.throws(() => new SecretBox(OTHER_SECRET, PURPOSE, cacheSize).decrypt(sealed));
    });

    it('cannot be read with a key derived for another purpose', () => {
      const sealed = box.encrypt('Passw0rd');
      assert.throws(() => new SecretBox(SECRET, 'something-else').decrypt(sealed));
      assert.throws(() => new SecretBox(SECRET, 'something-else', cacheSize).decrypt(sealed));
      // And the other way round.
      const other = new SecretBox(SECRET, 'something-else', cacheSize).encrypt('Passw0rd');
      assert.throws(() => box.decrypt(other));
    });

    it('throws on a value altered in its IV, tag or ciphertext', () => {
      const sealed = box.encrypt('Passw0rd1234');
      const raw = rawOf(sealed);
      for (const index of [0, 11, 12, 27, 28, raw.length - 1]) {
        const tampered = Buffer.from(raw);
        tampered[index] = (tampered[index] ?? 0) ^ 0x01;
        assert.throws(() => box.decrypt(seal(tampered)), `byte ${index}`);
      }
      assert.throws(() => box.decrypt(seal(Buffer.concat([raw, Buffer.from([0])]))), 'byte appended');
      assert.throws(() => box.decrypt(seal(raw.subarray(0, raw.length - 1))), 'byte removed');
      // Swapping one value's tag into another.
      const other = rawOf(box.encrypt('Passw0rd1234'));
      const spliced = Buffer.concat([raw.subarray(0, 12), other.subarray(12, 28), raw.subarray(28)]);
      assert.throws(() => box.decrypt(seal(spliced)), 'tag from another value');
      // The untouched value still reads.
      assert.equal(box.decrypt(sealed), 'Passw0rd1234');
    });

    it('throws on a value too short to hold an IV and a tag', () => {
      assert.throws(() => box.decrypt(seal(Buffer.alloc(27))), /truncated secret/);
      assert.throws(() => box.decrypt('v1.'), /truncated secret/);
    });

    it('throws on an unknown prefix', () => {
      const sealed = box.encrypt('Passw0rd');
      for (const value of [`v2.${sealed.slice(3)}`, sealed.slice(3), `V1.${sealed.slice(3)}`, 'Passw0rd', '']) {
        assert.throws(() => box.decrypt(value), /unknown secret format/, JSON.stringify(value));
      }
    });
  });
}

describe('SecretBox cache', () => {
  it('gives the same results with the cache on and off', () => {
    const off = new SecretBox(SECRET, PURPOSE, 0);
    const on = new SecretBox(SECRET, PURPOSE, 3);
    const sealed = PLAINTEXTS.map((p, i) => (i % 2 === 0 ? off : on).encrypt(p));
    for (let round = 0; round < 3; round++) {
      assert.deepEqual(
        sealed.map((s) => off.decrypt(s)),
        PLAINTEXTS,
      );
      assert.deepEqual(
        sealed.map((s) => on.decrypt(s)),
        PLAINTEXTS,
      );
    }
  });

  it('keeps answering correctly after evicting entries (cache of 2)', () => {
    const box = new SecretBox(SECRET, PURPOSE, 2);
    const values = Array.from({ length: 10 }, (_, i) => `password${i}`);
    const sealed = values.map((v) => box.encrypt(v));
    assert.deepEqual(
      sealed.map((s) => box.decrypt(s)),
      values,
    );
    assert.deepEqual(
      [...sealed].reverse().map((s) => box.decrypt(s)),
      [...values].reverse(),
    );
  });

  it('does not let a cached value be read by another key', () => {
    const box = new SecretBox(SECRET, PURPOSE, 100);
    const sealed = box.encrypt('Passw0rd');
    assert.equal(box.decrypt(sealed), 'Passw0rd');
    assert.throws(() => new SecretBox(OTHER_SECRET, PURPOSE, 100).decrypt(sealed));
  });
});
