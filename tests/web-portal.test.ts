/**
 * The customer portal in Chromium against the real API, gateway and database (SQLite): a wrong password keeps
 * the form with the API's message; a customer signs in, adds sub-accounts, generates a proxy line whose curl
 * example carries bytes through the gateway to a loopback target, sees those bytes in the usage chart's total,
 * and buys a package with the balance. Every page is screenshotted and checked with axe, in English and in
 * Chinese; no page error, console error or failed request anywhere.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { changeBalance } from '../src/billing/ledger.js';
import {
  assertAccessible,
  browserSkip,
  ensureWebBuilt,
  launchBrowser,
  openPage,
  screenshot,
  type WatchedPage,
} from './helpers/browser.js';
import { type GatewayPlatform, startGatewayPlatform } from './helpers/gateway.js';

const run = promisify(execFile);
const EMAIL = 'portal@example.com';
const PASSWORD = 'portal password 1';
const BODY_BYTES = 200_000;

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `check` until it holds, at most `ms`. */
async function eventually(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  assert.fail(`not within ${ms} ms: ${what}`);
}

async function signIn(page: Page, password = PASSWORD): Promise<void> {
  await page.getByLabel(/^(Email|邮箱)$/).fill(EMAIL);
  await page.getByLabel(/^(Password|密码)$/).fill(password);
  await page.getByRole('button', { name: /^(Sign in|登录)$/ }).click();
}

