import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type PackedColumn, unpackDelimited } from './capabilities.js';

const COLUMNS: PackedColumn[] = [
  { name: 'id', text: false },
  { name: 'name', text: true },
  { name: 'remark', text: true },
];

describe('unpackDelimited', () => {
  it('splits rows and fields, numbers as numbers, and undoes the escapes of backslash, tab and newline', () => {
    const packed = ['1\tuser01\tplain', '2\tuser02\ta\\\\b\\tc\\nd', '3\tuser03\t'].join('\n');
    assert.deepEqual(unpackDelimited(packed, COLUMNS), [
      [1, 'user01', 'plain'],
      [2, 'user02', 'a\\b\tc\nd'],
      [3, 'user03', ''],
    ]);
  });

  it('reads no rows from an empty text', () => {
    assert.deepEqual(unpackDelimited('', COLUMNS), []);
  });
});
