/**
 * Fuzzing every customer route (fast-check, a bounded number of cases per dialect): hostile values for
 * each documented parameter and for unknown ones, in the query, as JSON, as a form, as multipart (well
 * formed or not), as text or as garbage, with a valid key, a wrong one, one in an array, or none. Every
 * answer must be the envelope with HTTP 200 and a code other than 500, carry no stack trace, and, when the
 * call is refused, leave the database exactly as it was. The routes come from /openapi.json, so new
 * routes are fuzzed without editing this file. A failure prints the seed and the shrunk request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { grantTestPackage } from './helpers/gateway.js';
import { createUser, dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const HTTP_METHODS = ['get', 'post'];

interface Operation {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly fields: readonly string[];
}

/** Numbers past every bound, as text: what query strings and forms carry. */
const OUT_OF_RANGE = ['18446744073709551616', '9007199254740993', 'Infinity', '-Infinity', '1e400', '-1e400', 'NaN', '-1'];

/** Values that have broken parsers before, and random ones. */
const hostile = fc.oneof(
  { arbitrary: fc.constantFrom(...OUT_OF_RANGE), weight: 3 },
  fc.constantFrom(
    '18446744073709551616',
    '9007199254740993',
    'Infinity',
    '-Infinity',
    '1e400',
    'NaN',
    '-1',
    '0',
    '1.5',
    '0x10',
    '',
    ' ',
    'null',
    'true',
    '[]',
    '{}',
    '__proto__',
    'constructor',
    '9,12,25',
    'user01:pass1234',
    '203.0.113.7',
    'US',
    '%00',
    '\u0000',
    '👍',
    'x'.repeat(5000),
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }),
);

type Auth = 'valid' | 'wrong' | 'none' | 'array';
const auth = fc.constantFrom<Auth>('valid', 'valid', 'valid', 'valid', 'wrong', 'none', 'array');
const encoding = fc.constantFrom('query', 'json', 'form', 'multipart', 'bad-multipart', 'text', 'garbage', 'json-array');

/** Query-string form of a value: arrays as name[]=…, objects as name[key]=…. */
function queryPairs(name: string, value: unknown): [string, string][] {
  if (Array.isArray(value)) return value.map((v) => [`${name}[]`, String(v)]);
  if (value && typeof value === 'object') return Object.entries(value).map(([k, v]) => [`${name}[${k}]`, String(v)]);
  return [[name, value === null ? '' : String(value)]];
}

function multipart(fields: Record<string, unknown>): string {
  let out = '';
  for (const [name, value] of Object.entries(fields)) {
    for (const [n, v] of queryPairs(name, value)) {
      out += `--fz\r\nContent-Disposition: form-data; name="${n.replace(/["\r\n]/g, '')}"\r\n\r\n${v}\r\n`;
    }
  }
  return `${out}--fz--\r\n`;
}

