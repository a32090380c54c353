/**
 * The README quick start, for real: `tollgate serve` as a process on a
 * loopback port, users made by the CLI, sub-accounts added and listed with curl.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { BIN, launchServer, serverEnv, stopServer } from './helpers/dist.js';

const run = promisify(execFile);

describe('tollgate CLI and the README quick start', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let server: ChildProcess;
  let apiUrl: string;
  let banner = '';

  const tollgate = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
    run(BIN, args, { env: { ...env, ...extraEnv }, timeout: 60_000 });

  const curl = async (args: string[]): Promise<any> => {
    const { stdout } = await run('curl', ['-sS', '--max-time', '10', ...args]);
    return JSON.parse(stdout);
  };

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tollgate-cli-'));
    env = serverEnv(dataDir);
    const launched = await launchServer(BIN, ['serve'], env);
    server = launched.child;
    banner = launched.output();
    apiUrl = launched.apiUrl ?? '';
  });

  after(async () => {
    await stopServer(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serve prints the API, OpenAPI and docs URLs and where the admin token is kept', () => {
    assert.match(banner, new RegExp(`OpenAPI\\s+${apiUrl}/openapi.json`));
    assert.match(banner, new RegExp(`Docs\\s+${apiUrl}/docs`));
    assert.match(banner, new RegExp(`Admin token\\s+${join(dataDir, 'admin-token')}`));
    assert.equal(statSync(join(dataDir, 'admin-token')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dataDir, 'secret.key')).mode & 0o777, 0o600);
  });

  it('the compiled server serves the OpenAPI document, the /docs page with its assets, and metrics', async () => {
    const doc = (await (await fetch(`${apiUrl}/openapi.json`)).json()) as { openapi: string; paths: object };
    assert.match(doc.openapi, /^3\./);
    assert.ok(Object.keys(doc.paths).length > 50);
    const page = await fetch(`${apiUrl}/docs/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /swagger-ui/i);
    const css = await fetch(`${apiUrl}/docs/static/swagger-ui.css`);
    assert.equal(css.status, 200);
    assert.ok((await css.text()).length > 10_000);
    assert.match(await (await fetch(`${apiUrl}/metrics`)).text(), /^tollgate_gateway_open_connections /m);
  });

  it('creates a user, whose key adds and lists sub-accounts over HTTP with curl', async () => {
    const { stdout } = await tollgate([
      'users',
      'create',
      '--email',
      'demo@example.com',
      '--password',
      'demo password',
      '--json',
    ]);
    const created = JSON.parse(stdout);
    assert.deepEqual(Object.keys(created).sort(), ['app_key', 'email', 'id']);
    assert.match(created.app_key, /^[A-Za-z0-9]{32}$/);

    const added = await curl([
      '-X',
      'POST',
      `${apiUrl}/gateway/whitelist-account/add?app_key=${created.app_key}`,
      '-H',
      'Content-Type: application/json',
      '-d',
      '{"accounts":"user01:pass01,user02:pass02","remark":"demo"}',
    ]);
    assert.deepEqual(added, { code: 200, msg: '操作成功', message: '操作成功', data: null });
    const listed = await curl([`${apiUrl}/gateway/whitelist-account/list?app_key=${created.app_key}`]);
    assert.deepEqual(
      listed.data.list.map((a: any) => [a.username, a.password, a.remark, a.product_type, a.status]),
      [
        ['user01', 'pass01', 'demo', 9, 1],
        ['user02', 'pass02', 'demo', 9, 1],
      ],
    );
    const form = await curl([`${apiUrl}/pub/whitelist-account/disable`, '-d', `app_key=${created.app_key}&accounts=user02`]);
    assert.equal(form.code, 200);
    // The quick start's package grant.
    const granted = await tollgate([
      'packages',
      'grant',
      '--email',
      'demo@example.com',
      '--type',
      '9',
      '--gb',
      '10',
      '--days',
      '30',
    ]);
    assert.match(granted.stdout, /10/);
    const products = await curl([`${apiUrl}/gateway/user-product/list?app_key=${created.app_key}`]);
    assert.equal(products.data.list.length, 1);
    assert.equal(products.data.list[0].total, 10 * 1024 * 1024);
  });

  it('lists users and rotates a key from the CLI', async () => {
    await tollgate(['users', 'create', '--email', 'second@example.com', '--real-name']);
    const { stdout } = await tollgate(['users', 'list', '--json']);
    const users = JSON.parse(stdout);
    const second = users.find((u: any) => u.email === 'second@example.com');
    assert.equal(second.is_real_name, true);
    assert.equal(second.status, 1);

    const rotated = JSON.parse((await tollgate(['users', 'rotate-key', 'second@example.com', '--json'])).stdout);
    assert.match(rotated.app_key, /^[A-Za-z0-9]{32}$/);
    const info = await curl([`${apiUrl}/end-point/user/info?app_key=${rotated.app_key}`]);
    assert.equal(info.data.email, 'second@example.com');

    await assert.rejects(tollgate(['users', 'rotate-key', 'nobody@example.com']), (err: any) => {
      assert.equal(err.code, 1);
      assert.match(err.stderr, /No such user/);
      return true;
    });
    await assert.rejects(tollgate(['users', 'create', '--email', 'second@example.com']), (err: any) => {
      assert.match(err.stderr, /already in use/);
      return true;
    });
  });

  it('migrate reports an up-to-date database', async () => {
    const { stdout } = await tollgate(['migrate']);
    assert.match(stdout, /up to date/);
  });

  it('stops at start-up on bad configuration, naming every bad variable', async () => {
    await assert.rejects(tollgate(['migrate'], { TOLLGATE_API_PORT: 'eighty', TOLLGATE_TZ: 'Mars/Olympus' }), (err: any) => {
      assert.equal(err.code, 1);
      assert.match(err.stderr, /TOLLGATE_API_PORT/);
      assert.match(err.stderr, /TOLLGATE_TZ/);
      return true;
    });
  });
});
