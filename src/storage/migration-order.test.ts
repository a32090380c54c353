/**
 * Migrations run in their names' code-unit order (src/storage/database.ts). Databases migrated before that ran them
 * in Kysely's default order (localeCompare), and Kysely refuses a database whose executed migrations are not a prefix
 * of the sorted list: both orders must agree on every name there is, and on the list as it is written.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { migrationOrder } from './database.js';
import { migrations } from './migrations/index.js';

describe('migration order', () => {
  const names = Object.keys(migrations);

  it('is the order the list is written in, and the order localeCompare gave', () => {
    assert.ok(names.length > 10);
    assert.deepEqual([...names].sort(migrationOrder), names);
    assert.deepEqual(
      [...names].sort((a, b) => a.localeCompare(b)),
      names,
    );
  });

  it('names are a date, a time and lower-case ASCII words, so that the two orders keep agreeing', () => {
    for (const name of names) assert.match(name, /^\d{4}-\d{2}-\d{2}T\d{4}-[a-z0-9]+(-[a-z0-9]+)*$/);
    assert.equal(new Set(names).size, names.length);
  });

  it('compares by code unit', () => {
    assert.equal(migrationOrder('a', 'b'), -1);
    assert.equal(migrationOrder('b', 'a'), 1);
    assert.equal(migrationOrder('a', 'a'), 0);
    assert.equal(migrationOrder('2026-12-05T1000-x', '2026-12-05T0900-y'), 1);
  });
});
