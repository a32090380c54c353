/**
 * The operator console in headless Chromium against the real API (SQLite): an operator signs in (a wrong
 * password first keeps the form with a message), creates a user, grants a package, adjusts the balance,
 * disables an exit node and finds each of those in the audit log; every page is visited in English and in
 * Chinese, screenshotted and checked with axe, with no page error or failed request beyond the expected refusal.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { assertAccessible, browserSkip, ensureWebBuilt, launchBrowser, openPage, screenshot } from './helpers/browser.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';

const SUITE = 'web-console';
const EMAIL = 'ops@console.example';
const PASSWORD = 'console password 1';

async function signIn(page: Page, password: string, labels = { email: 'Email', password: 'Password', submit: 'Sign in' }) {
  await page.getByLabel(labels.email).fill(EMAIL);
  await page.getByLabel(labels.password).fill(password);
  await page.getByRole('button', { name: labels.submit }).click();
}

async function visit(page: Page, link: string, heading: string, shot: string): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: link, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  await screenshot(page, SUITE, shot);
  await assertAccessible(page, shot);
}

describe('operator console in Chromium', { skip: browserSkip() }, () => {
  let tp: TestPlatform;
  let browser: Browser;
  let baseURL: string;
  let nodeId: number;

  before(async () => {
    ensureWebBuilt();
    tp = await startTestPlatform('sqlite');
    await tp.platform.services.operators.create({ email: EMAIL, password: PASSWORD, role: 'admin' });
    nodeId = (await tp.platform.services.nodes.add({ url: 'direct://', country: 'US', types: [9] })).id;
    await tp.platform.services.products.add({
      title: 'Residential 10 GB',
      productType: 9,
      price: '10',
      unitBytes: 10 * 1024 ** 3,
      unitDays: 30,
    });
    baseURL = await tp.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await tp?.close();
  });

  it('signs in, creates a user, grants a package, disables an exit node and sees it all in the audit log', async () => {
    const w = await openPage(browser, { baseURL, locale: 'en-US' });
    const { page } = w;
    await page.goto('/console');
    await page.getByRole('heading', { name: 'Tollgate console' }).waitFor();
    await screenshot(page, SUITE, 'signin-en');
    await assertAccessible(page, 'sign-in');

    // A wrong password keeps the form, with the API's message.
    await signIn(page, 'not the password');
    await page.getByRole('alert').filter({ hasText: 'Wrong operator email or password' }).waitFor();
    assert.equal(await page.getByLabel('Email').inputValue(), EMAIL);
    assert.ok(await page.getByRole('button', { name: 'Sign in' }).isVisible());
    await screenshot(page, SUITE, 'signin-refused-en');
    // The refusal (and the browser's console line about it) is the only problem so far.
    assert.ok(w.problems.includes(`HTTP 401: POST ${baseURL}/admin/session`), w.problems.join('\n'));
    assert.ok(
      w.problems.every((p) => p === `HTTP 401: POST ${baseURL}/admin/session` || /status of 401/.test(p)),
      w.problems.join('\n'),
    );
    w.clear();

    await signIn(page, PASSWORD);
    await page.getByRole('heading', { level: 1, name: 'Live view' }).waitFor();
    await page.getByText('Open connections').waitFor();
    // The gateway registry's table: without Redis and without a gateway in this process, the page says so.
    await page.getByRole('heading', { level: 2, name: 'Gateways' }).waitFor();
    await page.getByText('No Redis (TOLLGATE_REDIS_URL unset)').waitFor();
    await screenshot(page, SUITE, 'live-en');
    await assertAccessible(page, 'live');

    // Users: create one (its app_key is shown once), find it, open it.
    await visit(page, 'Users', 'Users', 'users-en');
    const userEmail = 'alice@customer.example';
    await page.getByLabel('Email').fill(userEmail);
    await page.getByLabel('Password').fill('alice password');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const created = page.getByRole('status').filter({ hasText: `Created ${userEmail}` });
    await created.waitFor();
    assert.match((await created.locator('code').textContent()) ?? '', /^[A-Za-z0-9]{32}$/);
    await page.getByLabel('Search').fill('alice@');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: userEmail }).click();
    await page.getByRole('heading', { level: 1, name: userEmail }).waitFor();

    // Grant a package and adjust the balance.
    await page.getByLabel('Traffic (GB)').fill('5');
    await page.getByLabel('Days').fill('30');
    await page.getByRole('button', { name: 'Grant' }).click();
    await page.getByText('Package granted.').waitFor();
    await page.getByRole('cell', { name: '0 B / 5.0 GiB' }).waitFor();
    await page.getByLabel('Amount').fill('12.50');
    await page.getByLabel('Reason').fill('welcome credit');
    await page.getByRole('button', { name: 'Adjust', exact: true }).click();
    await page.getByRole('cell', { name: 'adjust: welcome credit' }).waitFor();
    await screenshot(page, SUITE, 'user-detail-en');
    await assertAccessible(page, 'user detail');
    const user = await tp.platform.services.users.findByEmail(userEmail);
    assert.ok(user);
    assert.equal(user.balanceCents, 1250);
    const packages = await tp.platform.services.packages.list(user.id, { page: 1, size: 10 });
    assert.equal(packages.items[0]?.totalBytes, 5 * 1024 ** 3);

    // Disable the exit node.
    await visit(page, 'Exit nodes', 'Exit nodes', 'nodes-en');
    await page.getByRole('button', { name: `Disable ${nodeId}` }).click();
    await page.getByRole('button', { name: `Enable ${nodeId}` }).waitFor();
    await page.getByRole('cell', { name: 'Disabled' }).waitFor();
    assert.equal((await tp.platform.services.nodes.get(nodeId)).enabled, false);
    await screenshot(page, SUITE, 'nodes-disabled-en');

    // The audit log holds each action, by this operator.
    await visit(page, 'Audit log', 'Audit log', 'audit-en');
    for (const action of [
      'POST /admin/nodes/:id/disable',
      'POST /admin/users/:id/balance',
      'POST /admin/users/:id/packages',
      'POST /admin/users',
    ]) {
      const row = page.getByRole('row').filter({ has: page.getByText(action, { exact: true }) });
      await row.first().waitFor();
      assert.match((await row.first().textContent()) ?? '', new RegExp(EMAIL.replace('.', '\\.')));
    }
    await page.getByLabel('Target type').fill('nodes');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page
      .getByRole('cell', { name: `nodes ${nodeId}` })
      .first()
      .waitFor();
    assert.equal(await page.getByText('POST /admin/users', { exact: true }).count(), 0);

    await visit(page, 'Catalogue', 'Catalogue', 'catalogue-en');
    await visit(page, 'Orders', 'Orders', 'orders-en');
    await visit(page, 'Static IPs', 'Static IPs', 'static-ips-en');

    w.assertClean();
    await w.context.close();
  });

  it('works in Chinese, every page', async () => {
    const w = await openPage(browser, { baseURL, locale: 'zh-CN' });
    const { page } = w;
    await page.goto('/console');
    await page.getByRole('heading', { name: 'Tollgate 运营后台' }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    await screenshot(page, SUITE, 'signin-zh');
    await signIn(page, PASSWORD, { email: '邮箱', password: '密码', submit: '登录' });
    await page.getByRole('heading', { level: 1, name: '实时概览' }).waitFor();
    await screenshot(page, SUITE, 'live-zh');
    await assertAccessible(page, 'live zh');
    for (const [link, heading, shot] of [
      ['用户', '用户', 'users-zh'],
      ['出口节点', '出口节点', 'nodes-zh'],
      ['商品目录', '商品目录', 'catalogue-zh'],
      ['订单', '订单', 'orders-zh'],
      ['静态 IP', '静态 IP', 'static-ips-zh'],
      ['审计日志', '审计日志', 'audit-zh'],
    ] as const) {
      await visit(page, link, heading, shot);
    }
    // Sign out: back to the form, and the session is gone.
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.getByRole('button', { name: '登录' }).waitFor();
    w.assertClean();
    await w.context.close();
  });
});
