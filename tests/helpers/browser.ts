/**
 * Browser tests: headless Debian Chromium (/usr/bin/chromium, or CHROMIUM_PATH) driven by playwright-core, which
 * downloads no browser of its own. Every page opened through `openPage` is watched: an uncaught page error, a
 * console error (a CSP violation is one), a failed request or an HTTP error answer fails the test at `assertClean`.
 * Screenshots go to .tmp/screenshots/<suite>/ (printed once); `assertAccessible` runs axe-core in the page and
 * fails on critical violations.
 *
 * Without a Chromium binary the browser suites skip with a message, unless CI is set: there they fail (.ci/run
 * installs the `chromium` package when it is missing).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

const ROOT = join(import.meta.dirname, '..', '..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

/** `skip` for a browser suite: a reason when there is no Chromium and this is not CI, else false. */
export function browserSkip(): string | false {
  if (existsSync(CHROMIUM)) return false;
  if (process.env.CI) return false;
  return `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH): browser tests skipped`;
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Builds the web consoles (dist/web) when web/ changed since the last build. */
export function ensureWebBuilt(): string {
  const dir = join(ROOT, 'dist', 'web');
  const built = join(dir, 'portal', 'index.html');
  const stale = !existsSync(built) || newestMtime(join(ROOT, 'web')) > statSync(built).mtimeMs;
  if (stale) {
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'],
      {
        cwd: ROOT,
        stdio: 'inherit',
      },
    );
  }
  return dir;
}

/** What went wrong in a page: page errors, console errors, failed requests, HTTP errors. */
export interface WatchedPage {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly problems: string[];
  /** Fails with every problem seen so far. */
  assertClean(): void;
  /** Forget problems (after a step that expects one, asserted on its own). */
  clear(): void;
}

export interface OpenPageOptions {
  readonly baseURL: string;
  /** Browser language (Accept-Language, navigator.languages): `en-US` or `zh-CN`. */
  readonly locale?: string;
  readonly timezoneId?: string;
  readonly viewport?: { width: number; height: number };
}

export async function openPage(browser: Browser, options: OpenPageOptions): Promise<WatchedPage> {
  const context = await browser.newContext({
    baseURL: options.baseURL,
    locale: options.locale ?? 'en-US',
    timezoneId: options.timezoneId ?? 'UTC',
    viewport: options.viewport ?? { width: 1280, height: 860 },
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('requestfailed', (request) => {
    const error = request.failure()?.errorText ?? '';
    // Chromium asks for the icon late and drops the request when the page moves on before it is answered.
    if (error === 'net::ERR_ABORTED' && /\/favicon[^/]*$/.test(new URL(request.url()).pathname)) return;
    problems.push(`request failed: ${request.method()} ${request.url()} ${error}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
  });
  return {
    context,
    page,
    problems,
    assertClean() {
      if (problems.length > 0) throw new Error(`problems in the page:\n  ${problems.join('\n  ')}`);
    },
    clear() {
      problems.length = 0;
    },
  };
}

const printed = new Set<string>();

/** Saves a full-page screenshot as .tmp/screenshots/<suite>/<name>.png; prints the folder the first time. */
export async function screenshot(page: Page, suite: string, name: string): Promise<string> {
  const dir = join(ROOT, '.tmp', 'screenshots', suite);
  mkdirSync(dir, { recursive: true });
  if (!printed.has(dir)) {
    printed.add(dir);
    console.log(`screenshots: ${dir}`);
  }
  const file = join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

let axeSource: string | undefined;

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: number;
}

/** Runs axe-core in the page; fails on critical violations, returns all of them (serious ones to print). */
export async function assertAccessible(page: Page, label: string): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document) => Promise<{ violations: any[] }> } }).axe;
    const result = await axe.run(document);
    return result.violations.map((v) => ({
      id: v.id as string,
      impact: v.impact as string | null,
      help: v.help as string,
      nodes: v.nodes.length as number,
    }));
  });
  const critical = violations.filter((v) => v.impact === 'critical');
  if (critical.length > 0) {
    throw new Error(
      `${label}: critical accessibility violations:\n  ${critical.map((v) => `${v.id}: ${v.help} (${v.nodes})`).join('\n  ')}`,
    );
  }
  return violations;
}