for (const dialect of dialects()) {
  describe(`fuzzing the customer API on ${dialect}`, () => {
    let tp: TestPlatform;
    let appKey: string;
    let operations: Operation[];

    before(async () => {
      tp = await startTestPlatform(dialect, { TOLLGATE_EXTRACT_PORTS: '23000-23019' });
      const user = await createUser(tp);
      appKey = user.appKey;
      await tp.platform.services.nodes.add({ url: 'direct://127.0.0.2', country: 'US', state: 'ca', city: 'la', types: [9] });
      await tp.platform.services.subAccounts.add(user.id, 'fuzz01:pass1234,fuzz02:pass1234', '', 9);
      await tp.platform.services.whiteIps.add(user.id, '127.0.0.9', '');
      await grantTestPackage(tp, user.id, 1024 ** 3);
      const doc = (await tp.app.inject({ method: 'GET', url: '/openapi.json' })).json();
      operations = [];
      for (const [path, item] of Object.entries<any>(doc.paths)) {
        for (const method of Object.keys(item).filter((k) => HTTP_METHODS.includes(k))) {
          const op = item[method];
          const prefixes: string[] | undefined = op.servers?.[0]?.variables?.prefix?.enum;
          if (!prefixes) continue;
          const fields = new Set<string>((op.parameters ?? []).map((p: { name: string }) => p.name));
          const body = op.requestBody?.content?.['application/json']?.schema;
          for (const name of Object.keys(body?.properties ?? {})) fields.add(name);
          fields.delete('app_key');
          for (const prefix of prefixes)
            operations.push({ method: method.toUpperCase() as 'GET' | 'POST', path: prefix + path, fields: [...fields] });
        }
      }
    });
    after(() => tp?.close());

    /** Names the tables whose rows differ between two snapshots. */
    function changed(a: string, b: string): string {
      const rows = (t: string) => new Map(t.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line]));
      const [ra, rb] = [rows(a), rows(b)];
      return [...ra.keys()]
        .filter((k) => ra.get(k) !== rb.get(k))
        .map((k) => `${ra.get(k)?.slice(0, 400)}\n  now ${rb.get(k)?.slice(0, 400)}`)
        .join('\n');
    }

    /** Every row of every table, in a stable order: equal snapshots mean nothing changed. */
    async function snapshot(): Promise<string> {
      const { db } = tp.platform.storage;
      // This platform's tables only. Kysely's introspection reads every schema on the server, and another test
      // run dropping its schema meanwhile makes it fail: ask for the current schema alone.
      const names =
        tp.schema === undefined
          ? await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db)
          : await sql<{
              name: string;
            }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(
              db,
            );
      const tables = names.rows
        .map((t) => t.name)
        .filter((n) => !n.startsWith('kysely_') && !n.startsWith('sqlite_'))
        .sort();
      const parts: string[] = [];
      for (const table of tables) {
        const rows = await db
          .selectFrom(table as never)
          .selectAll()
          .orderBy(sql`1`)
          .execute();
        parts.push(`${table}:${JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
      }
      return parts.join('\n');
    }

    it(`answers ${RUNS} hostile requests with a client-error envelope, changing nothing when it refuses`, async () => {
      assert.ok(operations.length >= 28 * 4, `${operations.length} customer operations`);
      const request = fc.record({
        op: fc.constantFrom(...operations),
        auth,
        encoding,
        values: fc.array(hostile, { minLength: 8, maxLength: 8 }),
        picks: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
        extra: fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'x', 'page', 'size', 'language', 'a[b]'), hostile, {
          maxKeys: 2,
        }),
        language: fc.constantFrom(undefined, 'en', 'zh', 'xx'),
      });

      let reference = await snapshot();
      await fc.assert(
        fc.asyncProperty(request, async ({ op, auth: a, encoding: enc, values, picks, extra, language }) => {
          const fields: Record<string, unknown> = {};
          op.fields.forEach((name, i) => {
            if (picks[i % picks.length]) fields[name] = values[i % values.length];
          });
          Object.assign(fields, extra);
          if (language !== undefined) fields.language = language;
          const query: [string, string][] = [];
          if (a === 'valid') query.push(['app_key', appKey]);
          if (a === 'wrong') query.push(['app_key', 'not-a-key']);
          if (a === 'array') query.push(['app_key[]', appKey]);

          const headers: Record<string, string> = {};
          let payload: string | undefined;
          if (op.method === 'GET' || enc === 'query') {
            for (const [k, v] of Object.entries(fields)) query.push(...queryPairs(k, v));
          } else if (enc === 'json') {
            headers['content-type'] = 'application/json';
            payload = JSON.stringify(fields);
          } else if (enc === 'json-array') {
            headers['content-type'] = 'application/json';
            payload = JSON.stringify([fields]);
          } else if (enc === 'form') {
            headers['content-type'] = 'application/x-www-form-urlencoded';
            payload = new URLSearchParams(Object.entries(fields).flatMap(([k, v]) => queryPairs(k, v))).toString();
          } else if (enc === 'multipart' || enc === 'bad-multipart') {
            headers['content-type'] = 'multipart/form-data; boundary=fz';
            payload = multipart(fields);
            if (enc === 'bad-multipart') payload = payload.slice(0, Math.max(1, Math.floor(payload.length / 2)));
          } else if (enc === 'text') {
            headers['content-type'] = 'text/plain';
            payload = JSON.stringify(fields).slice(0, 200);
          } else {
            headers['content-type'] = 'application/octet-stream';
            payload = '\u0000\u00ff{garbage';
          }
          const url = `${op.path}${query.length ? `?${new URLSearchParams(query)}` : ''}`;

          const res = await tp.app.inject({ method: op.method, url, headers, ...(payload !== undefined ? { payload } : {}) });
          const what = `${op.method} ${url} ${headers['content-type'] ?? ''} ${payload?.slice(0, 300) ?? ''}`;
          assert.equal(res.statusCode, 200, `${what}\n→ HTTP ${res.statusCode} ${res.body}`);
          const body = res.json();
          assert.equal(typeof body.code, 'number', what);
          assert.notEqual(body.code, 500, `${what}\n→ ${res.body}`);
          assert.doesNotMatch(res.body, /\bat .+:\d+:\d+|node_modules|\.ts\b/, `${what}\n→ ${res.body}`);
          // Compared with the state after the last accepted call: a refusal leaves it as it was.
          const now = await snapshot();
          if (body.code !== 200) {
            assert.equal(
              now,
              reference,
              `${what}\n→ refused with ${res.body} but changed the database:\n${changed(reference, now)}`,
            );
          }
          reference = now;
        }),
        { numRuns: RUNS, endOnFailure: true, includeErrorInReport: true },
      );
    });

    it('refuses an out-of-range number in any field of any route as code 400, changing nothing', async () => {
      let reference = await snapshot();
      const seen = new Set<string>();
      let calls = 0;
      for (const op of operations) {
        const route = op.path.replace(/^\/[^/]+/, '');
        if (seen.has(route)) continue; // one prefix is enough here: the property above covers them all
        seen.add(route);
        for (const field of op.fields) {
          for (const value of OUT_OF_RANGE) {
            const query = new URLSearchParams({ app_key: appKey, [field]: value, language: 'en' });
            const res = await tp.app.inject({ method: op.method, url: `${op.path}?${query}` });
            calls += 1;
            const body = res.json();
            const what = `${op.method} ${op.path}?${field}=${value} → ${res.body}`;
            assert.equal(res.statusCode, 200, what);
            assert.notEqual(body.code, 500, what);
            const now = await snapshot();
            if (body.code !== 200) assert.equal(now, reference, `${what}: refused but changed:\n${changed(reference, now)}`);
            reference = now;
          }
        }
      }
      assert.ok(calls > 300, `${calls} calls`);
    });
  });
}
