/**
 * API benchmark: sub-account add and list through the real HTTP stack (Fastify listening on a loopback
 * port, undici as the client), on SQLite always and on PostgreSQL when reachable. Run: `npm run bench:api`.
 *
 * Per dialect: one user gets 10,000 sub-accounts through 10 × POST whitelist-account/add of 1,000 each
 * (timed), a second user gets as many into the already-seeded database (more add samples), a third gets 100
 * (list baseline). Then GET whitelist-account/list is timed cold, truly cold (a second platform instance on
 * the same database, so an empty SecretBox cache) and warm, next to /healthz and the 100-account list.
 * Client time includes reading and JSON-parsing the body, as a real client would. The breakdown also times the
 * answer's serialization as the route does it (projected onto its response schema, then JSON.stringify block by block into UTF-8 bytes) next to
 * fast-json-stringify alone and JSON.stringify.
 *
 * Packages and extraction, on the same platform: GET ip/v3?num=100 for a user with a whitelisted address and a
 * valid type-9 package, against four exit nodes and TOLLGATE_EXTRACT_PORTS=20000-40999 (the API only leases ports
 * in the database; every lease is deleted between calls, outside the timed section, so each call finds the range
 * free), next to ip/v3?num=1; and GET user-product/summary?product_type=9 for a user owning 1,000 packages (valid,
 * expiring within 7 days, expired, used up and partly used, withdrawn, and some of type 12), next to the summary
 * of a user with one package. Each answer is checked (100 distinct ports in the range; the summary's every figure
 * against sums computed here). Baseline, as for the list: healthz p50 of the same run.
 *
 * PostgreSQL: TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test; skipped when no connection
 * succeeds within ~2 s. Each run uses a fresh schema, dropped at the end; SQLite uses a fresh temp dir.
 * Target misses are reported, not turned into a non-zero exit; a wrong answer from the API is an error.
 */

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import fastJson from 'fast-json-stringify';
import pg from 'pg';
import pino from 'pino';
import { Pool } from 'undici';
import { SubAccountsRepository } from '../src/accounts/sub-accounts.repository.js';
import { projectingSerializer } from '../src/api/projecting-serializer.js';
import { WhitelistList } from '../src/api/schemas/customer.js';
import type { PackageSummary } from '../src/packages/index.js';
import type { ResolvedConfig } from '../src/config/index.js';
import type { Platform, RunningServer } from '../src/main.js';
import { loadBuild } from './build.js';

// The platform as `tollgate serve` runs it: the compiled build.
const { configFromEnv, openPlatform, startApi } = await loadBuild();

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
const EXTRACT_PORTS = { from: 20_000, to: 40_999 };
const EXTRACT_NUM = 100;
const EXTRACT_CALLS = 100;
const PACKAGES = 1_000;
const SUMMARY_CALLS = 200;
const EXTRACT_TARGET_MS = 50;
const SUMMARY_TARGET_MS = 50;
const DAY_MS = 86_400_000;
const GIB = 2 ** 30;

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
  readonly extractP50: number;
  readonly summaryP50: number;
}

