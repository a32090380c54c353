/**
 * Test harness: a real platform on a real database — a fresh SQLite file, and
 * a fresh PostgreSQL schema when TEST_DATABASE_URL is set — with the API
 * driven through Fastify's inject. Nothing is mocked.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import pino, { type Logger } from 'pino';
import { buildApi } from '../../src/api/server.js';
import { loadConfig, resolveSecrets } from '../../src/config/index.js';
import { openPlatform, type Platform } from '../../src/main.js';

export type DialectName = 'sqlite' | 'postgres';

/** The dialects this run covers: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export function dialects(): DialectName[] {
  return process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

export interface TestPlatform {
  readonly platform: Platform;
  readonly app: FastifyInstance;
  readonly dataDir: string;
  /** PostgreSQL schema of this platform, when on PostgreSQL. */
  readonly schema: string | undefined;
  close(): Promise<void>;
}

/** A platform with its own data directory and database; `env` overrides configuration. */
export async function startTestPlatform(
  dialect: DialectName,
  env: Record<string, string> = {},
  options: { now?: () => number; logger?: Logger; beforeReady?: (app: FastifyInstance) => void } = {},
): Promise<TestPlatform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-test-'));
  const schema = dialect === 'postgres' ? `tg_test_${randomBytes(6).toString('hex')}` : undefined;
  const config = resolveSecrets(
    loadConfig({
      TOLLGATE_DATA_DIR: dataDir,
      TOLLGATE_LOG_LEVEL: 'silent',
      TOLLGATE_RATE_LIMIT_PER_KEY: '0',
      TOLLGATE_RATE_LIMIT_PER_IP: '0',
      ...(dialect === 'postgres' ? { DATABASE_URL: process.env.TEST_DATABASE_URL ?? '' } : {}),
      ...env,
    }),
  );
  const logger = options.logger ?? pino({ level: 'silent' });
  const platform = await openPlatform(config, { logger, storage: { schema }, ...(options.now ? { now: options.now } : {}) });
  const app = await buildApi({ config, services: platform.services, logger });
  options.beforeReady?.(app);
  await app.ready();
  return {
    platform,
    app,
    dataDir,
    schema,
    async close() {
      await app.close();
      await platform.close();
      if (schema) await dropSchema(schema);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

export interface Answer {
  code: number;
  msg: string;
  message: string;
  data: any;
  errors?: Record<string, string>;
}

export interface CallOptions {
  readonly query?: Record<string, string | number>;
  readonly json?: unknown;
  readonly form?: Record<string, string | number>;
  readonly headers?: Record<string, string>;
  /** Expected HTTP status (customer routes always answer 200). */
  readonly status?: number;
}

/** One request through the full Fastify stack; returns the parsed envelope and checks the HTTP status. */
export async function call(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  options: CallOptions = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  let payload: string | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(options.json);
  } else if (options.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    payload = new URLSearchParams(Object.entries(options.form).map(([k, v]) => [k, String(v)])).toString();
  }
  const query = options.query ? `?${new URLSearchParams(Object.entries(options.query).map(([k, v]) => [k, String(v)]))}` : '';
  const res = await app.inject({ method, url: url + query, headers, ...(payload !== undefined ? { payload } : {}) });
  const expected = options.status ?? 200;
  if (res.statusCode !== expected) throw new Error(`${method} ${url}: HTTP ${res.statusCode}, expected ${expected}: ${res.body}`);
  return res.json() as Answer;
}

/** Creates a user through the service and returns its id and app_key. */
export async function createUser(
  tp: TestPlatform,
  input: { email?: string; password?: string; isRealName?: boolean } = {},
): Promise<{ id: number; appKey: string; email: string }> {
  const email = input.email ?? `u${randomBytes(4).toString('hex')}@example.com`;
  const { user, appKey } = await tp.platform.services.users.create({
    email,
    password: input.password,
    isRealName: input.isRealName,
  });
  return { id: user.id, appKey, email: user.email };
}
