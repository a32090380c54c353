import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig, resolveSecrets } from '../src/config/index.js';

type Env = Record<string, string | undefined>;

const SECRET = 's'.repeat(32);
const ADMIN_TOKEN = 'a'.repeat(24);

/** The ConfigError loadConfig throws for `env`; fails the test when it does not throw one. */
function configError(env: Env): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail(`loadConfig(${JSON.stringify(env)}) did not throw`);
}

/** Asserts exactly one problem, naming `variable`, also named in the message. */
function assertOneProblem(env: Env, variable: string): string {
  const err = configError(env);
  assert.equal(err.problems.length, 1, JSON.stringify(err.problems));
  const problem = err.problems[0] ?? '';
  assert.ok(problem.startsWith(`${variable}: `), `${problem} does not start with ${variable}`);
  assert.ok(err.message.includes(problem), err.message);
  assert.equal(err.name, 'ConfigError');
  return problem;
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tollgate-config-test-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('loadConfig defaults', () => {
  const config = loadConfig({});

  it('listens on 0.0.0.0:8080', () => {
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.apiPort, 8080);
  });

  it('mounts the four brand prefixes and the newer release’s /developers', () => {
    assert.deepEqual(config.apiPrefixes, ['/gateway', '/end-point', '/api-gate-way', '/pub', '/developers']);
  });

  it('uses UTC, no real-name requirement, 100 requests per key', () => {
    assert.equal(config.timeZone, 'UTC');
    assert.equal(config.requireRealName, false);
    assert.equal(config.rateLimitPerKey, 100);
  });

  it('has the other documented defaults', () => {
    assert.equal(config.dataDir, resolve('./data'));
    assert.deepEqual(config.database, { dialect: 'sqlite', url: resolve('./data/tollgate.db') });
    assert.equal(config.secret, undefined);
    assert.equal(config.adminToken, undefined);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.bodyLimit, 1_048_576);
    assert.equal(config.batchMax, 1000);
    assert.equal(config.rateLimitPerIp, 300);
    assert.equal(config.jwtTtlSeconds, 86_400);
    assert.equal(config.trustProxy, false);
    assert.equal(config.passwordCacheSize, 200_000);
  });

  it('has sensible abuse defaults: sign-in budgets, handshake pool, fair shares well below the extraction range', () => {
    assert.deepEqual(config.signIn, { failPerEmail: 10, failPerIp: 50, adminFailPerIp: 10, blockSeconds: 900 });
    assert.equal(config.gateway.authFailSlowAfter, 5);
    assert.equal(config.gateway.authFailBlockAfter, 20);
    assert.equal(config.gateway.authFailPerName, 30);
    assert.equal(config.gateway.maxConnections, 50_000);
    assert.equal(config.gateway.maxHandshakes, 12_500);
    assert.equal(config.gateway.maxHandshakesPerIp, 1024);
    assert.deepEqual(config.limits, {
      subAccounts: 10_000,
      whiteIps: 20,
      extractLeases: 20,
      tunnelsPerUser: 10_000,
      tunnelsPerAccount: 10_000,
    });
    assert.equal(config.whiteIpMax, 20);
    assert.equal(Object.isFrozen(config.limits) && Object.isFrozen(config.signIn), true);
  });

  it('sizes the handshake pool and the lease share from what they depend on', () => {
    assert.equal(loadConfig({ TOLLGATE_MAX_CONNECTIONS: '200' }).gateway.maxHandshakes, 64);
    assert.equal(loadConfig({ TOLLGATE_MAX_CONNECTIONS: '200' }).gateway.maxHandshakesPerIp, 16);
    assert.equal(loadConfig({ TOLLGATE_MAX_CONNECTIONS: '1000' }).gateway.maxHandshakes, 250);
    assert.equal(loadConfig({ TOLLGATE_MAX_HANDSHAKES: '8' }).gateway.maxHandshakesPerIp, 2);
    assert.equal(loadConfig({ TOLLGATE_EXTRACT_PORTS: '20000-20007' }).limits.extractLeases, 2);
    assert.equal(loadConfig({ TOLLGATE_EXTRACT_PORTS: '20000-20002' }).limits.extractLeases, 1);
    assert.equal(loadConfig({ TOLLGATE_EXTRACT_PORTS: '20000-29999' }).limits.extractLeases, 20);
    assert.equal(loadConfig({ TOLLGATE_EXTRACT_PORTS: 'off' }).limits.extractLeases, 20);
    assert.equal(loadConfig({ TOLLGATE_EXTRACT_LEASE_MAX: '500' }).limits.extractLeases, 500);
  });

  it('is frozen', () => {
    assert.equal(Object.isFrozen(config), true);
    assert.equal(Object.isFrozen(config.apiPrefixes), true);
  });

  it('treats blank values as unset', () => {
    const blank = loadConfig({ TOLLGATE_API_PORT: '  ', TOLLGATE_TZ: '', TOLLGATE_API_PREFIXES: ' ', TOLLGATE_SECRET: '' });
    assert.equal(blank.apiPort, 8080);
    assert.equal(blank.timeZone, 'UTC');
    assert.deepEqual(blank.apiPrefixes, ['/gateway', '/end-point', '/api-gate-way', '/pub', '/developers']);
    assert.equal(blank.secret, undefined);
  });
});