async function benchDialect(dialect: Dialect, pgUrl: string | undefined): Promise<DialectResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'));
  const schema = dialect === 'postgres' ? `tg_bench_${randomBytes(6).toString('hex')}` : undefined;
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const config = configFromEnv({
      TOLLGATE_DATA_DIR: dataDir,
      TOLLGATE_LOG_LEVEL: 'silent',
      TOLLGATE_RATE_LIMIT_PER_KEY: '0',
      TOLLGATE_RATE_LIMIT_PER_IP: '0',
      TOLLGATE_API_PORT: '0',
      TOLLGATE_HOST: '127.0.0.1',
      TOLLGATE_EXTRACT_PORTS: `${EXTRACT_PORTS.from}-${EXTRACT_PORTS.to}`,
      ...(dialect === 'postgres' ? { DATABASE_URL: pgUrl } : {}),
    });
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
    // The route's serializer (the answer projected onto its response schema, then JSON.stringify block by block into
    // UTF-8 bytes: src/api/projecting-serializer.ts), fast-json-stringify alone on the same schema (what it replaced for lists),
    // and JSON.stringify with no schema, on the same answer.
    const answerObject = JSON.parse(captured.text) as unknown;
    const bySchema = fastJson(WhitelistList.response[200]) as (data: unknown) => string;
    const projecting = projectingSerializer(WhitelistList.response[200], bySchema);
    if (bySchema(answerObject) !== captured.text || projecting(answerObject).toString() !== captured.text)
      throw new Error('list: the schema serializers do not reproduce the answer sent');
    const projectSerialize = await sample(BREAKDOWN_CALLS, async () => projecting(answerObject));
    const schemaSerialize = await sample(BREAKDOWN_CALLS, async () => bySchema(answerObject));
    const plainSerialize = await sample(BREAKDOWN_CALLS, async () => JSON.stringify(answerObject));

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
      { label: 'serialize as the route does (projection + JSON.stringify to bytes)', stats: stats(projectSerialize) },
      { label: 'serialize by fast-json-stringify alone (for comparison)', stats: stats(schemaSerialize) },
      { label: 'serialize with JSON.stringify (for comparison)', stats: stats(plainSerialize) },
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

    const { extractP50, summaryP50 } = await benchPackages(main, dialect, tag, healthStats.p50);
    return { dialect, listP50: warmStats.p50, addP50: add.p50, addMax: add.max, extractP50, summaryP50 };
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
// Packages and extraction

/** One seeded package: what the grant writes, then the used bytes and withdrawal applied after it. */
interface PackageSpec {
  readonly productType: number;
  readonly totalBytes: number;
  readonly usedBytes: number;
  readonly startsAt: number;
  readonly days: number;
  readonly withdrawn: boolean;
}

/**
 * PACKAGES packages, varied: per ten, three valid, one expiring within 7 days (a quarter used), one not started
 * yet, two expired, one valid and used up (half of those past their total by a flush's overshoot), one valid and a
 * third used, one expired and half used; one in twenty is of type 12 and one in a hundred is withdrawn.
 */
function packageSpecs(now: number): PackageSpec[] {
  const specs: PackageSpec[] = [];
  for (let i = 0; i < PACKAGES; i++) {
    const totalBytes = (1 + (i % 7)) * GIB + i * 1234;
    const kind = i % 10;
    const startsAt =
      kind === 3
        ? now - 27 * DAY_MS
        : kind === 4
          ? now + 2 * DAY_MS
          : kind === 5 || kind === 6 || kind === 9
            ? now - 60 * DAY_MS
            : now - DAY_MS;
    const usedBytes =
      kind === 3
        ? Math.floor(totalBytes / 4)
        : kind === 7
          ? totalBytes + (i % 2 === 1 ? 4096 : 0)
          : kind === 8
            ? Math.floor(totalBytes / 3)
            : kind === 9
              ? Math.floor(totalBytes / 2)
              : 0;
    specs.push({ productType: i % 20 === 19 ? 12 : 9, totalBytes, usedBytes, startsAt, days: 30, withdrawn: i % 100 === 9 });
  }
  return specs;
}

