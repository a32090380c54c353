/**
 * Opens the database the configuration names: SQLite (better-sqlite3, WAL) by
 * default, PostgreSQL (pg) for postgres:// URLs. One Kysely instance serves
 * every domain; dialect differences live in capabilities.ts.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, type LogEvent, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import type pg from 'pg';
import type { DatabaseConfig } from '../config/index.js';
import { type DialectCapabilities, postgresCapabilities, sqliteCapabilities } from './capabilities.js';
import { migrations } from './migrations/index.js';
import { changeChannel } from './change-log.js';
import type { Database } from './schema.js';

export interface Storage {
  readonly db: Kysely<Database>;
  readonly caps: DialectCapabilities;
  /** Human-readable location, with any password masked. */
  readonly location: string;
  /** PostgreSQL schema holding the tables, when not the default search path. */
  readonly schema?: string | undefined;
  /**
   * PostgreSQL: calls `onChange` whenever a transaction that wrote to the change feed commits (LISTEN on the
   * schema's channel, on a connection of its own, reconnecting when it drops). Undefined on SQLite, whose
   * followers poll. Resolves to a function that stops listening.
   */
  readonly listenForChanges?: (onChange: () => void) => Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL schema to use (created if missing); tests use one per run. */
  readonly schema?: string;
  readonly log?: (event: LogEvent) => void;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

/**
 * better-sqlite3's compiled addon, handed to the driver (its `nativeBinding` option) rather than searched for by
 * the `bindings` package, which looks for it relative to the calling file: in dist/main.cjs, where the driver's
 * JavaScript is bundled under the code cache (scripts/build.mjs), that file is the bundle. Undefined when the addon
 * is in neither build directory; the driver then searches as usual.
 */
function sqliteAddon(): string | undefined {
  const dir = dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
  return ['Release', 'Debug'].map((build) => join(dir, 'build', build, 'better_sqlite3.node')).find((file) => existsSync(file));
}

export async function openStorage(config: DatabaseConfig, options: OpenOptions = {}): Promise<Storage> {
  if (config.dialect === 'sqlite') {
    prepareSqliteFiles(config.url);
    const addon = sqliteAddon();
    const sqlite = new SqliteDatabase(config.url, addon ? { nativeBinding: addon } : {});
    sqlite.pragma('journal_mode = WAL');
    // NORMAL is durable across process crashes in WAL mode; only an OS crash may lose the last commit.
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }), log: options.log });
    return { db, caps: sqliteCapabilities, location: config.url, close: () => db.destroy() };
  }

  const schema = options.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`bad schema name ${schema}`);
  const pg = await loadPg();
  if (schema !== undefined) {
    const setup = new pg.Client({ connectionString: config.url });
    await setup.connect();
    try {
      await setup.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    } finally {
      await setup.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: config.url,
    max: 10,
    ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
    // bigint and numeric arrive as numbers: every stored integer (bytes, ms, cents) is below 2^53.
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID || oid === NUMERIC_OID
          ? (v: string) => Number(v)
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection that breaks (the server restarted, the network dropped) is discarded by the pool; without
  // a listener its error would end the process. The next query opens a fresh one, or fails while the server is away.
  pool.on('error', () => {});
  // A connection checked out (a transaction between statements) that breaks emits 'error' on its client, which
  // the pool no longer listens to; the statement in flight fails on its own, so this only keeps the process up.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: options.log });
  return {
    db,
    caps: postgresCapabilities,
    location: config.url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@'),
    ...(schema !== undefined ? { schema } : {}),
    listenForChanges: (onChange) => listenForChanges(config.url, schema, onChange),
    close: () => db.destroy(),
  };
}

/**
 * The database holds every customer's data: its files are readable by the service's user alone (0600), in a
 * directory created 0700. The file is created 0600 before SQLite opens it, and SQLite gives its -wal and -shm
 * files the database file's mode; files left by an older start with a looser mode are tightened.
 */
function prepareSqliteFiles(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) {
    if (existsSync(file)) chmodSync(file, 0o600);
  }
}

/** pg, loaded only for PostgreSQL: SQLite deployments and one-shot commands never pay for it. */
async function loadPg(): Promise<typeof pg> {
  return (await import('pg')).default;
}

async function listenForChanges(url: string, schema: string | undefined, onChange: () => void): Promise<() => Promise<void>> {
  const pg = await loadPg();
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  // Followers still poll meanwhile; reconnecting only restores the immediate wake-up. One retry pending at a time,
  // retried until the server answers again (a failed attempt schedules the next).
  const schedule = (): void => {
    if (stopped || retry !== undefined) return;
    retry = setTimeout(() => {
      retry = undefined;
      connect().catch(() => {
        client = undefined;
        schedule();
      });
    }, 1000);
    retry.unref();
  };
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url, ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}) });
    client = c;
    const reconnect = () => {
      if (stopped || client !== c) return;
      client = undefined;
      c.end().catch(() => {});
      schedule();
    };
    c.on('error', reconnect);
    c.on('end', reconnect);
    c.on('notification', () => onChange());
    await c.connect();
    const row = await c.query<{ schema: string }>('select current_schema() as schema');
    const channel = changeChannel(row.rows[0]?.schema ?? 'public');
    await c.query(`LISTEN "${channel.replaceAll('"', '')}"`);
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    await client?.end().catch(() => {});
  };
}

export interface MigrationOutcome {
  readonly applied: readonly string[];
}

/** Run every pending migration; throws with the failing migration's name. */
export async function migrateToLatest(storage: Storage): Promise<MigrationOutcome> {
  const migrator = new Migrator({
    db: storage.db,
    provider: { getMigrations: async () => migrations },
    // Names in code-unit order. Kysely's default, localeCompare, loads ICU's collation data (about 12 ms of every
    // start-up); for these names (date, time, ASCII words: see migrationOrder's test) both orders agree.
    nameComparator: migrationOrder,
    // Kysely looks for its bookkeeping tables across every schema it can see; name ours.
    ...(storage.schema !== undefined ? { migrationTableSchema: storage.schema } : {}),
  });
  let { error, results } = await migrator.migrateToLatest();
  // Before any migration runs, Kysely looks for its bookkeeping tables by introspecting every schema, and its
  // PostgreSQL introspection resolves each table by name (pg_get_serial_sequence): a table or schema dropped
  // meanwhile by another session (DROP SCHEMA … CASCADE elsewhere in the database) fails the lookup with 42P01 or
  // 3F000. Nothing has run yet then, so trying again is safe.
  for (let attempt = 0; attempt < 5 && results === undefined && isDroppedMeanwhile(error); attempt++) {
    ({ error, results } = await migrator.migrateToLatest());
  }
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${(error as Error).message ?? error}`, {
      cause: error,
    });
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/** The order migrations run in: their names' code units (Kysely compares executed names in this order too). */
export function migrationOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** 42P01 undefined_table, 3F000 invalid_schema_name: what another session's drop looks like to introspection. */
function isDroppedMeanwhile(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return code === '42P01' || code === '3F000';
}
