/**
 * Web consoles benchmark: the customer portal's first-load JavaScript (gzip) and the time until the sub-accounts
 * page with 10,000 rows is interactive, in headless Chromium against the real API on SQLite.
 * Run: `npm run bench:web`.
 *
 *   first-load JS     gzip size of every script the portal's index.html loads (entry and module preloads);
 *                     target < 300 KB
 *   10 rows           baseline: navigation to /sub-accounts until its table shows the first row and a filter
 *                     typed into the search box has applied, with 10 sub-accounts
 *   10,000 rows       the same with 10,000 sub-accounts (target < 1.5 s), and its ratio to the baseline
 *
 * Each case runs ROUNDS times (BENCH_ROUNDS, default 5) in a fresh page of one signed-in browser context; the
 * median, minimum and maximum are printed. Target misses are reported, not turned into a non-zero exit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
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

async function measure(browser: Browser, baseURL: string, email: string, rows: number): Promise<number[]> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 900 } });
  const signIn = await context.newPage();
  await signIn.goto('/');
  await signIn.getByLabel('Email').fill(email);
  await signIn.getByLabel('Password').fill(PASSWORD);
  await signIn.getByRole('button', { name: 'Sign in' }).click();
  await signIn.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  await signIn.close();
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const page = await context.newPage();
    const started = performance.now();
    await page.goto('/sub-accounts');
    await page.getByRole('cell', { name: 'acct0', exact: true }).waitFor();
    await page
      .getByTestId('row-count')
      .filter({ hasText: `${rows} rows` })
      .waitFor();
    // Interactive: the search box filters the rows.
    await page.getByLabel('Search').fill('acct1');
    await page.getByRole('cell', { name: 'acct1', exact: true }).waitFor();
    times.push((performance.now() - started) / 1000);
    await page.close();
  }
  await context.close();
  return times;
}

function stats(values: number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)] ?? 0, min: sorted[0] ?? 0, max: sorted[sorted.length - 1] ?? 0 };
}

const dir = ensureWebBuilt();
const js = firstLoadGzip(dir);
console.log(
  `first-load JS     ${(js.bytes / 1024).toFixed(1)} KB gzip in ${js.files} file(s)  (target < 300 KB: ${js.bytes < 300 * 1024 ? 'met' : 'MISSED'})`,
);

const browser = await launchBrowser();
try {
  const results: Record<number, { median: number; min: number; max: number }> = {};
  for (const rows of [10, 10_000]) {
    const { t, baseURL, email } = await platformWith(rows);
    try {
      results[rows] = stats(await measure(browser, baseURL, email, rows));
    } finally {
      await t.close();
    }
  }
  const base = results[10] as { median: number; min: number; max: number };
  const big = results[10_000] as { median: number; min: number; max: number };
  console.log(
    `10 rows           median ${base.median.toFixed(3)} s  (min ${base.min.toFixed(3)}, max ${base.max.toFixed(3)})  baseline`,
  );
  console.log(
    `10,000 rows       median ${big.median.toFixed(3)} s  (min ${big.min.toFixed(3)}, max ${big.max.toFixed(3)})  ×${(big.median / base.median).toFixed(2)} of baseline  (target < 1.5 s: ${big.median < 1.5 ? 'met' : 'MISSED'})`,
  );
} finally {
  await browser.close();
}
