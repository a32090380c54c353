import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { idParser, parseWholeNumber, table } from './arguments.js';

describe('cli arguments', () => {
  it('aligns columns by terminal width, wide characters included', () => {
    assert.deepEqual(
      table([
        { id: '1', title: '余额', kind: 'balance' },
        { id: '22', title: 'Card', kind: 'external' },
      ]),
      ['id  title  kind', '1   余额   balance', '22  Card   external'],
    );
    assert.deepEqual(table([]), ['']);
  });

  it('parses ids and whole numbers, naming what was wrong', () => {
    assert.equal(idParser('node')('42'), 42);
    assert.throws(() => idParser('node')('abc'), /not a node id: abc/);
    assert.throws(() => idParser()('0'), /not an id: 0/);
    assert.equal(parseWholeNumber('0'), 0);
    assert.throws(() => parseWholeNumber('-1'), /an integer/);
    assert.throws(() => parseWholeNumber('1e3'), /an integer/);
  });
});
