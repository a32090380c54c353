import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isValidName,
  isValidPassword,
  NAME_MAX,
  PASSWORD_MAX,
  PASSWORD_MIN,
  parseCredentialBatch,
  parseNameBatch,
  REMARK_MAX_WIDTH,
  remarkProblem,
  remarkWidth,
  splitBatch,
} from './rules.js';

const TOO_WIDE = 'at most 32 Chinese or 64 Latin characters';
const CONTROL = 'must not contain control characters';

/** Inputs no name or password may be, whatever its length. */
const HOSTILE = [
  '',
  ' ',
  'user-01',
  'user_01',
  'user 01',
  ' user01',
  'user01 ',
  'user01\n',
  'user01\t',
  '\nuser01',
  'user\u000001',
  'user:01',
  'user.01',
  'user@01',
  'user,01',
  "user'01",
  'user%2d01',
  'café1234',
  'é',
  '中',
  '中文用户',
  'ｕｓｅｒ01',
  '١٢٣٤',
  'İstanbul',
  'user\u200b01',
  '😀pass',
];

describe('isValidName', () => {
  const valid = ['a', 'Z', '0', 'user01', 'USER01', 'AbC123xYz', 'a'.repeat(NAME_MAX), '9'.repeat(NAME_MAX)];
  for (const name of valid) {
    it(`accepts ${JSON.stringify(name)}`, () => {
      assert.equal(isValidName(name), true);
    });
  }

  const invalid = [...HOSTILE, 'a'.repeat(NAME_MAX + 1), '1'.repeat(100)];
  for (const name of invalid) {
    it(`rejects ${JSON.stringify(name.length > 40 ? `${name.slice(0, 10)}… (${name.length})` : name)}`, () => {
      assert.equal(isValidName(name), false);
    });
  }

  it('has the documented bounds: 1 to 32 characters', () => {
    assert.equal(NAME_MAX, 32);
    assert.deepEqual(
      [0, 1, 31, 32, 33].map((n) => isValidName('x'.repeat(n))),
      [false, true, true, true, false],
    );
  });
});

describe('isValidPassword', () => {
  const valid = ['abcd', '1234', 'Pass', 'Passw0rd', 'a'.repeat(PASSWORD_MAX), 'Z9'.repeat(32)];
  for (const password of valid) {
    it(`accepts ${JSON.stringify(password)}`, () => {
      assert.equal(isValidPassword(password), true);
    });
  }

  const invalid = [
    ...HOSTILE,
    'a',
    'ab',
    'abc',
    'a'.repeat(PASSWORD_MAX + 1),
    'pass-word',
    'pass_word',
    'pass word',
    '密码密码密码',
  ];
  for (const password of invalid) {
    it(`rejects ${JSON.stringify(password.length > 40 ? `${password.slice(0, 10)}… (${password.length})` : password)}`, () => {
      assert.equal(isValidPassword(password), false);
    });
  }

  it('has the documented bounds: 4 to 64 characters', () => {
    assert.equal(PASSWORD_MIN, 4);
    assert.equal(PASSWORD_MAX, 64);
    assert.deepEqual(
      [0, 3, 4, 5, 63, 64, 65].map((n) => isValidPassword('p'.repeat(n))),
      [false, false, true, true, true, true, false],
    );
  });
});

describe('remarkWidth', () => {
  const table: [string, number][] = [
    ['', 0],
    ['a', 1],
    ['hello world', 11],
    ['é', 1],
    ['中', 2],
    ['中文', 4],
    ['a中b', 4],
    ['ひらがな', 8],
    ['カタカナ', 8],
    ['한국어', 6],
    ['。、「」', 8],
    ['\u3000', 2],
    ['ＡＢＣ', 6],
    ['！１', 4],
    ['😀', 1],
  ];
  for (const [remark, width] of table) {
    it(`${JSON.stringify(remark)} is ${width} wide`, () => {
      assert.equal(remarkWidth(remark), width);
    });
  }
});

