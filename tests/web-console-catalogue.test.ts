/**
 * The operator console's write pages in headless Chromium against the real API (SQLite): an admin creates a
 * time-package product and its SKU, edits the price, creates and disables a coupon, adds and edits a gift
 * tier, adds an external payment method (its secret shown once, never again), adds a SOCKS5 exit node (its
 * password never shown back) and edits its geo, adds a static IP and allocates it, grants a time package and
 * sees the user's team; the API's reasons appear beside the fields they concern. Each change is checked
 * through the services and in the audit log with before/after. A support operator sees no write controls and
 * the API refuses its write. Screenshots of every page in English and Chinese; axe on each.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { assertAccessible, browserSkip, ensureWebBuilt, launchBrowser, openPage, screenshot } from './helpers/browser.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';

const SUITE = 'web-console-catalogue';
const ADMIN = 'catalogue-admin@console.example';
const SUPPORT = 'catalogue-support@console.example';
const PASSWORD = 'console password 2';
const NODE_PASSWORD = 'n0de-s3cret-pass';

async function signIn(page: Page, email: string, labels = { email: 'Email', password: 'Password', submit: 'Sign in' }) {
  await page.goto('/console');
  await page.getByLabel(labels.email, { exact: true }).fill(email);
  await page.getByLabel(labels.password, { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: labels.submit }).click();
  await page.getByRole('navigation').waitFor();
}

async function visit(page: Page, link: string, heading: string): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: link, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

async function shoot(page: Page, name: string): Promise<void> {
  await screenshot(page, SUITE, name);
  await assertAccessible(page, name);
}

/** Waits (bounded: 5 s) until `check` holds. */
async function until(check: () => Promise<boolean>): Promise<void> {
  for (const end = Date.now() + 5_000; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    if (await check()) return;
  }
  assert.fail('condition not met within 5 s');
}

/** The one field error (role=alert) inside `scope`, once shown. */
async function fieldError(scope: Locator): Promise<string> {
  const alert = scope.locator('.field-error');
  await alert.first().waitFor();
  return (await alert.first().textContent()) ?? '';
}

