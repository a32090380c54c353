/**
 * The projecting serializer writes exactly what fast-json-stringify writes for the same schema: for well-typed
 * answers (fields the schema does not name dropped, fast-json-stringify's order kept), and, by handing over, for answers that
 * are not (numbers as text, missing or null fields, Dates), including fast-json-stringify's refusals.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from '@sinclair/typebox';
import fastJson from 'fast-json-stringify';
import { WhitelistList } from './schemas/customer.js';
import { Envelope } from './schemas/common.js';
import { jsonOfLongLists, LIST_BLOCK, projectingSerializer } from './projecting-serializer.js';

const Item = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  ratio: Type.Number(),
  on: Type.Boolean(),
  kind: Type.Union([Type.Literal('a'), Type.Literal('b')]),
  level: Type.Integer({ enum: [1, 2, 3] }),
  note: Type.Optional(Type.String()),
  tags: Type.Array(Type.String()),
  inner: Type.Object({ x: Type.Integer(), y: Type.Optional(Type.Null()) }),
});
const Listing = Envelope(Type.Object({ total: Type.Integer(), list: Type.Array(Type.Omit(Item, ['kind'])) }));

/** Both serializers on `value`: the same bytes, or the same refusal. */
function same(schema: object, value: unknown): string {
  const fjs = fastJson(schema as never) as (data: unknown) => string;
  const projecting = projectingSerializer(schema, fjs);
  let expected: string | Error;
  try {
    expected = fjs(value);
  } catch (err) {
    expected = err as Error;
  }
  if (expected instanceof Error) {
    assert.throws(() => projecting(value), { message: expected.message });
    return '';
  }
  const got = projecting(value);
  assert.equal(typeof got === 'string' ? got : got.toString('utf8'), expected);
  return expected;
}

const good = { id: 1, name: 'a"b\\c\u2028é中', ratio: 0.5, on: true, level: 2, tags: ['x', ''], inner: { x: 3, y: null } };
const envelope = (list: unknown[], extra: object = {}) => ({
  code: 200,
  msg: 'ok',
  message: 'ok',
  data: { total: list.length, list },
  ...extra,
});

describe('projectingSerializer', () => {
  it('writes what fast-json-stringify writes for well-typed answers, without fields the schema does not name', () => {
    const out = same(Listing, envelope([good, { ...good, note: 'n', secret: 'never sent', id: 2 }], { debug: 'x' }));
    assert.ok(!out.includes('never sent') && !out.includes('debug'), out);
    assert.deepEqual(
      Object.keys(JSON.parse(out).data.list[1]),
      ['id', 'name', 'ratio', 'on', 'level', 'tags', 'inner', 'note'],
      'fast-json-stringify’s order: the required fields, then the others',
    );
    same(Listing, envelope([]));
    same(Type.Array(Type.Integer()), [1, 2, 3]);
  });

  it('hands anything not exactly as the schema says to fast-json-stringify, refusals included', () => {
    const cases: unknown[] = [
      envelope([{ ...good, id: '7' }]),
      envelope([{ ...good, id: 7.5 }]),
      envelope([{ ...good, ratio: '0.25' }]),
      envelope([{ ...good, name: 12 }]),
      envelope([{ ...good, name: null }]),
      envelope([{ ...good, on: 'yes' }]),
      envelope([{ ...good, level: 9 }]),
      envelope([{ ...good, note: 5 }]),
      envelope([{ ...good, name: undefined }]),
      envelope([{ ...good, tags: 'x' }]),
      envelope([{ ...good, inner: { x: 1, y: 'z' } }]),
      envelope([{ ...good, created: new Date(0), name: new Date(0) }]),
      { ...envelope([good]), code: '200' },
      { code: 200, msg: 'ok', message: 'ok' },
    ];
    for (const value of cases) same(Listing, value);
  });

  it('leaves schemas without a list, or with keywords it does not know, to fast-json-stringify itself', () => {
    const fjs = () => 'fjs';
    assert.equal(projectingSerializer(Envelope(Type.Object({ a: Type.Integer() })), fjs), fjs);
    assert.equal(projectingSerializer(Type.Object({ l: Type.Array(Type.Union([Type.String(), Type.Null()])) }), fjs), fjs);
    assert.equal(projectingSerializer(Type.Object({ l: Type.Array(Type.String({ format: 'date-time' })) }), fjs), fjs);
    assert.equal(projectingSerializer(Type.Object({ l: Type.Array(Type.Record(Type.String(), Type.String())) }), fjs), fjs);
    assert.notEqual(projectingSerializer(Listing, fjs), fjs);
  });

  it('serializes a list of 10,000 proxy accounts as fast-json-stringify does', () => {
    const list = Array.from({ length: 10_000 }, (_, i) => ({
      id: i + 1,
      username: `user${i}`,
      password: `Pw${i}xyz`,
      created_at: '2024-05-13 12:14:15',
      remark: i % 3 ? '' : '备注 "quoted"',
      product_type: 9,
      usage_flow: i * 1000,
      limit_flow: 0,
      status: 1,
      daily_limit: 0,
      udp: i % 2,
      password_hash: 'not in the schema',
    }));
    const answer = { code: 200, msg: '操作成功', message: '操作成功', data: { list } };
    const out = same(WhitelistList.response[200], answer);
    assert.equal(JSON.parse(out).data.list.length, 10_000);
    assert.ok(!out.includes('password_hash'));
    const fjs = fastJson(WhitelistList.response[200] as never) as (data: unknown) => string;
    assert.ok(Buffer.isBuffer(projectingSerializer(WhitelistList.response[200], fjs)(answer)), 'a long list is sent as bytes');
  });
});

describe('jsonOfLongLists', () => {
  /** The same bytes as JSON.stringify; a string when no list is longer than a block, else a Buffer. */
  function exact(value: unknown, bytes: boolean): void {
    const out = jsonOfLongLists(value);
    assert.equal(Buffer.isBuffer(out), bytes);
    assert.equal(typeof out === 'string' ? out : out.toString('utf8'), JSON.stringify(value));
    if (Buffer.isBuffer(out)) assert.deepEqual(out, Buffer.from(JSON.stringify(value)));
  }
  const items = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ i, s: i % 7 ? `a${i}` : '中"\\\n\u2028😀\ud800', u: undefined, n: null }));

  it('writes exactly what JSON.stringify writes, cut at block edges', () => {
    for (const n of [0, 1, LIST_BLOCK, LIST_BLOCK + 1, 2 * LIST_BLOCK, 2 * LIST_BLOCK + 3]) {
      exact({ code: 200, msg: '操作成功', data: { list: items(n), total: n } }, n > LIST_BLOCK);
    }
    exact(items(3 * LIST_BLOCK), true);
    exact([items(LIST_BLOCK + 1), items(2)], false);
    exact(
      Array.from({ length: LIST_BLOCK + 2 }, (_, i) => [i, [i]]),
      true,
    );
    exact(
      { a: undefined, f: () => 1, [Symbol('s')]: 1, l: items(LIST_BLOCK + 5), z: { deep: { l: items(LIST_BLOCK * 2 + 1) } } },
      true,
    );
    exact({ when: new Date(0), l: items(LIST_BLOCK + 1) }, true);
    exact({ toJSON: () => ({ replaced: true }), l: items(LIST_BLOCK + 1) }, false);
    exact('plain', false);
    exact(null, false);
  });
});
