/**
 * API benchmark: sub-account add and list through the real HTTP stack (Fastify listening on a loopback
 * port, undici as the client), on SQLite always and on PostgreSQL when reachable. Run: `npm run bench:api`.
 *
 * Per dialect: one user gets 10,000 sub-accounts through 10 × POST whitelist-account/add of 1,000 each
 * (timed), a second user gets as many into the already-seeded database (more add samples), a third gets 100
 * (list baseline). Then GET whitelist-account/list is timed cold, truly cold (a second platform instance on
 * the same database, so an empty SecretBox cache) and warm, next to /healthz and the 100-account list.
 * Client time includes reading and JSON-parsing the body, as a real client would.
 *
 * PostgreSQL: TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test; skipped when no connection
 * succeeds within ~2 s. Each run uses a fresh schema, dropped at the end; SQLite uses a fresh temp dir.
 * Target misses are reported, not turned into a non-zero exit; a wrong answer from the API is an error.
 */

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { Pool } from 'undici';
import { SubAccountsRepository } from '../src/accounts/sub-accounts.repository.js';
import { loadConfig, type ResolvedConfig, resolveSecrets } from '../src/config/index.js';
import { openPlatform, type Platform, type RunningServer, startApi } from '../src/main.js';

type Dialect = 'sqlite' | 'postgres';

const BIG = 10_000;
const BATCH = 1_000;
const SMALL = 100;
const PRODUCT_TYPE = 9;
const WARM_LIST_CALLS = 50;
const HEALTHZ_CALLS = 200;
const SMALL_LIST_CALLS = 200;
const BREAKDOWN_CALLS = 20;
/** No timed loop runs longer than this. */
const LOOP_BUDGET_MS = 60_000;
const PG_PROBE_MS = 2_000;
const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
const LIST_TARGET_MS = 100;
const ADD_TARGET_MS = 1_000;

const logger = pino({ level: 'silent' });

// ---------------------------------------------------------------------------------------------------------------
// Statistics and printing