/** The summary the API must answer for these packages at `now`, by the documented rules, in KB. */
function expectedSummary(specs: readonly PackageSpec[], productType: number, now: number): PackageSummary {
  let count = 0;
  let total = 0;
  let used = 0;
  let validCount = 0;
  let validTotal = 0;
  let validUsed = 0;
  let soonCount = 0;
  let soonTotal = 0;
  let soonUsed = 0;
  let expiredCount = 0;
  let expiredLeft = 0;
  for (const p of specs) {
    if (p.withdrawn || p.productType !== productType) continue;
    const expiresAt = p.startsAt + p.days * DAY_MS;
    const u = Math.min(p.usedBytes, p.totalBytes);
    count += 1;
    total += p.totalBytes;
    used += u;
    if (expiresAt <= now) {
      expiredCount += 1;
      expiredLeft += p.totalBytes - u;
    }
    // Valid as the gateway draws on it (PackagesRepository.validAt): started, not expired, not used up.
    if (p.startsAt <= now && expiresAt > now && p.usedBytes < p.totalBytes) {
      validCount += 1;
      validTotal += p.totalBytes;
      validUsed += u;
      if (expiresAt <= now + 7 * DAY_MS) {
        soonCount += 1;
        soonTotal += p.totalBytes;
        soonUsed += u;
      }
    }
  }
  const kb = (bytes: number) => Math.floor(bytes / 1024);
  return {
    total: kb(total),
    total_count: count,
    effective: kb(validTotal - validUsed),
    effective_count: validCount,
    effective_total: kb(validTotal),
    effective_used: kb(validUsed),
    temporary: kb(soonTotal - soonUsed),
    temporary_count: soonCount,
    expired: kb(expiredLeft),
    expired_count: expiredCount,
    used: kb(used),
  };
}

/** Times one GET from request to parsed JSON; the checks come after the clock stops. */
async function timedGet(pool: Pool, path: string): Promise<{ elapsed: number; answer: Answer }> {
  const t0 = performance.now();
  const answer = await call(pool, 'GET', path);
  return { elapsed: performance.now() - t0, answer };
}

/** Throws unless the ip/v3 answer lists `num` distinct `127.0.0.1:port` endpoints with ports in the range. */
function checkExtract(answer: Answer, num: number): void {
  expectOk(answer, 'ip/v3');
  const endpoints: unknown = answer.json.data?.list?.[0];
  if (!Array.isArray(endpoints) || endpoints.length !== num) {
    throw new Error(`ip/v3: expected ${num} endpoints, got ${JSON.stringify(answer.json.data).slice(0, 300)}`);
  }
  const ports = new Set<number>();
  for (const e of endpoints) {
    const m = /^127\.0\.0\.1:(\d+)$/.exec(String(e));
    const port = Number(m?.[1]);
    if (!m || port < EXTRACT_PORTS.from || port > EXTRACT_PORTS.to) throw new Error(`ip/v3: bad endpoint ${String(e)}`);
    ports.add(port);
  }
  if (ports.size !== num) throw new Error(`ip/v3: ${num - ports.size} repeated ports`);
}

function checkSummary(answer: Answer, expected: PackageSummary): void {
  expectOk(answer, 'user-product/summary');
  const got = answer.json.data;
  for (const key of Object.keys(expected) as (keyof PackageSummary)[]) {
    if (got?.[key] !== expected[key]) {
      throw new Error(`summary: ${key} is ${got?.[key]}, expected ${expected[key]} (${JSON.stringify(got)})`);
    }
  }
}

/**
 * ip/v3 and user-product/summary on the platform the list bench seeded (so next to 20,100 sub-accounts). Every
 * lease is deleted after each ip/v3 call, outside the timed section.
 */