describe('customer portal', { skip: browserSkip() }, () => {
  let g: GatewayPlatform;
  let browser: Browser;
  let baseURL: string;
  let target: http.Server;
  let targetUrl: string;
  let userId: number;

  before(async () => {
    ensureWebBuilt();
    g = await startGatewayPlatform('sqlite', { TOLLGATE_PROXY_PORT: String(await freePort()) });
    baseURL = await g.tp.app.listen({ host: '127.0.0.1', port: 0 });
    const s = g.tp.platform.services;
    const { user } = await s.users.create({ email: EMAIL, password: PASSWORD });
    userId = user.id;
    await s.packages.grant({ userId, productType: 9, totalBytes: 1024 ** 3, days: 30, title: 'Starter 1 GB' });
    await changeBalance(g.tp.platform.storage.db, { userId, deltaCents: 10_000, reason: 'adjust', now: Date.now() });
    await s.products.add({ title: 'Traffic 5 GB', productType: 9, price: '12.50', unitBytes: 5 * 1024 ** 3, unitDays: 30 });
    target = http.createServer((_req, res) => res.end(Buffer.alloc(BODY_BYTES, 97)));
    target.listen(0, '127.0.0.1');
    await once(target, 'listening');
    targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/`;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    target?.close();
    await g?.close();
  });

  it('keeps the sign-in form with a message on a wrong password', async () => {
    const w = await openPage(browser, { baseURL });
    await w.page.goto('/');
    await signIn(w.page, 'wrong password');
    await w.page.getByRole('alert').filter({ hasText: 'Wrong email or password' }).waitFor();
    assert.equal(await w.page.getByLabel('Email').inputValue(), EMAIL);
    await w.page.getByRole('button', { name: 'Sign in' }).waitFor();
    await screenshot(w.page, 'web-portal', 'sign-in-wrong-password');
    await assertAccessible(w.page, 'sign-in');
    w.assertClean();
    await w.context.close();
  });

  it('signs in, adds sub-accounts, proxies curl through the gateway, charts the bytes, buys a package', async () => {
    const w: WatchedPage = await openPage(browser, { baseURL });
    const { page } = w;
    await page.goto('/');
    await signIn(page);
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    assert.equal(await page.getByTestId('balance').textContent(), '100.00');

    // Sub-accounts: a batch add, then the list shows them.
    await page.getByRole('link', { name: 'Sub-accounts' }).click();
    await page.getByLabel('Accounts', { exact: true }).fill('webuser1:pass1234,webuser2:pass5678');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Added 2 sub-account(s).' }).waitFor();
    await page.getByRole('cell', { name: 'webuser2', exact: true }).waitFor();
    // A rule broken in the form is shown next to the field, nothing sent.
    await page.getByLabel('Accounts', { exact: true }).fill('bad name:x');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByText('Names of 1–32 and passwords of 4–64 letters or digits').waitFor();
    await screenshot(page, 'web-portal', 'sub-accounts');
    await assertAccessible(page, 'sub-accounts');

    // Proxy setup: the curl example, pointed at the loopback target, works as shown.
    await page.getByRole('link', { name: 'Proxy setup' }).click();
    await page.getByLabel('Target URL').fill(targetUrl);
    const lines = (await page.getByTestId('proxy-lines').textContent()) ?? '';
    assert.match(lines, /^127\.0\.0\.1:\d+:webuser1:pass1234$/);
    const curl = (await page.getByTestId('curl-example').textContent()) ?? '';
    assert.match(curl, /^curl -x http:\/\/webuser1:pass1234@127\.0\.0\.1:\d+ http:\/\/127\.0\.0\.1:\d+\/$/);
    const { stdout } = await run('sh', ['-c', `${curl} -sS --max-time 20`], { maxBuffer: 4 * BODY_BYTES });
    assert.equal(stdout.length, BODY_BYTES);
    // The white IP list: "add my current address" adds the address the API sees.
    await page.getByRole('button', { name: /Add my current address \(127\.0\.0\.1\)/ }).click();
    await page.getByRole('cell', { name: '127.0.0.1', exact: true }).waitFor();
    await screenshot(page, 'web-portal', 'proxy-setup');
    await assertAccessible(page, 'proxy-setup');

    // Overview: the chart's total shows those bytes once the meter has written them (it refreshes live).
    await page.getByRole('link', { name: 'Overview' }).click();
    await eventually(
      async () => {
        const text = (await page.getByTestId('usage-total').textContent()) ?? '';
        const kib = /^([\d.]+) KiB$/.exec(text);
        return kib !== null && Number(kib[1]) * 1024 >= BODY_BYTES * 0.9;
      },
      30_000,
      'the usage total shows the proxied bytes',
    );
    await page.locator('.chart-canvas canvas').first().waitFor();
    await screenshot(page, 'web-portal', 'overview');
    await assertAccessible(page, 'overview');

    // Orders: buy the package with the balance.
    await page.getByRole('link', { name: 'Orders & recharge' }).click();
    await page.getByLabel('Product').selectOption({ label: 'Traffic 5 GB — 12.50 · 5.0 GiB · 30 days' });
    await page.getByLabel('Payment method').selectOption({ index: 0 });
    const methods = await page.getByLabel('Payment method').locator('option').allTextContents();
    const balance = methods.findIndex((m) => /balance|余额/i.test(m));
    if (balance >= 0) await page.getByLabel('Payment method').selectOption({ index: balance });
    await page.getByRole('button', { name: 'Buy', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /is paid/ })
      .waitFor();
    await page.getByRole('cell', { name: 'Paid', exact: true }).first().waitFor();
    await screenshot(page, 'web-portal', 'orders');
    await assertAccessible(page, 'orders');
    const packages = await g.tp.platform.services.packages.list(userId);
    assert.ok(
      packages.items.some((p) => p.totalBytes === 5 * 1024 ** 3),
      JSON.stringify(packages.items),
    );
    assert.equal((await g.tp.platform.services.users.personById(userId))?.balanceCents, 8_750);

    for (const [link, name] of [
      ['Static IPs', 'static-ips'],
      ['API access', 'api-access'],
    ] as const) {
      await page.getByRole('link', { name: link }).click();
      await page.getByRole('heading', { name: link, level: 1 }).waitFor();
      await screenshot(page, 'web-portal', name);
      await assertAccessible(page, name);
    }
    w.assertClean();

    // Signing out ends the session: the portal shows the sign-in form again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    w.assertClean();
    await w.context.close();
  });

  it('shows every page in Chinese, from the browser language', async () => {
    const w = await openPage(browser, { baseURL, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const { page } = w;
    await page.goto('/');
    await page.getByRole('heading', { name: '登录' }).waitFor();
    await signIn(page);
    await page.getByRole('heading', { name: '概览', level: 1 }).waitFor();
    assert.match((await page.getByText(/时间按您的时区显示/).textContent()) ?? '', /Asia\/Shanghai/);
    for (const [link, name] of [
      ['概览', 'overview'],
      ['子账户', 'sub-accounts'],
      ['代理设置', 'proxy-setup'],
      ['静态 IP', 'static-ips'],
      ['订单与充值', 'orders'],
      ['API 访问', 'api-access'],
    ] as const) {
      await page.getByRole('link', { name: link, exact: true }).click();
      await page.getByRole('heading', { name: link, level: 1 }).waitFor();
      await screenshot(page, 'web-portal', `zh-${name}`);
      await assertAccessible(page, `zh ${name}`);
    }
    w.assertClean();
    await w.context.close();
  });
});
