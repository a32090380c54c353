/**
 * The customer portal in Chromium against the real API, gateway and database (SQLite): a wrong password keeps
 * the form with the API's message; a customer signs in, adds sub-accounts, generates a proxy line whose curl
 * example carries bytes through the gateway to a loopback target, sees those bytes in the usage chart's total,
 * and buys a package with the balance; sees one sub-account's usage; rotates the app_key (the key shown once works
 * over HTTP, the old one is refused, a reload shows its last 4 characters); switches to a team made through the
 * admin API (its sub-accounts only, changes disabled and refused by the API without the permission, allowed once
 * granted). Every page is screenshotted and checked with axe, in English and in
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
import { fetch } from 'undici';
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

/** The text of a figure once it has loaded (the page shows '…' until its query answers). */
async function loadedFigure(page: Page, testId: string): Promise<string | null> {
  await page.waitForFunction((id) => {
    const text = document.querySelector(`[data-testid="${id}"]`)?.textContent;
    return text !== undefined && text !== null && text !== '…';
  }, testId);
  return page.getByTestId(testId).textContent();
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
  let originalKey: string;
  let prefix: string;

  /** A customer API call with an app_key, over HTTP (undici), as a customer's script makes it. */
  const listWithKey = async (key: string): Promise<number> => {
    const res = await fetch(`${baseURL}${prefix}/whitelist-account/list?app_key=${encodeURIComponent(key)}`);
    return ((await res.json()) as { code: number }).code;
  };
  const admin = async (method: 'POST' | 'PATCH', url: string, body: unknown) => {
    const res = await g.tp.app.inject({
      method,
      url: `/admin${url}`,
      headers: { authorization: `Bearer ${g.tp.platform.config.adminToken}`, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    assert.equal(res.json().code, 200, res.body);
    return res.json().data;
  };

  before(async () => {
    ensureWebBuilt();
    g = await startGatewayPlatform('sqlite', { TOLLGATE_PROXY_PORT: String(await freePort()) });
    baseURL = await g.tp.app.listen({ host: '127.0.0.1', port: 0 });
    const s = g.tp.platform.services;
    const { user, appKey } = await s.users.create({ email: EMAIL, password: PASSWORD });
    userId = user.id;
    originalKey = appKey;
    prefix = g.tp.platform.config.apiPrefixes[0] ?? '';
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
    assert.equal(await loadedFigure(page, 'balance'), '100.00');

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
    // Both are filled in once the sub-account list has answered.
    await page.getByTestId('proxy-lines').filter({ hasText: 'webuser1' }).waitFor();
    await page.getByTestId('curl-example').filter({ hasText: targetUrl }).waitFor();
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

  it('asks for the session and the sub-account list from its early script, once each, in either language', async () => {
    for (const [locale, heading] of [
      ['en-US', 'Sub-accounts'],
      ['zh-CN', '子账户'],
    ] as const) {
      const w = await openPage(browser, { baseURL, locale });
      const { page } = w;
      await page.goto('/');
      await signIn(page);
      await page.getByRole('heading', { name: /^(Overview|概览)$/, level: 1 }).waitFor();
      // Reopened: the prefix is remembered, so web/portal/early.ts asks for both before the rest has loaded.
      const cdp = await w.context.newCDPSession(page);
      await cdp.send('Network.enable');
      const sent: { url: string; initiator: string[] }[] = [];
      cdp.on('Network.requestWillBeSent', (e) => {
        const path = new URL(e.request.url).pathname;
        if (path === '/web/session' || path.endsWith('/whitelist-account/list')) {
          sent.push({ url: path, initiator: (e.initiator.stack?.callFrames ?? []).map((f) => new URL(f.url).pathname) });
        }
      });
      await page.goto('/sub-accounts');
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await page.getByTestId('row-count').waitFor();
      assert.deepEqual(sent.map((r) => r.url).sort(), [`${prefix}/whitelist-account/list`, '/web/session'], locale);
      for (const r of sent) assert.match(r.initiator[0] ?? '', /^\/assets\/early-[\w-]+\.js$/, `${locale} ${r.url}`);
      w.assertClean();
      await w.context.close();
    }
  });

  it('shows one sub-account’s usage, and rotates the app_key: shown once, works over HTTP, the old one refused', async () => {
    const w = await openPage(browser, { baseURL });
    const { page } = w;
    await page.goto('/sub-accounts');
    await signIn(page);
    await page.getByRole('heading', { name: 'Sub-accounts', level: 1 }).waitFor();
    // webuser1 carried BODY_BYTES through the gateway in the test above: its own usage shows them.
    await page.getByRole('button', { name: 'Usage of webuser1' }).click();
    await page.getByRole('heading', { name: 'Usage of webuser1', level: 2 }).waitFor();
    const total =
      (await page
        .getByTestId('account-usage-total')
        .filter({ hasText: /KiB|MiB/ })
        .textContent()) ?? '';
    const kib = /^([\d.]+) KiB$/.exec(total);
    assert.ok(kib && Number(kib[1]) * 1024 >= BODY_BYTES * 0.9, total);
    await page.locator('.chart-canvas canvas').first().waitFor();
    await screenshot(page, 'web-portal', 'sub-account-usage');
    await assertAccessible(page, 'sub-account usage');

    await page.getByRole('link', { name: 'API access' }).click();
    await page.getByRole('heading', { name: 'API access', level: 1 }).waitFor();
    await page
      .getByTestId('app-key-last4')
      .filter({ hasText: `…${originalKey.slice(-4)}` })
      .waitFor();
    assert.equal(await listWithKey(originalKey), 200);
    for (const p of g.tp.platform.config.apiPrefixes) {
      assert.match(
        (await page.getByTestId(`example-${p}`).textContent()) ?? '',
        new RegExp(`${p}/whitelist-account/list\\?app_key=`),
      );
    }
    await page.getByRole('button', { name: 'Rotate app_key' }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    const newKey = (await page.getByTestId('new-app-key').textContent()) ?? '';
    assert.match(newKey, /^[A-Za-z0-9]{32}$/);
    assert.notEqual(newKey, originalKey);
    assert.equal(await listWithKey(newKey), 200, 'the key shown works');
    assert.equal(await listWithKey(originalKey), 3, 'the old key is refused');
    await page
      .getByTestId('app-key-last4')
      .filter({ hasText: `…${newKey.slice(-4)}` })
      .waitFor();
    await screenshot(page, 'web-portal', 'api-access-rotated');
    await assertAccessible(page, 'api-access rotated');
    // Shown once: after a reload only its last 4 characters.
    await page.reload();
    await page
      .getByTestId('app-key-last4')
      .filter({ hasText: `…${newKey.slice(-4)}` })
      .waitFor();
    assert.ok(!(await page.content()).includes(newKey));
    w.assertClean();
    await w.context.close();
  });

  it('switches to a team made through the admin API: its sub-accounts, its permissions, refused by the API too', async () => {
    const s = g.tp.platform.services;
    const { user: owner, appKey: ownerKey } = await s.users.create({ email: 'team-owner@example.com', password: PASSWORD });
    const team = await admin('POST', '/teams', { owner_user_id: owner.id, name: 'Crawlers', team_id: 'Crawl01' });
    const teamId = team.team_id as string;
    await admin('POST', `/teams/${teamId}/members`, { user_id: userId, permissions: [] });
    const added = await fetch(`${baseURL}${prefix}/whitelist-account/add?app_key=${ownerKey}&team_id=${teamId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accounts: 'teamacct1:pass1234' }),
    });
    assert.equal(((await added.json()) as { code: number }).code, 200);

    const w = await openPage(browser, { baseURL });
    const { page } = w;
    await page.goto('/sub-accounts');
    await signIn(page);
    await page.getByRole('cell', { name: 'webuser1', exact: true }).waitFor();
    await page.getByLabel('Space').selectOption({ label: `Team Crawlers (${teamId})` });
    await page.getByRole('cell', { name: 'teamacct1', exact: true }).waitFor();
    assert.equal(await page.getByRole('cell', { name: 'webuser1', exact: true }).count(), 0, 'nothing personal shown');
    assert.equal(await page.getByTestId('row-count').textContent(), '1 row');
    // A member without manage_accounts: the page disables the changes…
    await page.getByText('changing them needs the manage_accounts permission').waitFor();
    assert.ok(await page.getByRole('button', { name: 'Add', exact: true }).isDisabled());
    assert.ok(await page.getByRole('button', { name: 'Edit teamacct1' }).isDisabled());
    assert.ok(await page.getByRole('button', { name: 'Disable teamacct1' }).isDisabled());
    await screenshot(page, 'web-portal', 'team-sub-accounts-read-only');
    await assertAccessible(page, 'team sub-accounts');
    // …and the API refuses them anyway, for the session's own calls with team_id.
    const refused = await page.evaluate(
      async ({ prefix, teamId }) => {
        const csrf =
          document.cookie
            .split('; ')
            .find((c) => c.startsWith('tg_csrf='))
            ?.slice('tg_csrf='.length) ?? '';
        const res = await fetch(`${prefix}/whitelist-account/add?team_id=${teamId}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': decodeURIComponent(csrf) },
          body: JSON.stringify({ accounts: 'sneaky1:pass1234' }),
        });
        return ((await res.json()) as { code: number }).code;
      },
      { prefix, teamId },
    );
    assert.equal(refused, 8002);
    w.clear();
    const space = (await s.teams.resolve(teamId, userId)).team.backingUserId;
    const ownerOf = async (username: string) =>
      (
        await g.tp.platform.storage.db
          .selectFrom('sub_accounts')
          .select('user_id')
          .where('username', '=', username)
          .executeTakeFirst()
      )?.user_id;
    assert.equal(await ownerOf('sneaky1'), undefined);

    // The other pages show the team: its wallet needs view_billing, buying needs pay.
    await page.getByRole('link', { name: 'Overview' }).click();
    await page
      .getByTestId('team-banner')
      .filter({ hasText: `Crawlers (${teamId})` })
      .waitFor();
    assert.equal(await loadedFigure(page, 'balance'), '—');
    await screenshot(page, 'web-portal', 'team-overview');
    await assertAccessible(page, 'team overview');
    await page.getByRole('link', { name: 'Orders & recharge' }).click();
    await page.getByText('Buying and paying for this team needs the pay permission.').waitFor();
    assert.ok(await page.getByRole('button', { name: 'Buy', exact: true }).isDisabled());
    await screenshot(page, 'web-portal', 'team-orders');
    await assertAccessible(page, 'team orders');

    // The operator grants manage_accounts: after a reload (the team is remembered) the member adds to the team.
    await admin('PATCH', `/teams/${teamId}/members/${userId}`, { permissions: ['manage_accounts'] });
    await page.getByRole('link', { name: 'Sub-accounts' }).click();
    await page.reload();
    await page.getByRole('cell', { name: 'teamacct1', exact: true }).waitFor();
    await page.getByLabel('Accounts', { exact: true }).fill('teamacct2:pass5678');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('cell', { name: 'teamacct2', exact: true }).waitFor();
    assert.equal(await ownerOf('teamacct2'), space, 'added to the team’s space');

    // In Chinese too.
    await page.getByLabel('Language').selectOption('zh');
    await page.getByRole('heading', { name: '子账户', level: 1 }).waitFor();
    await page.getByLabel('空间').selectOption({ label: '个人' });
    await page.getByRole('cell', { name: 'webuser1', exact: true }).waitFor();
    assert.equal(await page.getByRole('cell', { name: 'teamacct2', exact: true }).count(), 0);
    await screenshot(page, 'web-portal', 'zh-team-switch-personal');
    await assertAccessible(page, 'zh personal after team');
    w.assertClean();
    await w.context.close();
  });
});
