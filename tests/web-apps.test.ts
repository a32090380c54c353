/**
 * The web consoles' plumbing: the API port serves the portal at / and the console at /console from the build,
 * every API surface wins over a page, security headers and a strict CSP on every answer; then both apps load
 * in Chromium under that CSP with no page error or failed request, pass axe, in English and Chinese.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { assertAccessible, browserSkip, ensureWebBuilt, launchBrowser, openPage, screenshot } from './helpers/browser.js';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';

const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

describe('web consoles: serving', () => {
  let t: TestPlatform;
  before(async () => {
    ensureWebBuilt();
    t = await startTestPlatform('sqlite');
  });
  after(async () => t.close());

  it('serves the portal at / and the console at /console, with a strict CSP and no caching of the page', async () => {
    const portal = await t.app.inject({ method: 'GET', url: '/', headers: HTML });
    assert.equal(portal.statusCode, 200);
    assert.match(String(portal.headers['content-type']), /^text\/html/);
    assert.match(portal.body, /<div id="root"><\/div>/);
    assert.match(portal.body, /<title>Tollgate<\/title>/);
    assert.equal(portal.headers['cache-control'], 'no-cache');
    const csp = String(portal.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(portal.headers['x-content-type-options'], 'nosniff');

    for (const url of ['/console', '/console/users/7']) {
      const page = await t.app.inject({ method: 'GET', url, headers: HTML });
      assert.equal(page.statusCode, 200, url);
      assert.match(page.body, /<title>Tollgate console<\/title>/, url);
    }
  });

  it('falls back to the portal for its own pages, but only for browsers, and never under an API surface', async () => {
    const deep = await t.app.inject({ method: 'GET', url: '/sub-accounts?page=2', headers: HTML });
    assert.equal(deep.statusCode, 200);
    assert.match(deep.body, /<title>Tollgate<\/title>/);

    // A client that does not ask for HTML gets the API's not-found.
    const json = await t.app.inject({ method: 'GET', url: '/sub-accounts' });
    assert.equal(json.statusCode, 404);
    assert.equal(json.json().code, 404);

    // Brand prefixes keep their own answer (HTTP 200, code in the envelope), /admin its 404.
    const brand = await t.app.inject({ method: 'GET', url: '/gateway/no-such-endpoint', headers: HTML });
    assert.equal(brand.statusCode, 200);
    assert.equal(brand.json().code, 404);
    const admin = await t.app.inject({ method: 'GET', url: '/admin/no-such-endpoint', headers: HTML });
    assert.equal(admin.statusCode, 404);
    assert.match(String(admin.headers['content-type']), /json/);
    const asset = await t.app.inject({ method: 'GET', url: '/assets/missing.js', headers: HTML });
    assert.equal(asset.statusCode, 404);
    // Real routes are untouched.
    const health = await t.app.inject({ method: 'GET', url: '/healthz', headers: HTML });
    assert.deepEqual(health.json(), { status: 'ok' });
  });

  it('serves hashed assets for a year', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/', headers: HTML });
    const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"/.exec(page.body)?.[1];
    assert.ok(script, page.body);
    const asset = await t.app.inject({ method: 'GET', url: script });
    assert.equal(asset.statusCode, 200);
    assert.match(String(asset.headers['content-type']), /javascript/);
    assert.match(String(asset.headers['cache-control']), /max-age=31536000/);
    assert.match(String(asset.headers['cache-control']), /immutable/);
  });
});

describe('web consoles: in Chromium', { skip: browserSkip() }, () => {
  let t: TestPlatform;
  let browser: Browser;
  let baseURL: string;
  before(async () => {
    ensureWebBuilt();
    t = await startTestPlatform('sqlite');
    baseURL = await t.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  for (const [locale, lang, title] of [
    ['en-US', 'en', 'Tollgate console'],
    ['zh-CN', 'zh-CN', 'Tollgate 运营后台'],
  ] as const) {
    it(`loads the console under the CSP in ${locale}`, async () => {
      const w = await openPage(browser, { baseURL, locale });
      await w.page.goto('/console');
      await w.page.getByRole('heading', { name: title }).waitFor();
      assert.equal(await w.page.getAttribute('html', 'lang'), lang);
      await screenshot(w.page, 'web-apps', `console-${locale}`);
      await assertAccessible(w.page, `console ${locale}`);
      w.assertClean();
      await w.context.close();
    });
  }
});