describe('loadConfig values', () => {
  it('reads and trims what it is given', () => {
    const config = loadConfig({
      TOLLGATE_DATA_DIR: dir,
      TOLLGATE_HOST: ' 127.0.0.1 ',
      TOLLGATE_API_PORT: ' 9090 ',
      TOLLGATE_API_PREFIXES: ' /a , /b/c-d_e.f~g ,',
      TOLLGATE_TZ: 'Asia/Kathmandu',
      TOLLGATE_SECRET: SECRET,
      TOLLGATE_ADMIN_TOKEN: ADMIN_TOKEN,
      TOLLGATE_REQUIRE_REAL_NAME: 'yes',
      TOLLGATE_LOG_LEVEL: 'debug',
      TOLLGATE_RATE_LIMIT_PER_KEY: '0',
      TOLLGATE_TRUST_PROXY: 'On',
    });
    assert.equal(config.dataDir, dir);
    assert.deepEqual(config.database, { dialect: 'sqlite', url: join(dir, 'tollgate.db') });
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.apiPort, 9090);
    assert.deepEqual(config.apiPrefixes, ['/a', '/b/c-d_e.f~g']);
    assert.equal(config.timeZone, 'Asia/Kathmandu');
    assert.equal(config.secret, SECRET);
    assert.equal(config.adminToken, ADMIN_TOKEN);
    assert.equal(config.requireRealName, true);
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.rateLimitPerKey, 0);
    assert.equal(config.trustProxy, true);
  });

  it('reads booleans in every documented spelling', () => {
    for (const v of ['1', 'true', 'TRUE', 'yes', 'on'])
      assert.equal(loadConfig({ TOLLGATE_REQUIRE_REAL_NAME: v }).requireRealName, true, v);
    for (const v of ['0', 'false', 'No', 'off'])
      assert.equal(loadConfig({ TOLLGATE_REQUIRE_REAL_NAME: v }).requireRealName, false, v);
  });

  it('accepts the port bounds 0 and 65535', () => {
    assert.equal(loadConfig({ TOLLGATE_API_PORT: '0' }).apiPort, 0);
    assert.equal(loadConfig({ TOLLGATE_API_PORT: '65535' }).apiPort, 65535);
  });

  it('takes a postgres:// or postgresql:// URL as PostgreSQL, unchanged', () => {
    for (const url of ['postgres://tollgate:pw@db.example:5432/tollgate', 'postgresql://localhost/tollgate?sslmode=require']) {
      assert.deepEqual(loadConfig({ DATABASE_URL: url }).database, { dialect: 'postgres', url });
    }
  });

  it('takes sqlite:PATH as SQLite at the resolved path', () => {
    assert.deepEqual(loadConfig({ DATABASE_URL: `sqlite:${join(dir, 'x.db')}` }).database, {
      dialect: 'sqlite',
      url: join(dir, 'x.db'),
    });
    assert.deepEqual(loadConfig({ DATABASE_URL: 'sqlite:///var/lib/tollgate/t.db' }).database, {
      dialect: 'sqlite',
      url: '/var/lib/tollgate/t.db',
    });
    assert.deepEqual(loadConfig({ DATABASE_URL: 'sqlite:rel/t.db' }).database, { dialect: 'sqlite', url: resolve('rel/t.db') });
  });
});