describe('remarkProblem', () => {
  it('allows 64 units', () => {
    assert.equal(REMARK_MAX_WIDTH, 64);
  });

  const fine = [
    '',
    'a',
    '中'.repeat(32),
    'a'.repeat(64),
    'a'.repeat(62) + '中',
    '中'.repeat(31) + 'ab',
    'Ａ'.repeat(32),
    'ｱ'.repeat(32),
    'Customer #42 – 中文备注',
  ];
  for (const remark of fine) {
    it(`accepts ${JSON.stringify(remark)} (width ${remarkWidth(remark)})`, () => {
      assert.equal(remarkProblem(remark), undefined);
    });
  }

  const tooWide = [
    '中'.repeat(33),
    'a'.repeat(65),
    'a'.repeat(63) + '中',
    '中'.repeat(31) + 'abc',
    '中'.repeat(32) + 'a',
    'Ａ'.repeat(33),
    '　'.repeat(33),
  ];
  for (const remark of tooWide) {
    it(`rejects ${JSON.stringify(remark)} (width ${remarkWidth(remark)}) as too wide`, () => {
      assert.equal(remarkProblem(remark), TOO_WIDE);
    });
  }

  const controls = ['a\nb', 'a\rb', '\t', '\u0000', 'x\u0001', '\u001b[31mred', '\u001f', '\u007f', `${'a'.repeat(100)}\n`];
  for (const remark of controls) {
    it(`rejects ${JSON.stringify(remark.length > 40 ? remark.slice(-10) : remark)} for its control character`, () => {
      assert.equal(remarkProblem(remark), CONTROL);
    });
  }

  it('rejects C1 control characters (U+0080–U+009F) and line separators too', () => {
    for (const remark of ['a\u0085b', '\u0080', '\u009b31m', '\u009f', 'a\u2028b', '\u2029']) {
      assert.equal(remarkProblem(remark), CONTROL, JSON.stringify(remark));
    }
  });
});

