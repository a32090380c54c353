/**
 * The data directory holds every customer's data and the platform's secret: the SQLite files, secret.key and
 * admin-token are readable by the service's user alone, and files left looser by an older start are tightened.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig, resolveSecrets } from '../src/config/index.js';
import { openStorage, migrateToLatest } from '../src/storage/index.js';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('data directory permissions', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'tollgate-datadir-'));
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('creates the directory 0700 and the database, its WAL files and the secrets 0600', async () => {
    const dataDir = join(root, 'fresh');
    const config = resolveSecrets(loadConfig({ TOLLGATE_DATA_DIR: dataDir }));
    const storage = await openStorage(config.database);
    try {
      await migrateToLatest(storage);
      const db = config.database.url;
      assert.equal(mode(dataDir), 0o700);
      for (const file of [join(dataDir, 'secret.key'), join(dataDir, 'admin-token'), db, `${db}-wal`, `${db}-shm`]) {
        assert.ok(existsSync(file), file);
        assert.equal(mode(file).toString(8), '600', file);
      }
    } finally {
      await storage.close();
    }
  });

  it('tightens files an older start left readable by others', async () => {
    const dataDir = join(root, 'old');
    const first = resolveSecrets(loadConfig({ TOLLGATE_DATA_DIR: dataDir }));
    const storage = await openStorage(first.database);
    await storage.close();
    const db = first.database.url;
    for (const file of [db, join(dataDir, 'secret.key')]) chmodSync(file, 0o644);
    writeFileSync(`${db}-wal`, '', { mode: 0o644 });
    const again = resolveSecrets(loadConfig({ TOLLGATE_DATA_DIR: dataDir }));
    assert.equal(again.secret, first.secret, 'the same secret, read back');
    const reopened = await openStorage(again.database);
    try {
      for (const file of [db, `${db}-wal`, join(dataDir, 'secret.key')]) assert.equal(mode(file).toString(8), '600', file);
    } finally {
      await reopened.close();
    }
  });

  it('creates a sqlite: database named by DATABASE_URL 0600 too', async () => {
    const path = join(root, 'elsewhere', 'db', 'x.db');
    const config = loadConfig({ TOLLGATE_DATA_DIR: join(root, 'elsewhere-data'), DATABASE_URL: `sqlite:${path}` });
    const storage = await openStorage(config.database);
    try {
      assert.equal(mode(path).toString(8), '600');
      assert.equal(mode(join(root, 'elsewhere', 'db')).toString(8), '700');
    } finally {
      await storage.close();
    }
  });
});