interface Stats {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** Nearest-rank percentiles (with fewer than 100 samples p99 is the maximum). */
function stats(samples: readonly number[]): Stats {
  if (samples.length === 0) return { n: 0, p50: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
  return { n: sorted.length, p50: at(50), p99: at(99), max: sorted[sorted.length - 1] ?? 0 };
}

function ms(value: number): string {
  if (Number.isNaN(value)) return '-';
  return value < 10 ? value.toFixed(3) : value < 100 ? value.toFixed(2) : value.toFixed(1);
}

interface Row {
  readonly label: string;
  readonly stats: Stats;
}

function printTable(title: string, rows: readonly Row[]): void {
  const width = Math.max(10, ...rows.map((r) => r.label.length));
  const head = `${'measurement'.padEnd(width)}  ${'n'.padStart(4)}  ${'p50 ms'.padStart(9)}  ${'p99 ms'.padStart(9)}  ${'max ms'.padStart(9)}`;
  console.log(`\n${title}`);
  console.log(head);
  console.log('-'.repeat(head.length));
  for (const { label, stats: s } of rows) {
    console.log(
      `${label.padEnd(width)}  ${String(s.n).padStart(4)}  ${ms(s.p50).padStart(9)}  ${ms(s.p99).padStart(9)}  ${ms(s.max).padStart(9)}`,
    );
  }
}

function once(value: number): Stats {
  return { n: 1, p50: value, p99: value, max: value };
}

/** Runs `fn` up to `count` times (stopping after LOOP_BUDGET_MS) and returns each duration in ms. */
async function sample(count: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  const deadline = performance.now() + LOOP_BUDGET_MS;
  for (let i = 0; i < count && performance.now() < deadline; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  if (out.length < count) console.log(`  (loop stopped after ${LOOP_BUDGET_MS / 1000} s: ${out.length}/${count} samples)`);
  return out;
}

async function timeOnce(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP client

interface Answer {
  readonly status: number;
  readonly json: any;
  readonly text: string;
}

async function call(pool: Pool, method: 'GET' | 'POST', path: string, body?: string): Promise<Answer> {
  const res = await pool.request({
    method,
    path,
    ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}),
  });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${method} ${redact(path)}: HTTP ${res.statusCode}, body is not JSON: ${text.slice(0, 300)}`);
  }
  return { status: res.statusCode, json, text };
}

function redact(path: string): string {
  return path.replace(/app_key=[^&]*/, 'app_key=[redacted]');
}

/** Throws unless the answer is HTTP 200 with envelope code 200. */
function expectOk(answer: Answer, what: string): void {
  if (answer.status !== 200 || answer.json?.code !== 200) {
    throw new Error(`${what}: HTTP ${answer.status}, code ${answer.json?.code}: ${JSON.stringify(answer.json).slice(0, 500)}`);
  }
}

async function listAccounts(pool: Pool, appKey: string, expected: number): Promise<Answer> {
  const answer = await call(pool, 'GET', `/gateway/whitelist-account/list?app_key=${encodeURIComponent(appKey)}`);
  expectOk(answer, 'list');
  const list = answer.json.data?.list;
  if (!Array.isArray(list) || list.length !== expected) {
    throw new Error(`list: expected ${expected} items, got ${Array.isArray(list) ? list.length : typeof list}`);
  }
  return answer;
}

/** Like listAccounts, but returns the time from request to the last byte of the body; the parse and checks come after. */
async function listAccountsTimed(pool: Pool, appKey: string, expected: number): Promise<number> {
  const t0 = performance.now();
  const res = await pool.request({
    method: 'GET',
    path: `/gateway/whitelist-account/list?app_key=${encodeURIComponent(appKey)}`,
  });
  const text = await res.body.text();
  const elapsed = performance.now() - t0;
  const answer: Answer = { status: res.statusCode, json: JSON.parse(text), text };
  expectOk(answer, 'list');
  if (answer.json.data?.list?.length !== expected) throw new Error(`list: expected ${expected} items`);
  return elapsed;
}

/** Like sample, for functions that measure themselves. */
async function sampleTimed(count: number, fn: () => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  const deadline = performance.now() + LOOP_BUDGET_MS;
  for (let i = 0; i < count && performance.now() < deadline; i++) out.push(await fn());
  return out;
}

async function addAccounts(pool: Pool, appKey: string, body: string): Promise<void> {
  expectOk(await call(pool, 'POST', `/gateway/whitelist-account/add?app_key=${encodeURIComponent(appKey)}`, body), 'add');
}

async function healthz(pool: Pool): Promise<void> {
  const answer = await call(pool, 'GET', '/healthz');
  if (answer.status !== 200 || answer.json?.status !== 'ok') throw new Error(`healthz: HTTP ${answer.status}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Data

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function password(): string {
  let out = '';
  for (const byte of randomBytes(8)) out += ALNUM[byte % ALNUM.length];
  return out;
}

/** The JSON body of one add call: `count` accounts named `${prefix}${from…}` with random 8-character passwords. */
function addBody(prefix: string, from: number, count: number): string {
  const entries: string[] = [];
  for (let i = from; i < from + count; i++) entries.push(`${prefix}${String(i).padStart(5, '0')}:${password()}`);
  return JSON.stringify({ accounts: entries.join(','), product_type: PRODUCT_TYPE });
}

/** Add bodies for `total` accounts in batches of BATCH, built before any timing starts. */
function addBodies(prefix: string, total: number): string[] {
  const bodies: string[] = [];
  for (let from = 0; from < total; from += BATCH) bodies.push(addBody(prefix, from, Math.min(BATCH, total - from)));
  return bodies;
}

// ---------------------------------------------------------------------------------------------------------------
// PostgreSQL

async function reachablePostgres(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: PG_PROBE_MS });
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${PG_PROBE_MS} ms`)), PG_PROBE_MS + 500);
    });
    await Promise.race([client.connect().then(() => client.query('SELECT 1')), timeout]);
    return undefined;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    clearTimeout(timer);
    await client.end().catch(() => {});
  }
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

function maskUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

// ---------------------------------------------------------------------------------------------------------------
// One dialect

interface Instance {
  readonly platform: Platform;
  readonly server: RunningServer;
  readonly pool: Pool;
  close(): Promise<void>;
}

/** A platform, its API on a loopback port and an undici pool to it. */
async function startInstance(config: ResolvedConfig, schema: string | undefined): Promise<Instance> {
  const platform = await openPlatform(config, { logger, storage: schema !== undefined ? { schema } : {} });
  try {
    const server = await startApi(platform);
    const pool = new Pool(server.apiUrl, { connections: 1 });
    return {
      platform,
      server,
      pool,
      async close() {
        await pool.close();
        await server.close();
        await platform.close();
      },
    };
  } catch (err) {
    await platform.close();
    throw err;
  }
}

interface DialectResult {
  readonly dialect: Dialect;
  readonly listP50: number;
  readonly addP50: number;
  readonly addMax: number;
}

async function benchDialect(dialect: Dialect, pgUrl: string | undefined): Promise<DialectResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'));
  const schema = dialect === 'postgres' ? `tg_bench_${randomBytes(6).toString('hex')}` : undefined;
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const config = resolveSecrets(
      loadConfig({
        TOLLGATE_DATA_DIR: dataDir,
        TOLLGATE_LOG_LEVEL: 'silent',
        TOLLGATE_RATE_LIMIT_PER_KEY: '0',
        TOLLGATE_RATE_LIMIT_PER_IP: '0',
        TOLLGATE_API_PORT: '0',
        TOLLGATE_HOST: '127.0.0.1',
        ...(dialect === 'postgres' ? { DATABASE_URL: pgUrl } : {}),
      }),
    );
    console.log(
      `\n=== ${dialect} (${dialect === 'postgres' ? `${maskUrl(pgUrl ?? '')}, schema ${schema}` : config.database.url}) ===`,
    );

    const main = await startInstance(config, schema);
    cleanups.push(() => main.close());
    const { users } = main.platform.services;
    const tag = randomBytes(3).toString('hex');
    const big = await users.create({ email: `bench-big-${tag}@example.com` });
    const second = await users.create({ email: `bench-second-${tag}@example.com` });
    const small = await users.create({ email: `bench-small-${tag}@example.com` });

    // Seeding: the add calls themselves are the add samples.
    const bigBodies = addBodies('big', BIG);
    const secondBodies = addBodies('second', BIG);
    const smallBodies = addBodies('small', SMALL);
    console.log(`seeding ${BIG} accounts for one user (${bigBodies.length} × add of ${BATCH}) …`);
    const addFirst: number[] = [];
    for (const body of bigBodies) addFirst.push(await timeOnce(() => addAccounts(main.pool, big.appKey, body)));
    console.log(`seeding ${BIG} accounts for a second user into the seeded database …`);
    const addSecond: number[] = [];
    for (const body of secondBodies) addSecond.push(await timeOnce(() => addAccounts(main.pool, second.appKey, body)));
    for (const body of smallBodies) await addAccounts(main.pool, small.appKey, body);

    // List: the first call after seeding (SecretBox cache as the adds left it: it holds every password).
    const coldAnswer: Answer[] = [];
    const cold = await timeOnce(async () => coldAnswer.push(await listAccounts(main.pool, big.appKey, BIG)));
    const listBytes = coldAnswer[0]?.text.length ?? 0;

    // Truly cold: a second platform on the same database, fresh SecretBox cache. Its DB connection and route code
    // are warmed first with the 100-account user, which puts only that user's passwords into its cache.
    console.log('second platform instance on the same database (fresh password cache) …');
    const fresh = await startInstance(config, schema);
    let trulyCold: number;
    let freshSecond: number;
    try {
      await listAccounts(fresh.pool, small.appKey, SMALL);
      trulyCold = await timeOnce(() => listAccounts(fresh.pool, big.appKey, BIG));
      freshSecond = await timeOnce(() => listAccounts(fresh.pool, big.appKey, BIG));
    } finally {
      await fresh.close();
    }

    console.log(`warm list × ${WARM_LIST_CALLS}, healthz × ${HEALTHZ_CALLS}, list(${SMALL}) × ${SMALL_LIST_CALLS} …`);
    // Timed to the last byte of the answer; the client's JSON.parse is printed on its own below.
    const warm = await sampleTimed(WARM_LIST_CALLS, () => listAccountsTimed(main.pool, big.appKey, BIG));
    const health = await sample(HEALTHZ_CALLS, () => healthz(main.pool));
    const smallList = await sample(SMALL_LIST_CALLS, () => listAccounts(main.pool, small.appKey, SMALL));

    // Where the list time goes, in-process on the same data: the query alone, the service (query + decrypt,
    // cache warm), and the client's JSON.parse of a captured body.
    const { db } = main.platform.storage;
    const repository = new SubAccountsRepository(db, main.platform.storage.caps);
    const query = await sample(BREAKDOWN_CALLS, () => repository.listByUser(big.user.id, {}));
    const service = await sample(BREAKDOWN_CALLS, () => main.platform.services.subAccounts.list(big.user.id));
    const captured = await listAccounts(main.pool, big.appKey, BIG);
    const parse = await sample(BREAKDOWN_CALLS, async () => JSON.parse(captured.text));

    const addAll = [...addFirst, ...addSecond];
    const add = stats(addAll);
    const warmStats = stats(warm);
    const healthStats = stats(health);
    const smallStats = stats(smallList);

    printTable(`${dialect}: client-side latency (request → parsed JSON), loopback HTTP`, [
      { label: `add ${BATCH} (user 1, DB 0 → ${BIG})`, stats: stats(addFirst) },
      { label: `add ${BATCH} (user 2, DB ${BIG} → ${2 * BIG})`, stats: stats(addSecond) },
      { label: `add ${BATCH} (all)`, stats: add },
      { label: `list ${BIG}: cold (first after seeding)`, stats: once(cold) },
      { label: `list ${BIG}: truly cold (fresh cache)`, stats: once(trulyCold) },
      { label: `list ${BIG}: 2nd call on fresh instance`, stats: once(freshSecond) },
      { label: `list ${BIG}: warm (to last byte)`, stats: warmStats },
      { label: `list ${SMALL}: warm`, stats: smallStats },
      { label: 'healthz', stats: healthStats },
    ]);
    printTable(`${dialect}: list ${BIG} broken down (in-process, same data; HTTP p50 ${ms(warmStats.p50)} ms)`, [
      { label: 'listing query alone (repository)', stats: stats(query) },
      { label: 'service list (query + decrypt, cache warm)', stats: stats(service) },
      { label: `client JSON.parse of the body (${(listBytes / 1024).toFixed(0)} KiB)`, stats: stats(parse) },
    ]);

    console.log(`\n${dialect}: ratios (p50)`);
    console.log(`  list(${BIG}) p50 = ${(warmStats.p50 / healthStats.p50).toFixed(1)} × healthz p50`);
    console.log(`  list(${BIG}) p50 = ${(warmStats.p50 / smallStats.p50).toFixed(1)} × list(${SMALL}) p50`);
    console.log(`  list(${SMALL}) p50 = ${(smallStats.p50 / healthStats.p50).toFixed(1)} × healthz p50`);
    const perAccountUs = ((warmStats.p50 - smallStats.p50) / (BIG - SMALL)) * 1000;
    console.log(
      `  marginal list cost ≈ ${perAccountUs.toFixed(2)} µs per account; add ≈ ${((add.p50 / BATCH) * 1000).toFixed(1)} µs per account`,
    );
    const decryptUs = ((trulyCold - freshSecond) / BIG) * 1000;
    console.log(
      `  truly cold list = ${(trulyCold / warmStats.p50).toFixed(1)} × warm p50` +
        ` (cache-cold decrypt of ${BIG} passwords ≈ ${decryptUs.toFixed(1)} µs each, vs the 2nd call on that instance)`,
    );

    console.log(`\n${dialect}: targets`);
    const listPass = warmStats.p50 < LIST_TARGET_MS;
    console.log(
      `  list p50 < ${LIST_TARGET_MS} ms: ${listPass ? 'PASS' : 'FAIL'} (${ms(warmStats.p50)} ms warm; truly cold ${ms(trulyCold)} ms)`,
    );
    const addPass = add.max < ADD_TARGET_MS;
    console.log(
      `  add-1,000 < 1 s: ${addPass ? 'PASS' : 'FAIL'} (p50 ${ms(add.p50)} ms, max ${ms(add.max)} ms over ${add.n} calls; PASS needs every call < 1 s)`,
    );
    return { dialect, listP50: warmStats.p50, addP50: add.p50, addMax: add.max };
  } finally {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((err: unknown) => console.error(`cleanup failed: ${(err as Error).message}`));
    }
    if (schema !== undefined && pgUrl !== undefined) {
      await dropSchema(pgUrl, schema).catch((err: unknown) =>
        console.error(`DROP SCHEMA ${schema} failed: ${(err as Error).message}`),
      );
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const cpu = cpus();
  console.log(`Tollgate API bench — node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}`);
  console.log(`${BIG} sub-accounts for one user, add in batches of ${BATCH}; times are client-side in ms (performance.now()).`);

  const pgUrl = process.env.TEST_DATABASE_URL || DEFAULT_PG_URL;
  const pgProblem = await reachablePostgres(pgUrl);
  if (pgProblem !== undefined) console.log(`PostgreSQL skipped: cannot connect to ${maskUrl(pgUrl)} (${pgProblem})`);

  const results: DialectResult[] = [];
  results.push(await benchDialect('sqlite', undefined));
  if (pgProblem === undefined) results.push(await benchDialect('postgres', pgUrl));

  console.log('\nSummary');
  for (const r of results) {
    console.log(
      `  ${r.dialect.padEnd(8)}  list(${BIG}) p50 ${ms(r.listP50)} ms [${r.listP50 < LIST_TARGET_MS ? 'PASS' : 'FAIL'}]` +
        `  add(${BATCH}) p50 ${ms(r.addP50)} ms, max ${ms(r.addMax)} ms [${r.addMax < ADD_TARGET_MS ? 'PASS' : 'FAIL'}]`,
    );
  }
}

main().catch((err: unknown) => {
  console.error('\nbench failed:', err);
  process.exitCode = 1;
});
