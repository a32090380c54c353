/** The error catalogue: stable, unique codes, each documented in docs/errors.md (generated: npm run docs). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AppError, ERRORS, type ErrorKey, format, RETIRED_CODES, SUCCESS } from '../src/errors/index.js';

const reference = readFileSync(join(import.meta.dirname, '..', 'docs', 'errors.md'), 'utf8');
const entries = Object.entries(ERRORS) as [ErrorKey, (typeof ERRORS)[ErrorKey]][];

describe('error catalogue', () => {
  it('gives every error its own code, none retired and none the success code', () => {
    const codes = entries.map(([, def]) => def.code);
    assert.equal(new Set(codes).size, codes.length);
    for (const code of codes) {
      assert.equal(RETIRED_CODES.includes(code), false, `code ${code} is retired`);
      assert.notEqual(code, SUCCESS.code);
    }
  });

  it('keeps the codes the documents publish: 3 invalid app_key, 156 real-name, 400 invalid parameters', () => {
    assert.equal(ERRORS.TG_ERR_AUTH_APP_KEY_INVALID.code, 3);
    assert.equal(ERRORS.TG_ERR_AUTH_REAL_NAME_REQUIRED.code, 156);
    assert.equal(ERRORS.TG_ERR_PARAM_INVALID.code, 400);
  });

  it('documents every code in docs/errors.md with its key and HTTP status', () => {
    for (const [key, def] of entries) {
      const row = new RegExp(`^\\|\\s*${def.code}\\s*\\|\\s*\`${key}\`\\s*\\|\\s*${def.httpStatus}\\s*\\|`, 'm');
      assert.match(reference, row, `docs/errors.md lists ${def.code} ${key} ${def.httpStatus}`);
    }
    const documented = [...reference.matchAll(/^\|\s*\d+\s*\|\s*`(TG_ERR_[A-Z_]+)`/gm)].map((m) => m[1]);
    assert.deepEqual(documented.sort(), entries.map(([key]) => key).sort(), 'docs/errors.md lists no code the catalogue lacks');
  });

  it('has a message in both languages with the same placeholders', () => {
    for (const [key, def] of entries) {
      assert.ok(def.zh.length > 0 && def.en.length > 0, key);
      const holes = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      assert.deepEqual(holes(def.zh), holes(def.en), key);
    }
  });

  it('fills placeholders per language', () => {
    const err = new AppError('TG_ERR_ACCOUNT_NOT_FOUND', { params: { names: 'a, b' } });
    assert.equal(err.localized('zh'), '代理账户不存在:a, b');
    assert.equal(err.localized('en'), 'No such proxy account: a, b');
    assert.equal(err.code, 2001);
    assert.equal(format('{x} and {y}', { x: 1 }), '1 and {y}');
  });
});
