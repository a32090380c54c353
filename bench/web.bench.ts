/**
 * Web consoles benchmark: the customer portal's first-load JavaScript (gzip) and the time until the sub-accounts
 * page with 10,000 rows is interactive, in headless Chromium against the real API on SQLite.
 * Run: `npm run bench:web`.
 *
 *   first-load JS     gzip size of every script the portal's index.html loads (entry and module preloads);
 *                     target < 300 KB
 *   10 rows           baseline: navigation to /sub-accounts until its table shows the first row and a filter
 *                     typed into the search box has applied, with 10 sub-accounts (checked at every frame)
 *   10,000 rows       the same with 10,000 sub-accounts (target < 1.5 s), and its ratio to the baseline
 *
 * Each case runs ROUNDS times (BENCH_ROUNDS, default 5) in a fresh page of one signed-in browser context; the
 * median, minimum and maximum are printed, with where the time of the median round went (the page's HTML
 * answered, DOMContentLoaded, the list request sent and answered, the first row shown). Target misses are
 * reported as FAIL, not turned into a non-zero exit. On a busy machine (load above the core count) every figure
 * grows; the ratio to the 10-row baseline of the same run is the one to compare between runs.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { ensureWebBuilt, launchBrowser } from '../tests/helpers/browser.js';
import { startTestPlatform, type TestPlatform } from '../tests/helpers/platform.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PASSWORD = 'bench password 1';

function firstLoadGzip(dir: string): { files: number; bytes: number } {
  const html = readFileSync(join(dir, 'portal', 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1] as string);
  let bytes = 0;
  for (const src of new Set(scripts)) bytes += gzipSync(readFileSync(join(dir, src.slice(1)))).length;
  return { files: new Set(scripts).size, bytes };
}

async function platformWith(rows: number): Promise<{ t: TestPlatform; baseURL: string; email: string }> {
  const t = await startTestPlatform('sqlite', { TOLLGATE_BATCH_MAX: '1000', TOLLGATE_SUB_ACCOUNT_MAX: '20000' });
  const email = `bench${rows}@example.com`;
  const { user } = await t.platform.services.users.create({ email, password: PASSWORD });
  for (let start = 0; start < rows; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, rows - start) }, (_, i) => `acct${start + i}:pass${start + i}x`);
    await t.platform.services.subAccounts.add(user.id, batch.join(','), 'bench', 9);
  }
  const baseURL = await t.app.listen({ host: '127.0.0.1', port: 0 });
  return { t, baseURL, email };
}

/**
 * Waits until a table cell reads exactly `text`, checking at every frame in the page: a locator's waitFor
 * retries on a back-off that reaches 500 ms, which would measure the harness's polling, not the page.
 */
async function shows(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    (wanted) => Array.from(document.querySelectorAll('td')).some((cell) => cell.textContent === wanted),
    text,
    { polling: 'raf' },
  );
}

/** Milestones of one round, seconds from the start of the navigation. */
interface Round {
  total: number;
  html: number;
  domReady: number;
  listSent: number;
  listDone: number;
  firstRow: number;
}

async function measure(browser: Browser, baseURL: string, email: string, rows: number): Promise<Round[]> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 900 } });
  const signIn = await context.newPage();
  await signIn.goto('/');
  await signIn.getByLabel('Email').fill(email);
  await signIn.getByLabel('Password').fill(PASSWORD);
  await signIn.getByRole('button', { name: 'Sign in' }).click();
  await signIn.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  await signIn.close();
  const rounds: Round[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const page = await context.newPage();
    const started = performance.now();
    const at = () => (performance.now() - started) / 1000;
    const marks = { html: 0, domReady: 0, listSent: 0, listDone: 0 };
    page.on('response', (r) => {
      if (r.request().resourceType() === 'document' && marks.html === 0) marks.html = at();
    });
    page.on('domcontentloaded', () => (marks.domReady = at()));
    page.on('request', (r) => {
      if (r.url().includes('/whitelist-account/list')) marks.listSent = at();
    });
    page.on('requestfinished', (r) => {
      if (r.url().includes('/whitelist-account/list')) marks.listDone = at();
    });
    await page.goto('/sub-accounts');
    await shows(page, 'acct0');
    const firstRow = at();
    await page.waitForFunction(
      (text) => document.querySelector('[data-testid="row-count"]')?.textContent === text,
      `${rows} rows`,
      { polling: 'raf' },
    );
    // Interactive: the search box filters the rows.
    await page.getByLabel('Search').fill('acct1');
    await shows(page, 'acct1');
    rounds.push({ total: at(), firstRow, ...marks });
    await page.close();
  }
  await context.close();
  return rounds;
}

interface Stats {
  median: number;
  min: number;
  max: number;
  /** The round whose total is the median. */
  round: Round;
}

function stats(rounds: Round[]): Stats {
  const sorted = [...rounds].sort((a, b) => a.total - b.total);
  const round = sorted[Math.floor(sorted.length / 2)] as Round;
  return { median: round.total, min: sorted[0]?.total ?? 0, max: sorted[sorted.length - 1]?.total ?? 0, round };
}

function breakdown(r: Round): string {
  const f = (v: number) => v.toFixed(3);
  return `html ${f(r.html)}, DOMContentLoaded ${f(r.domReady)}, list sent ${f(r.listSent)}, answered ${f(r.listDone)}, first row ${f(r.firstRow)}`;
}

const verdict = (met: boolean) => (met ? 'PASS' : 'FAIL');

const dir = ensureWebBuilt();
const js = firstLoadGzip(dir);
console.log(`machine           ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(1)}`);
console.log(
  `first-load JS     ${(js.bytes / 1024).toFixed(1)} KB gzip in ${js.files} file(s)  (target < 300 KB: ${verdict(js.bytes < 300 * 1024)})`,
);

const browser = await launchBrowser();
try {
  const results: Record<number, Stats> = {};
  for (const rows of [10, 10_000]) {
    const { t, baseURL, email } = await platformWith(rows);
    try {
      results[rows] = stats(await measure(browser, baseURL, email, rows));
    } finally {
      await t.close();
    }
  }
  const base = results[10] as Stats;
  const big = results[10_000] as Stats;
  console.log(
    `10 rows           median ${base.median.toFixed(3)} s  (min ${base.min.toFixed(3)}, max ${base.max.toFixed(3)})  baseline`,
  );
  console.log(`                  ${breakdown(base.round)}`);
  console.log(
    `10,000 rows       median ${big.median.toFixed(3)} s  (min ${big.min.toFixed(3)}, max ${big.max.toFixed(3)})  ×${(big.median / base.median).toFixed(2)} of baseline  (target < 1.5 s: ${verdict(big.median < 1.5)})`,
  );
  console.log(`                  ${breakdown(big.round)}`);
  console.log(`machine after     load average ${loadavg()[0]?.toFixed(1)}`);
} finally {
  await browser.close();
}
