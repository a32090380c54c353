/** Exit nodes stored and managed through NodesService, on every dialect. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SecretBox } from '../src/accounts/index.js';
import { AppError } from '../src/errors/index.js';
import { EXIT_NODE_ENTITY, NodesService } from '../src/pool/index.js';
import { dialects, startTestPlatform, type TestPlatform } from './helpers/platform.js';

async function expectError(promise: Promise<unknown>, key: string): Promise<AppError> {
  const err = await promise.then(
    () => assert.fail(`expected ${key}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof AppError, String(err));
  assert.equal(err.key, key);
  return err;
}

for (const dialect of dialects()) {
  describe(`exit nodes on ${dialect}`, () => {
    let tp: TestPlatform;
    let box: SecretBox;
    let nodes: NodesService;
    let clock = 1_800_000_000_000;
    const now = () => clock;

    const changes = () =>
      tp.platform.storage.db
        .selectFrom('change_log')
        .select(['entity', 'entity_id', 'created_at'])
        .where('entity', '=', EXIT_NODE_ENTITY)
        .orderBy('id')
        .execute();
    const rawRow = (id: number) =>
      tp.platform.storage.db.selectFrom('exit_nodes').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

    before(async () => {
      tp = await startTestPlatform(dialect);
      box = new SecretBox(tp.platform.config.secret, 'exit-node-url');
      nodes = new NodesService(tp.platform.storage.db, box, { now });
    });
    after(() => tp.close());

    it('adds a node with every field, normalized, and reads it back', async () => {
      clock += 1000;
      const node = await nodes.add({
        url: 'HTTP://alice:s3cret@Proxy.Example.com:3128',
        country: 'us',
        state: 'CA',
        city: 'los_angeles',
        types: [11, 9],
        weight: 5,
      });
      const expected = {
        id: node.id,
        kind: 'http',
        endpoint: { kind: 'http', host: 'proxy.example.com', port: 3128, username: 'alice', password: 's3cret' },
        urlDisplay: 'http://alice:***@proxy.example.com:3128',
        country: 'US',
        state: 'ca',
        city: 'los_angeles',
        productTypes: [9, 11],
        weight: 5,
        enabled: true,
        createdAt: clock,
        updatedAt: clock,
      };
      assert.deepEqual(node, expected);
      assert.deepEqual(await nodes.get(node.id), expected);
      assert.deepEqual(
        (await nodes.list()).find((n) => n.id === node.id),
        expected,
      );
    });

    it('stores the URL encrypted: no row holds the password, the masked copy is for listings', async () => {
      const node = await nodes.add({ url: 'socks5://bob:hunter2pass@10.1.2.3:1080', country: 'DE' });
      const row = await rawRow(node.id);
      assert.equal(row.url_display, 'socks5://bob:***@10.1.2.3:1080');
      assert.doesNotMatch(JSON.stringify(row), /hunter2pass/);
      assert.doesNotMatch(row.url_enc, /10\.1\.2\.3|socks5/);
      assert.equal(box.decrypt(row.url_enc), 'socks5://bob:hunter2pass@10.1.2.3:1080');
      // Another key (a changed TOLLGATE_SECRET) cannot open it: the node lists, without an endpoint.
      const stranger = new NodesService(tp.platform.storage.db, new SecretBox('x'.repeat(40), 'exit-node-url'));
      const seen = await stranger.get(node.id);
      assert.equal(seen.endpoint, undefined);
      assert.equal(seen.urlDisplay, 'socks5://bob:***@10.1.2.3:1080');
    });

    it('defaults: product type 9, weight 1, enabled, no state or city', async () => {
      const node = await nodes.add({ url: 'direct://127.0.0.2', country: 'fr' });
      assert.deepEqual(
        { types: node.productTypes, weight: node.weight, enabled: node.enabled, state: node.state, city: node.city },
        { types: [9], weight: 1, enabled: true, state: '', city: '' },
      );
      assert.deepEqual(node.endpoint, { kind: 'direct', localAddress: '127.0.0.2' });
    });

    it('refuses bad fields all at once, naming each, and writes nothing', async () => {
      const before = { nodes: (await nodes.list()).length, changes: (await changes()).length };
      const err = await expectError(
        nodes.add({ url: 'ftp://x:21', country: 'XX', state: 'new york', city: 'ok', types: [10], weight: 0 }),
        'TG_ERR_PARAM_INVALID',
      );
      assert.deepEqual(Object.keys(err.errors ?? {}).sort(), ['country', 'state', 'types', 'url', 'weight']);
      assert.match(err.errors?.url ?? '', /unknown scheme "ftp"/);
      assert.match(err.errors?.country ?? '', /ISO 3166-1 alpha-2/);
      const missing = await expectError(nodes.add({ url: '', country: '' }), 'TG_ERR_PARAM_INVALID');
      assert.deepEqual(Object.keys(missing.errors ?? {}).sort(), ['country', 'url']);
      assert.deepEqual({ nodes: (await nodes.list()).length, changes: (await changes()).length }, before);
    });

    it('updates given fields only, and enables and disables', async () => {
      const node = await nodes.add({ url: 'direct://', country: 'GB', state: 'england', weight: 2 });
      clock += 1000;
      const updated = await nodes.update(node.id, { url: 'http://carol:pw@[::1]:8080', city: 'London', types: [25] });
      assert.deepEqual(
        {
          url: updated.urlDisplay,
          endpoint: updated.endpoint,
          country: updated.country,
          state: updated.state,
          city: updated.city,
          types: updated.productTypes,
          weight: updated.weight,
          updatedAt: updated.updatedAt,
          createdAt: updated.createdAt,
        },
        {
          url: 'http://carol:***@[::1]:8080',
          endpoint: { kind: 'http', host: '::1', port: 8080, username: 'carol', password: 'pw' },
          country: 'GB',
          state: 'england',
          city: 'london',
          types: [25],
          weight: 2,
          updatedAt: clock,
          createdAt: clock - 1000,
        },
      );
      assert.equal((await nodes.setEnabled(node.id, false)).enabled, false);
      assert.equal((await nodes.get(node.id)).enabled, false);
      assert.equal((await nodes.setEnabled(node.id, true)).enabled, true);
      const bad = await expectError(nodes.update(node.id, { weight: 1001 }), 'TG_ERR_PARAM_INVALID');
      assert.ok(bad.errors?.weight);
      await expectError(nodes.update(999_999, { weight: 3 }), 'TG_ERR_NODE_NOT_FOUND');
      await expectError(nodes.setEnabled(999_999, true), 'TG_ERR_NODE_NOT_FOUND');
    });

    it('removes a node; an unknown id is TG_ERR_NODE_NOT_FOUND', async () => {
      const node = await nodes.add({ url: 'direct://', country: 'JP' });
      await nodes.remove(node.id);
      await expectError(nodes.get(node.id), 'TG_ERR_NODE_NOT_FOUND');
      await expectError(nodes.remove(node.id), 'TG_ERR_NODE_NOT_FOUND');
      assert.equal(
        (await nodes.list()).some((n) => n.id === node.id),
        false,
      );
    });

    it('writes a change_log row for every change, in step with it', async () => {
      const start = (await changes()).length;
      clock += 1000;
      const node = await nodes.add({ url: 'direct://', country: 'NL' });
      clock += 1000;
      await nodes.update(node.id, { weight: 7 });
      clock += 1000;
      await nodes.setEnabled(node.id, false);
      clock += 1000;
      await nodes.remove(node.id);
      const rows = (await changes())
        .slice(start)
        .map((r) => ({ ...r, entity_id: Number(r.entity_id), created_at: Number(r.created_at) }));
      assert.deepEqual(rows, [
        { entity: 'exit_node', entity_id: node.id, created_at: clock - 3000 },
        { entity: 'exit_node', entity_id: node.id, created_at: clock - 2000 },
        { entity: 'exit_node', entity_id: node.id, created_at: clock - 1000 },
        { entity: 'exit_node', entity_id: node.id, created_at: clock },
      ]);
      // Failed changes log nothing.
      await expectError(nodes.remove(node.id), 'TG_ERR_NODE_NOT_FOUND');
      await expectError(nodes.update(node.id, { weight: 2 }), 'TG_ERR_NODE_NOT_FOUND');
      assert.equal((await changes()).length, start + 4);
    });
  });

  describe(`the default exit node on ${dialect}`, () => {
    let tp: TestPlatform;
    before(async () => {
      tp = await startTestPlatform(dialect);
    });
    after(() => tp.close());

    it('is direct:// on a fresh database, added once, and not again once the operator removed it', async () => {
      const nodes = new NodesService(tp.platform.storage.db, new SecretBox(tp.platform.config.secret, 'exit-node-url'));
      await expectError(nodes.ensureDefaultNode('XX'), 'TG_ERR_PARAM_INVALID');
      assert.deepEqual(await nodes.list(), []);

      const added = await nodes.ensureDefaultNode('de');
      assert.ok(added);
      assert.deepEqual(
        {
          url: added.urlDisplay,
          endpoint: added.endpoint,
          country: added.country,
          types: added.productTypes,
          enabled: added.enabled,
        },
        { url: 'direct://', endpoint: { kind: 'direct' }, country: 'DE', types: [9], enabled: true },
      );
      assert.equal(await nodes.ensureDefaultNode(), undefined);
      assert.equal((await nodes.list()).length, 1);

      await nodes.remove(added.id);
      assert.equal(await nodes.ensureDefaultNode(), undefined, 'not fresh any more: the operator removed it');
      assert.deepEqual(await nodes.list(), []);
    });
  });
}
