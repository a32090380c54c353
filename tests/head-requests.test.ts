/**
 * HEAD is answered where a client may ask for it (health, metrics, the OpenAPI document, the docs and the web
 * consoles' pages), with the headers and length of the GET and no body; the JSON APIs' routes register no HEAD twin
 * (src/api/server.ts), so a HEAD there is the API's not-found answer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestPlatform, type TestPlatform } from './helpers/platform.js';

describe('HEAD requests', () => {
  let tp: TestPlatform;
  before(async () => {
    tp = await startTestPlatform('sqlite');
  });
  after(() => tp.close());

  it('answers like GET, without a body, for /healthz, /openapi.json and the pages', async () => {
    for (const url of ['/healthz', '/openapi.json', '/', '/console', '/console/users', '/docs']) {
      const get = await tp.app.inject({ method: 'GET', url });
      const head = await tp.app.inject({ method: 'HEAD', url });
      assert.equal(head.statusCode, get.statusCode, url);
      assert.equal(head.statusCode, 200, url);
      assert.equal(head.headers['content-type'], get.headers['content-type'], url);
      assert.equal(head.headers['content-length'], String(get.rawPayload.length), url);
      assert.equal(head.rawPayload.length, 0, url);
    }
  });

  it('registers no HEAD twin for the JSON APIs', async () => {
    const routes = tp.app.printRoutes({ commonPrefix: false });
    // printRoutes draws a tree: a route's last segments, then its methods in brackets.
    const methods = (path: string) => new RegExp(`[\\s/]${path.replaceAll('/', '\\/')} \\(([^)]*)\\)`).exec(routes)?.[1];
    assert.equal(methods('gateway/whitelist-account/list'), 'GET');
    assert.equal(methods('healthz'), 'GET, HEAD');
    const admin = await tp.app.inject({ method: 'HEAD', url: '/admin/users' });
    assert.equal(admin.statusCode, 404);
  });
});
