/**
 * The admin API's exit node routes, on a Fastify instance of their own (the
 * platform's error handling, TypeBox, the OpenAPI generator) over a real
 * database, through inject. The admin token check belongs to routes/admin/index.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Validator } from '@seriousme/openapi-schema-validator';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import { SecretBox } from '../src/accounts/index.js';
import { registerErrorHandling } from '../src/api/plugins/errors.js';
import { adminNodeRoutes } from '../src/api/routes/admin/nodes.js';
import { ExitPool, NodesService, TargetPolicy } from '../src/pool/index.js';
import { dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

interface Answer {
  code: number;
  msg: string;
  data: any;
  errors?: Record<string, string>;
}

for (const dialect of dialects()) {
  describe(`admin exit node routes on ${dialect}`, () => {
    let tp: TestPlatform;
    let app: FastifyInstance;
    let pool: ExitPool;

    async function send(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, json?: unknown, status = 200): Promise<Answer> {
      const res = await app.inject({
        method,
        url,
        ...(json !== undefined
          ? { payload: JSON.stringify(json), headers: { 'content-type': 'application/json', language: 'en' } }
          : { headers: { language: 'en' } }),
      });
      assert.equal(res.statusCode, status, `${method} ${url}: ${res.body}`);
      assert.doesNotMatch(res.body, /s3cret/, 'no answer carries an upstream password');
      return res.json() as Answer;
    }

    before(async () => {
      tp = await startTestPlatform(dialect);
      const nodes = new NodesService(tp.platform.storage.db, new SecretBox(tp.platform.config.secret, 'exit-node-url'));
      pool = new ExitPool({
        source: nodes,
        policy: new TargetPolicy({ allowPrivateTargets: false, blockedPorts: [25] }),
        connectTimeoutMs: 1000,
        logger: pino({ level: 'silent' }),
      });
      app = Fastify({
        ajv: { customOptions: { coerceTypes: true, useDefaults: true, removeAdditional: false, allErrors: true } },
      }).withTypeProvider<TypeBoxTypeProvider>();
      registerErrorHandling(app, { bodyLimit: 1_048_576, alwaysHttp200: false });
      await app.register(swagger, { openapi: { openapi: '3.0.3', info: { title: 'nodes', version: '0' } } });
      await app.register(adminNodeRoutes, { prefix: '/admin', nodes, health: (id) => pool.isHealthy(id) });
      await app.ready();
    });
    after(async () => {
      await app.close();
      await tp.close();
    });

    it('adds a node and shows it with its URL masked', async () => {
      const added = await send('POST', '/admin/nodes', {
        url: 'http://alice:s3cret@proxy.example.com:3128',
        country: 'us',
        state: 'CA',
        types: [9, 11],
        weight: 3,
      });
      assert.equal(added.code, 200);
      const { id, created_at, ...rest } = added.data;
      assert.ok(Number.isInteger(id));
      assert.match(created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.deepEqual(rest, {
        url: 'http://alice:***@proxy.example.com:3128',
        kind: 'http',
        country: 'US',
        state: 'ca',
        city: '',
        types: [9, 11],
        weight: 3,
        enabled: true,
      });
      // Once the gateway's pool holds it, the view says whether it is in the selection.
      await pool.reload();
      assert.equal((await send('GET', `/admin/nodes/${id}`)).data.healthy, true);
    });

    it('lists nodes', async () => {
      await send('POST', '/admin/nodes', { url: 'direct://', country: 'DE' });
      const list = await send('GET', '/admin/nodes');
      assert.ok(list.data.list.length >= 2);
      assert.deepEqual(list.data.list.map((n: { kind: string }) => n.kind).slice(0, 2), ['http', 'direct']);
    });

    it('refuses invalid nodes with HTTP 400, naming each field (schema and rules alike)', async () => {
      const bad = await send('POST', '/admin/nodes', { url: 'ftp://x:21', country: 'XX', state: 'new york' }, 400);
      assert.equal(bad.code, 400);
      assert.deepEqual(Object.keys(bad.errors ?? {}).sort(), ['country', 'state', 'url']);
      const shape = await send('POST', '/admin/nodes', { url: 'direct://', country: 'US', weight: 0, types: [10] }, 400);
      assert.ok(shape.errors?.weight, JSON.stringify(shape.errors));
      assert.ok(
        Object.keys(shape.errors ?? {}).some((k) => k.startsWith('types')),
        JSON.stringify(shape.errors),
      );
      const missing = await send('POST', '/admin/nodes', {}, 400);
      assert.deepEqual(Object.keys(missing.errors ?? {}).sort(), ['country', 'url']);
    });

    it('changes, disables and enables a node; a disabled node leaves the gateway’s view', async () => {
      const { data: node } = await send('POST', '/admin/nodes', { url: 'direct://127.0.0.2', country: 'FR' });
      const changed = await send('PATCH', `/admin/nodes/${node.id}`, { city: 'Paris', weight: 9 });
      assert.deepEqual([changed.data.city, changed.data.weight, changed.data.url], ['paris', 9, 'direct://127.0.0.2']);
      const disabled = await send('POST', `/admin/nodes/${node.id}/disable`);
      assert.equal(disabled.data.enabled, false);
      await pool.reload();
      assert.equal('healthy' in (await send('GET', `/admin/nodes/${node.id}`)).data, false);
      const enabled = await send('POST', `/admin/nodes/${node.id}/enable`);
      assert.equal(enabled.data.enabled, true);
    });

    it('removes a node; unknown ids answer HTTP 404 with code 5001', async () => {
      const { data: node } = await send('POST', '/admin/nodes', { url: 'direct://', country: 'JP' });
      assert.deepEqual((await send('DELETE', `/admin/nodes/${node.id}`)).data, null);
      for (const [method, url] of [
        ['GET', `/admin/nodes/${node.id}`],
        ['DELETE', `/admin/nodes/${node.id}`],
        ['PATCH', `/admin/nodes/${node.id}`],
        ['POST', `/admin/nodes/${node.id}/enable`],
      ] as const) {
        const answer = await send(method, url, method === 'PATCH' ? { weight: 2 } : undefined, 404);
        assert.deepEqual([answer.code, answer.msg], [5001, 'No such exit node']);
      }
      assert.equal((await send('GET', '/admin/nodes/abc', undefined, 400)).code, 400);
    });

    it('documents every route in a valid OpenAPI 3.0 document', async () => {
      const doc = app.swagger() as unknown as { paths: Record<string, Record<string, unknown>> };
      const result = await new Validator().validate(doc as unknown as Parameters<Validator['validate']>[0]);
      assert.deepEqual(result, { valid: true }, JSON.stringify(result.errors, null, 2));
      const paths = doc.paths;
      assert.deepEqual(Object.keys(paths['/admin/nodes'] ?? {}).sort(), ['get', 'post']);
      assert.deepEqual(Object.keys(paths['/admin/nodes/{id}'] ?? {}).sort(), ['delete', 'get', 'patch']);
      assert.ok(paths['/admin/nodes/{id}/enable']?.post);
      assert.ok(paths['/admin/nodes/{id}/disable']?.post);
    });
  });
}
