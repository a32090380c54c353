import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_AUTHORIZATION_LENGTH, parseBasicCredentials } from './basic-auth.js';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const basic = (userPass: string): string => `Basic ${b64(userPass)}`;

const VALID: ReadonlyArray<readonly [header: string, username: string, password: string]> = [
  [basic('user:pass'), 'user', 'pass'],
  // RFC 7617 §2's example.
  ['Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==', 'Aladdin', 'open sesame'],
  ['basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==', 'Aladdin', 'open sesame'],
  ['BASIC QWxhZGRpbjpvcGVuIHNlc2FtZQ==', 'Aladdin', 'open sesame'],
  ['bAsIc QWxhZGRpbjpvcGVuIHNlc2FtZQ==', 'Aladdin', 'open sesame'],
  ['Basic   QWxhZGRpbjpvcGVuIHNlc2FtZQ==', 'Aladdin', 'open sesame'],
  ['Basic\tQWxhZGRpbjpvcGVuIHNlc2FtZQ==', 'Aladdin', 'open sesame'],
  ['  Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==  ', 'Aladdin', 'open sesame'],
  ['Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\t', 'Aladdin', 'open sesame'],
  // Padding left off is tolerated.
  ['Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ', 'Aladdin', 'open sesame'],
  [`Basic ${b64('u:pw').replace(/=+$/, '')}`, 'u', 'pw'],
  // Split on the first colon: the password may hold colons, the user-id cannot.
  [basic('user:pa:ss'), 'user', 'pa:ss'],
  [basic('user::'), 'user', ':'],
  [basic('user:'), 'user', ''],
  [basic('u:p'), 'u', 'p'],
  [basic('user01-country-us-session-a1b2-life-30:s3cret'), 'user01-country-us-session-a1b2-life-30', 's3cret'],
  // RFC 7617 §2.1: UTF-8.
  [basic('jürgen:pässwörd'), 'jürgen', 'pässwörd'],
  [basic('用户:密码'), '用户', '密码'],
  [basic('emoji:😀'), 'emoji', '😀'],
  [basic('sp ace:p w'), 'sp ace', 'p w'],
  // Every 3-byte boundary case of padding.
  [basic('a:'), 'a', ''],
  [basic('a:b'), 'a', 'b'],
  [basic('a:bc'), 'a', 'bc'],
  [basic('a:bcd'), 'a', 'bcd'],
  [basic('a:' + 'x'.repeat(700)), 'a', 'x'.repeat(700)],
];

const HOSTILE: ReadonlyArray<readonly [label: string, header: string | undefined]> = [
  ['undefined', undefined],
  ['empty', ''],
  ['spaces', '   '],
  ['scheme only', 'Basic'],
  ['scheme and space', 'Basic '],
  ['scheme and spaces', 'Basic    '],
  ['no scheme', b64('user:pass')],
  ['other scheme', `Bearer ${b64('user:pass')}`],
  ['Digest', 'Digest username="u", realm="r"'],
  ['scheme glued to token', `Basic${b64('user:pass')}`],
  ['longer scheme', `Basicx ${b64('user:pass')}`],
  ['scheme with a comma', `Basic, ${b64('user:pass')}`],
  ['no colon', basic('userpass')],
  ['empty user-id', basic(':pass')],
  ['empty user-pass', 'Basic ='],
  ['colon only', basic(':')],
  ['NUL in the user-id', basic('us\0er:pass')],
  ['CR LF in the password', basic('user:pa\r\nss')],
  ['DEL in the password', basic('user:pa\x7fss')],
  ['tab in the user-id', basic('us\ter:pass')],
  ['not UTF-8', `Basic ${Buffer.from([0x75, 0x3a, 0xff, 0xfe]).toString('base64')}`],
  ['lone surrogate as CESU-8', `Basic ${Buffer.from([0x75, 0x3a, 0xed, 0xa0, 0x80]).toString('base64')}`],
  ['overlong encoding of "/"', `Basic ${Buffer.from([0x75, 0x3a, 0xc0, 0xaf]).toString('base64')}`],
  ['base64url "-"', 'Basic dXNlcjp-'],
  ['base64url "_"', 'Basic dXNlcjp_'],
  ['"*" in token', 'Basic dXNl*jpwYXNz'],
  ['"." in token', 'Basic dXNlcjpwYXNz.'],
  ['space inside token', 'Basic dXNlcjp wYXNz'],
  ['two tokens', `Basic ${b64('user:pass')} ${b64('user:pass')}`],
  ['non-ASCII in token', 'Basic dXNlcjpwYXNzé'],
  ['fullwidth in token', 'Basic ｄXNlcjpwYXNz'],
  ['length 4n+1', 'Basic dXNlcjpwYXNzZ'],
  ['padding in the middle', 'Basic dXM=ZXI6cGFzcw=='],
  ['three "="', 'Basic dXNlcjpwYQ==='],
  ['padding making a bad length', 'Basic dXNlcjpwYXNzZ='],
  ['one "=" where two are due', 'Basic dXNlcjpwYXNzMQ='],
  ['"=" only', 'Basic ===='],
  ['header value with CR LF', `Basic ${b64('user:pass')}\r\nX-Injected: 1`],
  ['over-long header', `Basic ${b64('user:' + 'x'.repeat(800))}`],
];

describe('parseBasicCredentials', () => {
  for (const [header, username, password] of VALID) {
    it(`parses ${JSON.stringify(header.length > 60 ? header.slice(0, 60) + '...' : header)}`, () => {
      assert.deepEqual(parseBasicCredentials(header), { username, password });
    });
  }

  for (const [label, header] of HOSTILE) {
    it(`refuses ${label}`, () => {
      assert.equal(parseBasicCredentials(header), undefined);
    });
  }

  it(`accepts a header of exactly ${MAX_AUTHORIZATION_LENGTH} characters and refuses one more`, () => {
    assert.equal(MAX_AUTHORIZATION_LENGTH, 1024);
    // 'Basic ' + 1016 base64 characters = 1022 bytes of user-pass.
    const userPass = 'u:' + 'p'.repeat(760);
    const header = basic(userPass);
    assert.equal(header.length, 6 + 1016);
    const padded = `${header}  `;
    assert.equal(padded.length, 1024);
    assert.deepEqual(parseBasicCredentials(padded), { username: 'u', password: 'p'.repeat(760) });
    assert.equal(parseBasicCredentials(`${padded} `), undefined);
  });

  it('refuses every character outside the base64 alphabet in the token', () => {
    const good = b64('user:pass');
    assert.equal(good, 'dXNlcjpwYXNz');
    for (let c = 0; c < 0x100; c++) {
      const ch = String.fromCharCode(c);
      if (/[A-Za-z0-9+/]/.test(ch)) continue;
      const header = `Basic dXNl${ch}cjpwYXNz`;
      assert.equal(parseBasicCredentials(header), undefined, `U+${c.toString(16)} accepted`);
    }
  });

  it('round-trips random credentials', () => {
    const chars = [...'abcXYZ019 :!@#$%^&*()_+-=[]{}|;\'",.<>/?`~éß用😀'];
    const pick = (n: number): string => Array.from({ length: n }, () => chars[Math.floor(Math.random() * chars.length)]).join('');
    for (let i = 0; i < 2000; i++) {
      const username = pick(1 + (i % 20)).replaceAll(':', 'c');
      const password = pick(i % 30);
      assert.deepEqual(parseBasicCredentials(basic(`${username}:${password}`)), { username, password });
    }
  });
});