async function benchPackages(
  main: Instance,
  dialect: Dialect,
  tag: string,
  healthP50: number,
): Promise<{ extractP50: number; summaryP50: number }> {
  const { users, nodes, packages, whiteIps, extraction } = main.platform.services;
  const { db } = main.platform.storage;
  const clearLeases = async (expected: number) => {
    const [result] = await db.deleteFrom('extract_leases').execute();
    const deleted = Number(result?.numDeletedRows ?? 0);
    if (deleted !== expected) throw new Error(`ip/v3: ${deleted} leases in the database, expected ${expected}`);
  };

  console.log(
    `\nseeding 4 exit nodes, an extraction user (whitelisted address, one package), ${PACKAGES} packages for another …`,
  );
  await nodes.add({ url: 'direct://127.0.0.2', country: 'US', state: 'ca', city: 'losangeles', types: [9], weight: 3 });
  await nodes.add({ url: 'direct://127.0.0.3', country: 'US', state: 'ny', city: 'newyork', types: [9] });
  await nodes.add({ url: 'direct://127.0.0.4', country: 'DE', types: [9, 11], weight: 2 });
  await nodes.add({ url: 'direct://127.0.0.5', country: 'GB', types: [9] });
  const extractor = await users.create({ email: `bench-extract-${tag}@example.com` });
  await whiteIps.add(extractor.user.id, '127.0.0.9', 'bench');
  // ip/v3 num=100 holds 100 ports at once: above the default per-user cap (TOLLGATE_EXTRACT_LEASE_MAX),
  // so the bench user gets the cap an operator would give a bulk customer.
  await main.platform.services.limits.set(extractor.user.id, { extract_leases: 1000 });
  await packages.grant({ userId: extractor.user.id, productType: 9, totalBytes: 10 * GIB, days: 30 });

  const owner = await users.create({ email: `bench-packages-${tag}@example.com` });
  const seededAt = Date.now();
  const specs = packageSpecs(seededAt);
  const seedStart = performance.now();
  const ids: number[] = [];
  for (const spec of specs) {
    const granted = await packages.grant({
      userId: owner.user.id,
      productType: spec.productType,
      totalBytes: spec.totalBytes,
      startsAt: spec.startsAt,
      days: spec.days,
    });
    ids.push(granted.id);
  }
  await db.transaction().execute(async (trx) => {
    for (const [i, spec] of specs.entries()) {
      if (spec.usedBytes === 0) continue;
      await trx
        .updateTable('user_packages')
        .set({ used_bytes: spec.usedBytes })
        .where('id', '=', ids[i] as number)
        .execute();
    }
  });
  for (const [i, spec] of specs.entries()) if (spec.withdrawn) await packages.revoke(ids[i] as number);
  console.log(`  ${PACKAGES} grants, used bytes and withdrawals in ${(performance.now() - seedStart).toFixed(0)} ms`);

  const key = (appKey: string) => `app_key=${encodeURIComponent(appKey)}`;
  const extractPath = (num: number) => `/gateway/ip/v3?${key(extractor.appKey)}&num=${num}`;
  const summaryPath = (appKey: string) => `/gateway/user-product/summary?${key(appKey)}&product_type=9`;
  const expectedMany = expectedSummary(specs, 9, Date.now());
  const expectedOne = (await packages.summary(extractor.user.id, 9)) satisfies PackageSummary;
  if (expectedOne.total_count !== 1 || expectedOne.total !== (10 * GIB) / 1024) throw new Error('summary of the extraction user');

  // ip/v3: three untimed calls warm the route, then the timed ones; each call's leases are deleted after it.
  const extractLoop = async (num: number, count: number) => {
    for (let i = 0; i < 3; i++) {
      checkExtract(await call(main.pool, 'GET', extractPath(num)), num);
      await clearLeases(num);
    }
    const out: number[] = [];
    const deadline = performance.now() + LOOP_BUDGET_MS;
    for (let i = 0; i < count && performance.now() < deadline; i++) {
      const { elapsed, answer } = await timedGet(main.pool, extractPath(num));
      checkExtract(answer, num);
      await clearLeases(num);
      out.push(elapsed);
    }
    return out;
  };
  const summaryLoop = async (appKey: string, expected: PackageSummary, count: number) => {
    for (let i = 0; i < 3; i++) checkSummary(await call(main.pool, 'GET', summaryPath(appKey)), expected);
    const out: number[] = [];
    const deadline = performance.now() + LOOP_BUDGET_MS;
    for (let i = 0; i < count && performance.now() < deadline; i++) {
      const { elapsed, answer } = await timedGet(main.pool, summaryPath(appKey));
      checkSummary(answer, expected);
      out.push(elapsed);
    }
    return out;
  };

  console.log(
    `ip/v3 num=${EXTRACT_NUM} × ${EXTRACT_CALLS}, num=1 × ${EXTRACT_CALLS}, summary(${PACKAGES}) × ${SUMMARY_CALLS}, summary(1) × ${SUMMARY_CALLS} …`,
  );
  const extractMany = stats(await extractLoop(EXTRACT_NUM, EXTRACT_CALLS));
  const extractOne = stats(await extractLoop(1, EXTRACT_CALLS));
  const summaryMany = stats(await summaryLoop(owner.appKey, expectedMany, SUMMARY_CALLS));
  const summaryOne = stats(await summaryLoop(extractor.appKey, expectedOne, SUMMARY_CALLS));

  // In-process, same data: the services alone (no HTTP, no auth, no serialisation).
  const serviceExtract: number[] = [];
  for (let i = 0; i < BREAKDOWN_CALLS; i++) {
    serviceExtract.push(await timeOnce(() => extraction.extract(extractor.user.id, { num: EXTRACT_NUM })));
    await clearLeases(EXTRACT_NUM);
  }
  const serviceSummary = await sample(BREAKDOWN_CALLS, () => packages.summary(owner.user.id, 9));

  printTable(`${dialect}: packages and extraction, client-side latency (request → parsed JSON), loopback HTTP`, [
    { label: `ip/v3 num=${EXTRACT_NUM} (range ${EXTRACT_PORTS.from}-${EXTRACT_PORTS.to} free)`, stats: extractMany },
    { label: 'ip/v3 num=1', stats: extractOne },
    { label: `user-product/summary (${PACKAGES} packages)`, stats: summaryMany },
    { label: 'user-product/summary (1 package)', stats: summaryOne },
    { label: `service extract(num=${EXTRACT_NUM}), in-process`, stats: stats(serviceExtract) },
    { label: `service summary (${PACKAGES} packages), in-process`, stats: stats(serviceSummary) },
  ]);

  console.log(`\n${dialect}: ratios (p50)`);
  console.log(`  ip/v3(${EXTRACT_NUM}) p50 = ${(extractMany.p50 / healthP50).toFixed(1)} × healthz p50`);
  console.log(`  ip/v3(${EXTRACT_NUM}) p50 = ${(extractMany.p50 / extractOne.p50).toFixed(1)} × ip/v3(1) p50`);
  console.log(`  summary(${PACKAGES}) p50 = ${(summaryMany.p50 / healthP50).toFixed(1)} × healthz p50`);
  console.log(`  summary(${PACKAGES}) p50 = ${(summaryMany.p50 / summaryOne.p50).toFixed(1)} × summary(1) p50`);

  console.log(`\n${dialect}: targets`);
  console.log(
    `  ip/v3 num=${EXTRACT_NUM} p50 < ${EXTRACT_TARGET_MS} ms: ${extractMany.p50 < EXTRACT_TARGET_MS ? 'PASS' : 'FAIL'}` +
      ` (p50 ${ms(extractMany.p50)} ms, p99 ${ms(extractMany.p99)} ms)`,
  );
  console.log(
    `  summary of ${PACKAGES} packages p50 < ${SUMMARY_TARGET_MS} ms: ${summaryMany.p50 < SUMMARY_TARGET_MS ? 'PASS' : 'FAIL'}` +
      ` (p50 ${ms(summaryMany.p50)} ms, p99 ${ms(summaryMany.p99)} ms)`,
  );
  return { extractP50: extractMany.p50, summaryP50: summaryMany.p50 };
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
        `  add(${BATCH}) p50 ${ms(r.addP50)} ms, max ${ms(r.addMax)} ms [${r.addMax < ADD_TARGET_MS ? 'PASS' : 'FAIL'}]` +
        `  ip/v3(${EXTRACT_NUM}) p50 ${ms(r.extractP50)} ms [${r.extractP50 < EXTRACT_TARGET_MS ? 'PASS' : 'FAIL'}]` +
        `  summary(${PACKAGES}) p50 ${ms(r.summaryP50)} ms [${r.summaryP50 < SUMMARY_TARGET_MS ? 'PASS' : 'FAIL'}]`,
    );
  }
}

main().catch((err: unknown) => {
  console.error('\nbench failed:', err);
  process.exitCode = 1;
});