describe('operator console: catalogue, nodes, static IPs, grants in Chromium', { skip: browserSkip() }, () => {
  let tp: TestPlatform;
  let browser: Browser;
  let baseURL: string;
  let userId: number;
  const userEmail = 'carol@customer.example';

  before(async () => {
    ensureWebBuilt();
    tp = await startTestPlatform('sqlite');
    const s = tp.platform.services;
    await s.operators.create({ email: ADMIN, password: PASSWORD, role: 'admin' });
    await s.operators.create({ email: SUPPORT, password: PASSWORD, role: 'support' });
    userId = (await s.users.create({ email: userEmail, password: 'carol password' })).user.id;
    const mate = (await s.users.create({ email: 'dave@customer.example', password: 'dave password' })).user.id;
    const team = await s.teams.create({ ownerUserId: userId, name: 'Carol Labs' });
    await s.teams.addMember(team.publicId, mate, ['view_billing']);
    baseURL = await tp.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await tp?.close();
  });

  it('an admin edits the catalogue, nodes and static IPs, grants a time package; all audited', async () => {
    const s = tp.platform.services;
    const w = await openPage(browser, { baseURL, locale: 'en-US' });
    const { page } = w;
    await signIn(page, ADMIN);

    // Products: a time package (type 11) and one bandwidth option, then a new price.
    await visit(page, 'Catalogue', 'Catalogue');
    await page.getByRole('button', { name: 'Add a product' }).click();
    let form = page.getByRole('form', { name: 'Add a product' });
    await form.getByLabel('Name', { exact: true }).fill('Residential by time');
    await form.getByLabel('Type', { exact: true }).selectOption('11');
    await form.getByLabel('Unit price', { exact: true }).fill('20');
    await form.getByLabel('Days per unit', { exact: true }).fill('30');
    await form.getByRole('button', { name: 'Save' }).click();
    const [product] = (await s.products.list()).filter((p) => p.title === 'Residential by time');
    assert.ok(product);
    form = page.getByRole('form', { name: `Edit product ${product.id}` });
    await form.waitFor();
    const addSku = page.getByRole('form', { name: 'Add an option' });
    await addSku.getByLabel('Kind', { exact: true }).selectOption('bandwidth');
    await addSku.getByLabel('Option title', { exact: true }).fill('50 Mbit/s');
    await addSku.getByLabel('Value', { exact: true }).fill('50');
    await addSku.getByLabel('Option price', { exact: true }).fill('5');
    await addSku.getByRole('button', { name: 'Add option' }).click();
    await page.getByRole('cell', { name: '50 Mbit/s 50 (+5.00)', exact: true }).waitFor();
    await form.getByLabel('Unit price', { exact: true }).fill('25.50');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: '25.50', exact: true }).waitFor();
    const saved = await s.products.get(product.id);
    assert.equal(saved.productType, 11);
    assert.equal(saved.unitPriceCents, 2550);
    assert.equal(saved.unitDays, 30);
    assert.deepEqual(
      saved.skus.map((k) => [k.kind, k.title, k.value, k.priceCents]),
      [['bandwidth', '50 Mbit/s', 50, 500]],
    );
    await form.getByRole('button', { name: 'Close' }).click();

    // The API's reason shows beside the field: a traffic product needs traffic per unit; nothing is created.
    const before = (await s.products.list()).length;
    await page.getByRole('button', { name: 'Add a product' }).click();
    form = page.getByRole('form', { name: 'Add a product' });
    await form.getByLabel('Name', { exact: true }).fill('Broken');
    await form.getByLabel('Type', { exact: true }).selectOption('9');
    await form.getByLabel('Unit price', { exact: true }).fill('3');
    await form.getByLabel('Traffic per unit (GB)', { exact: true }).fill('0');
    await form.getByRole('button', { name: 'Save' }).click();
    assert.match(await fieldError(form), /greater than 0/);
    assert.equal(await form.getByLabel('Traffic per unit (GB)', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.equal((await s.products.list()).length, before);
    assert.ok(
      w.problems.every((p) => /HTTP 4\d\d: POST .*\/admin\/products$|status of 4\d\d/.test(p)),
      w.problems.join('\n'),
    );
    w.clear();
    await form.getByRole('button', { name: 'Close' }).click();

    // A coupon, created then disabled.
    form = page.getByRole('form', { name: 'Add a coupon' });
    await form.getByLabel('Code', { exact: true }).fill('WELCOME10');
    await form.getByLabel('Name', { exact: true }).fill('Welcome');
    await form.getByLabel('Discount', { exact: true }).fill('10');
    await form.getByLabel('Expires', { exact: true }).fill('2030-12-31T23:59');
    await form.getByRole('button', { name: 'Add coupon' }).click();
    await page.getByRole('cell', { name: 'WELCOME10', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Disable WELCOME10' }).click();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('button', { name: 'Enable WELCOME10' }).waitFor();
    const [coupon] = (await s.coupons.list()).filter((c) => c.code === 'WELCOME10');
    assert.ok(coupon);
    assert.equal(coupon.enabled, false);
    assert.equal(coupon.kind, 'percent');
    assert.equal(coupon.discountValue, 1000, '10 % off, in basis points');
    assert.equal(new Date(coupon.expiresAt).getFullYear(), 2030);

    // A gift tier, added then edited.
    form = page.getByRole('form', { name: 'Add a gift tier' });
    await form.getByLabel('Top-up from', { exact: true }).fill('100');
    await form.getByLabel('Credit ratio', { exact: true }).fill('1.2');
    await form.getByRole('button', { name: 'Add tier' }).click();
    form = page.getByRole('form', { name: 'From 100.00' });
    await form.getByLabel('Credit ratio', { exact: true }).fill('1.5');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByText('From 100.00: 150 % credited').or(page.getByRole('status')).first().waitFor();
    await until(async () => (await s.giftTiers.list())[0]?.ratioBp === 15_000);
    assert.deepEqual(
      (await s.giftTiers.list()).map((g) => [g.amountCents, g.ratioBp]),
      [[10_000, 15_000]],
    );

    // An external payment method: its signing secret is shown once, then only "Set".
    await page.getByRole('button', { name: 'Add a payment method' }).click();
    form = page.getByRole('form', { name: 'Add a payment method' });
    await form.getByLabel('Kind', { exact: true }).selectOption('external');
    await form.getByLabel('Name', { exact: true }).fill('CardPay');
    await form.getByLabel('Pay URL', { exact: true }).fill('https://pay.example.com/checkout?order={trade_no}&amount={amount}');
    await form.getByRole('button', { name: 'Save' }).click();
    const secret = (await page.getByRole('status').filter({ hasText: 'shown only now' }).locator('code').textContent()) ?? '';
    assert.ok(secret.length >= 16, secret);
    await page.getByRole('cell', { name: 'Set (never shown again)', exact: true }).waitFor();
    await shoot(page, 'catalogue-edited-en');
    await page.reload();
    await page.getByRole('cell', { name: 'CardPay', exact: true }).waitFor();
    assert.equal(await page.getByText(secret).count(), 0);
    await page.getByRole('button', { name: 'Disable CardPay' }).click();
    await page.getByRole('button', { name: 'Enable CardPay' }).waitFor();
    const [method] = (await s.paymentMethods.list()).filter((m) => m.title === 'CardPay');
    assert.ok(method);
    assert.equal(method.disabled, true);

    // Exit nodes: a SOCKS5 upstream with credentials; a bad country first (the API's reason beside the field).
    await visit(page, 'Exit nodes', 'Exit nodes');
    form = page.getByRole('form', { name: 'Add an exit node' });
    await form.getByLabel('Kind', { exact: true }).selectOption('socks5');
    await form.getByLabel('Host', { exact: true }).fill('203.0.113.5');
    await form.getByLabel('Port', { exact: true }).fill('1080');
    await form.getByLabel('Username', { exact: true }).fill('alice');
    await form.getByLabel('Password', { exact: true }).fill(NODE_PASSWORD);
    await form.getByLabel('Country', { exact: true }).fill('ZZ');
    await form.getByLabel('Weight', { exact: true }).fill('3');
    await form.getByRole('button', { name: 'Add' }).click();
    assert.ok((await fieldError(form)).length > 0);
    assert.equal((await s.nodes.list()).length, 0);
    w.clear();
    await form.getByLabel('Country', { exact: true }).fill('US');
    await form.getByRole('button', { name: 'Add' }).click();
    await page.getByRole('cell', { name: 'socks5://alice:***@203.0.113.5:1080', exact: true }).waitFor();
    assert.equal(await page.getByText(NODE_PASSWORD).count(), 0);
    const [node] = await s.nodes.list();
    assert.ok(node);
    assert.equal(node.kind, 'socks5');
    assert.equal(node.weight, 3);
    await page.getByRole('button', { name: `Edit node ${node.id}` }).click();
    form = page.getByRole('form', { name: `Edit node ${node.id}` });
    await form.getByLabel('State or region', { exact: true }).fill('california');
    await form.getByLabel('City', { exact: true }).fill('los_angeles');
    await form.getByLabel('Weight', { exact: true }).fill('5');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('cell', { name: 'US / california / los_angeles', exact: true }).waitFor();
    const edited = await s.nodes.get(node.id);
    assert.deepEqual([edited.country, edited.state, edited.city, edited.weight], ['US', 'california', 'los_angeles', 5]);
    assert.equal(edited.kind, 'socks5', 'the connection is kept when not replaced');
    await shoot(page, 'nodes-edited-en');

    // Static IPs: add one to the inventory, allocate it to the user; the expiry shows.
    await visit(page, 'Static IPs', 'Static IPs');
    form = page.getByRole('form', { name: 'Add an address to the inventory' });
    await form.getByLabel('IP address', { exact: true }).fill('203.0.113.10');
    await form.getByLabel('Port', { exact: true }).fill('8000');
    await form.getByLabel('Country', { exact: true }).fill('US');
    await form.getByLabel('Type', { exact: true }).selectOption('14');
    await form.getByRole('button', { name: 'Add address' }).click();
    await page.getByRole('cell', { name: '203.0.113.10:8000', exact: true }).waitFor();
    form = page.getByRole('form', { name: 'Allocate to a user' });
    await form.getByLabel('User id', { exact: true }).fill(String(userId));
    await form.getByLabel('Country', { exact: true }).fill('US');
    await form.getByLabel('Type', { exact: true }).selectOption('14');
    await form.getByLabel('How many', { exact: true }).fill('1');
    await form.getByLabel('Days', { exact: true }).fill('30');
    await form.getByRole('button', { name: 'Allocate' }).click();
    await page.getByText('Allocated: 203.0.113.10:8000').waitFor();
    await page.getByRole('cell', { name: new RegExp(`^user ${userId} until `) }).waitFor();
    const [ip] = await s.staticIps.list();
    assert.equal(ip?.allocation?.userId, userId);
    const days = ((ip?.allocation?.expiresAt ?? 0) - Date.now()) / 86_400_000;
    assert.ok(days > 29 && days <= 31, String(days));
    await shoot(page, 'static-ips-allocated-en');

    // The user: a time package (type 11), and the user's team with its members.
    await page.goto(`/console/users/${userId}`);
    await page.getByRole('heading', { level: 1, name: userEmail }).waitFor();
    const grant = page.getByRole('region', { name: 'Grant a package' });
    await grant.getByLabel('Type', { exact: true }).selectOption('11');
    await grant.getByLabel('Bandwidth (Mbit/s)', { exact: true }).fill('20');
    await grant.getByLabel('Concurrency', { exact: true }).fill('5');
    await grant.getByLabel('Days', { exact: true }).fill('7');
    await grant.getByRole('button', { name: 'Grant' }).click();
    await page.getByText('Package granted.').waitFor();
    const packages = await s.packages.list(userId, { page: 1, size: 10 });
    assert.deepEqual(
      packages.items.map((p) => [p.productType, p.bandwidthMbps, p.concurrency]),
      [[11, 20, 5]],
    );
    const teams = page.getByRole('region', { name: /^Teams \(1\)/ });
    await teams.getByText('Carol Labs').waitFor();
    await teams.getByRole('cell', { name: /dave@customer\.example/ }).waitFor();
    await teams.getByRole('cell', { name: 'view_billing', exact: true }).waitFor();
    await shoot(page, 'user-detail-en');

    // Every action is in the audit log, by this operator, with before and after.
    await visit(page, 'Audit log', 'Audit log');
    for (const action of [
      'POST /admin/products',
      'POST /admin/products/:id/skus',
      'PATCH /admin/products/:id',
      'POST /admin/coupons',
      'PATCH /admin/coupons/:id',
      'POST /admin/gift-tiers',
      'PATCH /admin/gift-tiers/:id',
      'POST /admin/payment-methods',
      'PATCH /admin/payment-methods/:id',
      'POST /admin/nodes',
      'PATCH /admin/nodes/:id',
      'POST /admin/static-ips',
      'POST /admin/users/:id/static-ips',
      'POST /admin/users/:id/packages',
    ]) {
      const row = page.getByRole('row').filter({ has: page.getByText(action, { exact: true }) });
      await row.first().waitFor();
      assert.match((await row.first().textContent()) ?? '', /catalogue-admin@console\.example/);
    }
    await shoot(page, 'audit-en');
    const nodeEdits = await s.audit.list({ action: 'PATCH /admin/nodes/:id', page: 1, size: 10 });
    const entry = nodeEdits.items[0];
    assert.ok(entry);
    assert.equal(entry.actor, ADMIN);
    assert.equal((entry.before as { city: string }).city, '');
    assert.equal((entry.after as { city: string }).city, 'los_angeles');
    const priceEdit = (await s.audit.list({ action: 'PATCH /admin/products/:id', page: 1, size: 10 })).items[0];
    assert.deepEqual([(priceEdit?.before as { price: number }).price, (priceEdit?.after as { price: number }).price], [20, 25.5]);
    const everything = JSON.stringify((await s.audit.list({ page: 1, size: 100 })).items);
    assert.ok(!everything.includes(NODE_PASSWORD), 'the node password is never in the audit log');
    assert.ok(!everything.includes(secret), 'the signing secret is never in the audit log');

    w.assertClean();
    await w.context.close();
  });

  it('in Chinese: the write pages render translated, each page screenshotted', async () => {
    const w = await openPage(browser, { baseURL, locale: 'zh-CN' });
    const { page } = w;
    await signIn(page, ADMIN, { email: '邮箱', password: '密码', submit: '登录' });
    await visit(page, '商品目录', '商品目录');
    await page.getByRole('button', { name: '新增商品' }).click();
    await page.getByRole('form', { name: '新增商品' }).getByLabel('每单位流量 (GB)', { exact: true }).waitFor();
    await shoot(page, 'catalogue-zh');
    await visit(page, '出口节点', '出口节点');
    await page.getByRole('form', { name: '添加出口节点' }).getByLabel('类型', { exact: true }).selectOption('http');
    await page.getByRole('form', { name: '添加出口节点' }).getByLabel('主机', { exact: true }).waitFor();
    await shoot(page, 'nodes-zh');
    await visit(page, '静态 IP', '静态 IP');
    await page.getByRole('form', { name: '分配给用户' }).waitFor();
    await shoot(page, 'static-ips-zh');
    await page.goto(`/console/users/${userId}`);
    await page
      .getByRole('region', { name: /^团队 \(1\)/ })
      .getByText('Carol Labs')
      .waitFor();
    await shoot(page, 'user-detail-zh');
    w.assertClean();
    await w.context.close();
  });

  it('a support operator sees no write controls, and the API refuses its writes', async () => {
    const w = await openPage(browser, { baseURL, locale: 'en-US' });
    const { page } = w;
    await signIn(page, SUPPORT);
    await visit(page, 'Catalogue', 'Catalogue');
    await page.getByRole('cell', { name: 'Residential by time', exact: true }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Add a product' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Edit' }).count(), 0);
    assert.equal(await page.getByRole('form').count(), 0);
    await shoot(page, 'catalogue-support-en');
    await visit(page, 'Exit nodes', 'Exit nodes');
    await page.getByRole('cell', { name: 'socks5://alice:***@203.0.113.5:1080', exact: true }).waitFor();
    assert.equal(await page.getByRole('form').count(), 0);
    await visit(page, 'Static IPs', 'Static IPs');
    await page.getByRole('cell', { name: '203.0.113.10:8000', exact: true }).waitFor();
    assert.equal(await page.getByRole('form').count(), 0);
    // The user page: status and password (support may), no grant, balance or key rotation.
    await page.goto(`/console/users/${userId}`);
    await page.getByRole('heading', { level: 1, name: userEmail }).waitFor();
    await page.getByRole('form', { name: 'Set password' }).waitFor();
    assert.equal(await page.getByRole('region', { name: 'Grant a package' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Rotate app_key' }).count(), 0);
    await shoot(page, 'user-detail-support-en');

    // The API refuses support's write with its session and CSRF token, whatever the page shows.
    const cookies = await w.context.cookies();
    const session = cookies.find((c) => c.name === 'tollgate_console');
    const csrf = cookies.find((c) => c.name === 'tollgate_console_csrf');
    assert.ok(session && csrf);
    const res = await fetch(`${baseURL}/admin/products`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie: `tollgate_console=${session.value}`,
        'x-csrf-token': csrf.value,
      },
      body: JSON.stringify({ title: 'Not allowed', product_type: 9, price: 1, unit_gb: 1, unit_days: 1 }),
    });
    const body = (await res.json()) as { code: number; data: { needs: string } };
    assert.equal(res.status, 403);
    assert.equal(body.data.needs, 'admin');
    assert.equal((await tp.platform.services.products.list()).filter((p) => p.title === 'Not allowed').length, 0);
    w.assertClean();
    await w.context.close();
  });
});