describe('loadConfig bad values', () => {
  const cases: [string, Env, string][] = [
    ['port "abc"', { TOLLGATE_API_PORT: 'abc' }, 'TOLLGATE_API_PORT'],
    ['port 70000', { TOLLGATE_API_PORT: '70000' }, 'TOLLGATE_API_PORT'],
    ['port -1', { TOLLGATE_API_PORT: '-1' }, 'TOLLGATE_API_PORT'],
    ['port 80.5', { TOLLGATE_API_PORT: '80.5' }, 'TOLLGATE_API_PORT'],
    ['time zone Mars/Base', { TOLLGATE_TZ: 'Mars/Base' }, 'TOLLGATE_TZ'],
    ['boolean "maybe"', { TOLLGATE_REQUIRE_REAL_NAME: 'maybe' }, 'TOLLGATE_REQUIRE_REAL_NAME'],
    ['boolean "2"', { TOLLGATE_TRUST_PROXY: '2' }, 'TOLLGATE_TRUST_PROXY'],
    ['31-character secret', { TOLLGATE_SECRET: 'x'.repeat(31) }, 'TOLLGATE_SECRET'],
    ['23-character admin token', { TOLLGATE_ADMIN_TOKEN: 'x'.repeat(23) }, 'TOLLGATE_ADMIN_TOKEN'],
    ['DATABASE_URL mysql://x', { DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    ['DATABASE_URL "sqlite:"', { DATABASE_URL: 'sqlite:' }, 'DATABASE_URL'],
    ['DATABASE_URL with a broken postgres URL', { DATABASE_URL: 'postgres://[broken' }, 'DATABASE_URL'],
    ['prefix "noslash"', { TOLLGATE_API_PREFIXES: 'noslash' }, 'TOLLGATE_API_PREFIXES'],
    ['prefix "/admin"', { TOLLGATE_API_PREFIXES: '/gateway,/admin' }, 'TOLLGATE_API_PREFIXES'],
    ['prefix with a trailing slash', { TOLLGATE_API_PREFIXES: '/pub/' }, 'TOLLGATE_API_PREFIXES'],
    ['prefix "/"', { TOLLGATE_API_PREFIXES: '/' }, 'TOLLGATE_API_PREFIXES'],
    ['prefix with a space', { TOLLGATE_API_PREFIXES: '/my api' }, 'TOLLGATE_API_PREFIXES'],
    ['prefix with "//"', { TOLLGATE_API_PREFIXES: '/a//b' }, 'TOLLGATE_API_PREFIXES'],
    ['no prefix at all', { TOLLGATE_API_PREFIXES: ',' }, 'TOLLGATE_API_PREFIXES'],
    ['repeated prefix', { TOLLGATE_API_PREFIXES: '/a,/a' }, 'TOLLGATE_API_PREFIXES'],
    ['log level "verbose"', { TOLLGATE_LOG_LEVEL: 'verbose' }, 'TOLLGATE_LOG_LEVEL'],
    ['body limit below 1024', { TOLLGATE_BODY_LIMIT: '1023' }, 'TOLLGATE_BODY_LIMIT'],
    ['batch max 0', { TOLLGATE_BATCH_MAX: '0' }, 'TOLLGATE_BATCH_MAX'],
    ['JWT TTL 59', { TOLLGATE_JWT_TTL: '59' }, 'TOLLGATE_JWT_TTL'],
    ['rate limit "lots"', { TOLLGATE_RATE_LIMIT_PER_KEY: 'lots' }, 'TOLLGATE_RATE_LIMIT_PER_KEY'],
    ['per-name budget 0', { TOLLGATE_AUTH_FAIL_PER_NAME: '0' }, 'TOLLGATE_AUTH_FAIL_PER_NAME'],
    ['handshakes 0', { TOLLGATE_MAX_HANDSHAKES: '0' }, 'TOLLGATE_MAX_HANDSHAKES'],
    ['handshakes per IP "many"', { TOLLGATE_MAX_HANDSHAKES_PER_IP: 'many' }, 'TOLLGATE_MAX_HANDSHAKES_PER_IP'],
    ['login budget per email 0', { TOLLGATE_LOGIN_FAIL_PER_EMAIL: '0' }, 'TOLLGATE_LOGIN_FAIL_PER_EMAIL'],
    ['login budget per IP -1', { TOLLGATE_LOGIN_FAIL_PER_IP: '-1' }, 'TOLLGATE_LOGIN_FAIL_PER_IP'],
    ['admin budget 1.5', { TOLLGATE_ADMIN_FAIL_PER_IP: '1.5' }, 'TOLLGATE_ADMIN_FAIL_PER_IP'],
    ['login block a week', { TOLLGATE_LOGIN_BLOCK_SECONDS: '604800' }, 'TOLLGATE_LOGIN_BLOCK_SECONDS'],
    ['sub-account cap 0', { TOLLGATE_SUB_ACCOUNT_MAX: '0' }, 'TOLLGATE_SUB_ACCOUNT_MAX'],
    ['lease cap 70000', { TOLLGATE_EXTRACT_LEASE_MAX: '70000' }, 'TOLLGATE_EXTRACT_LEASE_MAX'],
    ['tunnels per user 0', { TOLLGATE_TUNNELS_PER_USER: '0' }, 'TOLLGATE_TUNNELS_PER_USER'],
    ['tunnels per account "x"', { TOLLGATE_TUNNELS_PER_ACCOUNT: 'x' }, 'TOLLGATE_TUNNELS_PER_ACCOUNT'],
  ];
  for (const [label, env, variable] of cases) {
    it(`stops on ${label}, naming ${variable}`, () => {
      assertOneProblem(env, variable);
    });
  }

  it('quotes the bad value', () => {
    assert.equal(assertOneProblem({ TOLLGATE_API_PORT: '70000' }, 'TOLLGATE_API_PORT').includes('"70000"'), true);
    assert.equal(assertOneProblem({ TOLLGATE_TZ: 'Mars/Base' }, 'TOLLGATE_TZ').includes('"Mars/Base"'), true);
    assert.equal(assertOneProblem({ TOLLGATE_API_PREFIXES: '/ok,noslash' }, 'TOLLGATE_API_PREFIXES').includes('noslash'), true);
  });

  it('does not echo a short secret or token', () => {
    const secret = 'short-secret-value';
    const token = 'short-admin-token';
    const err = configError({ TOLLGATE_SECRET: secret, TOLLGATE_ADMIN_TOKEN: token });
    assert.equal(err.message.includes(secret), false);
    assert.equal(err.message.includes(token), false);
  });

  it('masks the credentials of a rejected DATABASE_URL', () => {
    const problem = assertOneProblem({ DATABASE_URL: 'mysql://admin:hunter2@db/x' }, 'DATABASE_URL');
    assert.equal(problem.includes('hunter2'), false);
    assert.equal(problem.includes('mysql://***@db/x'), true);
  });

  it('reports several bad values together in one error', () => {
    const err = configError({
      TOLLGATE_API_PORT: 'abc',
      TOLLGATE_TZ: 'Mars/Base',
      TOLLGATE_REQUIRE_REAL_NAME: 'maybe',
      TOLLGATE_SECRET: 'short',
      TOLLGATE_ADMIN_TOKEN: 'short',
      DATABASE_URL: 'mysql://x',
      TOLLGATE_API_PREFIXES: 'noslash',
    });
    assert.equal(err.problems.length, 7, JSON.stringify(err.problems));
    const named = err.problems.map((p) => p.slice(0, p.indexOf(':'))).sort();
    assert.deepEqual(named, [
      'DATABASE_URL',
      'TOLLGATE_ADMIN_TOKEN',
      'TOLLGATE_API_PORT',
      'TOLLGATE_API_PREFIXES',
      'TOLLGATE_REQUIRE_REAL_NAME',
      'TOLLGATE_SECRET',
      'TOLLGATE_TZ',
    ]);
    for (const problem of err.problems) assert.ok(err.message.includes(problem));
  });
});

describe('TOLLGATE_CONFIG file', () => {
  let n = 0;
  function configFile(content: unknown): string {
    const path = join(dir, `config-${n++}.json`);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  }

  it('supplies values (numbers and booleans as JSON)', () => {
    const path = configFile({
      TOLLGATE_API_PORT: 9191,
      TOLLGATE_TZ: 'Asia/Shanghai',
      TOLLGATE_REQUIRE_REAL_NAME: true,
      TOLLGATE_API_PREFIXES: '/x,/y',
      TOLLGATE_LOG_LEVEL: null,
    });
    const config = loadConfig({ TOLLGATE_CONFIG: path });
    assert.equal(config.apiPort, 9191);
    assert.equal(config.timeZone, 'Asia/Shanghai');
    assert.equal(config.requireRealName, true);
    assert.deepEqual(config.apiPrefixes, ['/x', '/y']);
    assert.equal(config.logLevel, 'info');
  });

  it('loses to the environment', () => {
    const path = configFile({ TOLLGATE_API_PORT: 9191, TOLLGATE_TZ: 'Asia/Shanghai' });
    const config = loadConfig({ TOLLGATE_CONFIG: path, TOLLGATE_API_PORT: '7070' });
    assert.equal(config.apiPort, 7070);
    assert.equal(config.timeZone, 'Asia/Shanghai');
  });

  it('rejects an unknown key, naming it', () => {
    const err = configError({ TOLLGATE_CONFIG: configFile({ TOLLGATE_API_PORT: 1, TOLLGATE_PORT: 8080 }) });
    assert.equal(err.problems.length, 1);
    assert.ok(err.problems[0]?.startsWith('TOLLGATE_CONFIG: '));
    assert.ok(err.problems[0]?.includes('TOLLGATE_PORT'));
  });

  it('rejects TOLLGATE_CONFIG inside the file', () => {
    const err = configError({ TOLLGATE_CONFIG: configFile({ TOLLGATE_CONFIG: '/elsewhere.json' }) });
    assert.equal(err.problems.length, 1);
    assert.ok(err.problems[0]?.startsWith('TOLLGATE_CONFIG: '));
  });

  it('rejects a file that is not a JSON object, or missing', () => {
    for (const path of [
      configFile('{not json'),
      configFile([1, 2]),
      configFile('null'),
      configFile('"text"'),
      join(dir, 'absent.json'),
    ]) {
      const err = configError({ TOLLGATE_CONFIG: path });
      assert.equal(err.problems.length, 1);
      assert.ok(err.problems[0]?.startsWith('TOLLGATE_CONFIG: '), err.problems[0]);
    }
  });

  it('reports bad values from the file under their own names', () => {
    const err = configError({ TOLLGATE_CONFIG: configFile({ TOLLGATE_API_PORT: 'abc', TOLLGATE_TZ: 'Mars/Base' }) });
    assert.deepEqual(err.problems.map((p) => p.slice(0, p.indexOf(':'))).sort(), ['TOLLGATE_API_PORT', 'TOLLGATE_TZ']);
  });
});

describe('resolveSecrets', () => {
  let n = 0;
  function dataDir(): string {
    return join(dir, `data-${n++}`, 'nested');
  }

  it('generates secret.key and admin-token with mode 0600 and reads them back', () => {
    const dataDirPath = dataDir();
    const config = loadConfig({ TOLLGATE_DATA_DIR: dataDirPath });
    const first = resolveSecrets(config);
    const secretPath = join(dataDirPath, 'secret.key');
    const tokenPath = join(dataDirPath, 'admin-token');
    assert.deepEqual(readdirSync(dataDirPath).sort(), ['admin-token', 'secret.key']);
    assert.equal(statSync(secretPath).mode & 0o777, 0o600);
    assert.equal(statSync(tokenPath).mode & 0o777, 0o600);
    assert.equal(statSync(dataDirPath).mode & 0o777, 0o700);
    assert.match(first.secret, /^[0-9a-f]{64}$/);
    assert.match(first.adminToken, /^[0-9a-f]{64}$/);
    assert.notEqual(first.secret, first.adminToken);
    assert.equal(readFileSync(secretPath, 'utf8'), `${first.secret}\n`);
    assert.equal(readFileSync(tokenPath, 'utf8'), `${first.adminToken}\n`);
    assert.equal(first.adminTokenSource, tokenPath);
    assert.equal(first.apiPort, config.apiPort);
    assert.equal(Object.isFrozen(first), true);

    const second = resolveSecrets(loadConfig({ TOLLGATE_DATA_DIR: dataDirPath }));
    assert.equal(second.secret, first.secret);
    assert.equal(second.adminToken, first.adminToken);
    assert.equal(second.adminTokenSource, tokenPath);
  });

  it('gives each data directory its own secrets', () => {
    const a = resolveSecrets(loadConfig({ TOLLGATE_DATA_DIR: dataDir() }));
    const b = resolveSecrets(loadConfig({ TOLLGATE_DATA_DIR: dataDir() }));
    assert.notEqual(a.secret, b.secret);
    assert.notEqual(a.adminToken, b.adminToken);
  });

  it('uses the environment values and creates no file', () => {
    const dataDirPath = dataDir();
    const resolved = resolveSecrets(
      loadConfig({ TOLLGATE_DATA_DIR: dataDirPath, TOLLGATE_SECRET: SECRET, TOLLGATE_ADMIN_TOKEN: ADMIN_TOKEN }),
    );
    assert.equal(resolved.secret, SECRET);
    assert.equal(resolved.adminToken, ADMIN_TOKEN);
    assert.equal(resolved.adminTokenSource, 'TOLLGATE_ADMIN_TOKEN');
    assert.deepEqual(readdirSync(dataDirPath), []);
  });

  it('generates only what the environment leaves unset', () => {
    const dataDirPath = dataDir();
    const resolved = resolveSecrets(loadConfig({ TOLLGATE_DATA_DIR: dataDirPath, TOLLGATE_SECRET: SECRET }));
    assert.equal(resolved.secret, SECRET);
    assert.deepEqual(readdirSync(dataDirPath), ['admin-token']);
    assert.equal(resolved.adminToken, readFileSync(join(dataDirPath, 'admin-token'), 'utf8').trim());
    assert.equal(resolved.adminTokenSource, join(dataDirPath, 'admin-token'));
  });

  it('prefers the environment over an existing file', () => {
    const dataDirPath = dataDir();
    const generated = resolveSecrets(loadConfig({ TOLLGATE_DATA_DIR: dataDirPath }));
    const resolved = resolveSecrets(loadConfig({ TOLLGATE_DATA_DIR: dataDirPath, TOLLGATE_ADMIN_TOKEN: ADMIN_TOKEN }));
    assert.equal(resolved.adminToken, ADMIN_TOKEN);
    assert.equal(resolved.adminTokenSource, 'TOLLGATE_ADMIN_TOKEN');
    assert.equal(resolved.secret, generated.secret);
  });

  it('stops with a ConfigError naming the variable when a stored secret is too short', () => {
    const dataDirPath = dataDir();
    resolveSecrets(loadConfig({ TOLLGATE_DATA_DIR: dataDirPath }));
    writeFileSync(join(dataDirPath, 'secret.key'), 'too-short\n');
    assert.throws(
      () => resolveSecrets(loadConfig({ TOLLGATE_DATA_DIR: dataDirPath })),
      (err: unknown) =>
        err instanceof ConfigError && err.problems.length === 1 && err.problems[0]?.startsWith('TOLLGATE_SECRET: ') === true,
    );
    assert.equal(existsSync(join(dataDirPath, 'admin-token')), true);
  });
});