describe('splitBatch', () => {
  const table: [string, string[]][] = [
    ['', []],
    [',', []],
    [' , ,, ', []],
    ['a', ['a']],
    ['a,b,c', ['a', 'b', 'c']],
    ['a,b,', ['a', 'b']],
    [',a,,b,', ['a', 'b']],
    [' a , b ', ['a', 'b']],
    ['a,\tb\n', ['a', 'b']],
    ['a b,c', ['a b', 'c']],
    ['u1:p1, u2:p2 ,', ['u1:p1', 'u2:p2']],
  ];
  for (const [value, expected] of table) {
    it(`${JSON.stringify(value)} → ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(splitBatch(value), expected);
    });
  }
});

describe('parseCredentialBatch', () => {
  it('parses pairs, with a trailing comma and spaces', () => {
    assert.deepEqual(parseCredentialBatch(' user01:pass1 , user02:Pass2,user03:3333 ,'), {
      items: [
        { username: 'user01', password: 'pass1' },
        { username: 'user02', password: 'Pass2' },
        { username: 'user03', password: '3333' },
      ],
      invalid: [],
      duplicates: [],
    });
  });

  it('parses an empty batch to nothing', () => {
    assert.deepEqual(parseCredentialBatch(' , '), { items: [], invalid: [], duplicates: [] });
  });

  it('lists invalid entries by name only, never the password', () => {
    const secrets = ['S3cretPassA', 'S3cret_PassB', 'S3cret PassC', 'S3cretPassD', 'Q7z'];
    const batch = [
      `bad-name:${secrets[0]}`,
      `good01:${secrets[1]}`,
      `good02:${secrets[2]}`,
      `中文:${secrets[3]}`,
      `short:${secrets[4]}`,
      'fine01:fine01pass',
    ].join(',');
    const parsed = parseCredentialBatch(batch);
    assert.deepEqual(parsed.invalid, ['bad-name', 'good01', 'good02', '中文', 'short']);
    assert.deepEqual(parsed.items, [{ username: 'fine01', password: 'fine01pass' }]);
    assert.deepEqual(parsed.duplicates, []);
    const shown = JSON.stringify(parsed.invalid);
    for (const secret of secrets) assert.equal(shown.includes(secret), false, `${secret} leaked in ${shown}`);
  });

  it('treats an entry without a colon as invalid', () => {
    assert.deepEqual(parseCredentialBatch('user01,user02:pass2'), {
      items: [{ username: 'user02', password: 'pass2' }],
      invalid: ['user01'],
      duplicates: [],
    });
  });

  it('rejects a password containing ":" and shows only the name', () => {
    const parsed = parseCredentialBatch('user01:pa:ss,user02::pass2');
    assert.deepEqual(parsed, { items: [], invalid: ['user01', 'user02'], duplicates: [] });
    assert.equal(JSON.stringify(parsed).includes('ss'), false);
  });

  it('rejects an empty name or an empty password', () => {
    assert.deepEqual(parseCredentialBatch(':onlypass,user01:,:'), {
      items: [],
      invalid: ['(empty name)', 'user01', '(empty name)'],
      duplicates: [],
    });
  });

  it('cuts a long name to 40 characters', () => {
    const parsed = parseCredentialBatch(`${'x'.repeat(50)}:longsecretpassword`);
    assert.deepEqual(parsed.invalid, [`${'x'.repeat(40)}…`]);
    assert.deepEqual(parsed.items, []);
  });

  it('reports each duplicated name once and keeps the items in order', () => {
    const parsed = parseCredentialBatch('a:pass1,b:pass2,a:pass3,a:pass4,c:pass5,b:pass6');
    assert.deepEqual(parsed.duplicates, ['a', 'b']);
    assert.deepEqual(parsed.invalid, []);
    assert.deepEqual(
      parsed.items.map((c) => `${c.username}:${c.password}`),
      ['a:pass1', 'b:pass2', 'a:pass3', 'a:pass4', 'c:pass5', 'b:pass6'],
    );
  });

  it('does not count an invalid entry as a duplicate', () => {
    assert.deepEqual(parseCredentialBatch('a:pass1,a:x'), {
      items: [{ username: 'a', password: 'pass1' }],
      invalid: ['a'],
      duplicates: [],
    });
  });

  it('treats names as case-sensitive', () => {
    const parsed = parseCredentialBatch('User:pass1,user:pass2');
    assert.deepEqual(parsed.duplicates, []);
    assert.equal(parsed.items.length, 2);
  });
});

describe('parseNameBatch', () => {
  it('dedupes, keeping first-seen order', () => {
    assert.deepEqual(parseNameBatch('b,a,b,c,a,'), { items: ['b', 'a', 'c'], invalid: [], duplicates: [] });
  });

  it('lists invalid names and keeps the valid ones', () => {
    assert.deepEqual(parseNameBatch(' user01 ,bad-name, user_02,中文,user01,'), {
      items: ['user01'],
      invalid: ['bad-name', 'user_02', '中文'],
      duplicates: [],
    });
  });

  it('never echoes what follows a colon', () => {
    const parsed = parseNameBatch('user01:MySecret99,user02');
    assert.deepEqual(parsed, { items: ['user02'], invalid: ['user01'], duplicates: [] });
  });

  it('rejects a name that is too long', () => {
    assert.deepEqual(parseNameBatch(`${'n'.repeat(33)},${'n'.repeat(32)}`), {
      items: ['n'.repeat(32)],
      invalid: ['n'.repeat(33)],
      duplicates: [],
    });
  });

  it('treats an empty batch as no names', () => {
    assert.deepEqual(parseNameBatch(''), { items: [], invalid: [], duplicates: [] });
  });
});
