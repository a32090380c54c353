/**
 * Secrets the operator did not set are generated once into the data directory
 * (mode 0600, the directory 0700 when created here) and read back on every later start.
 * TOLLGATE_SECRET from the environment wins over secret.key; either way the secret must be
 * backed up apart from the database (see docs/operations-security.md).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config-error.js';
import type { Config } from './index.js';

export interface ResolvedConfig extends Config {
  readonly secret: string;
  readonly adminToken: string;
  /** Where the admin token is kept: a file path, or "TOLLGATE_ADMIN_TOKEN". */
  readonly adminTokenSource: string;
}

export const SECRET_FILE = 'secret.key';
export const ADMIN_TOKEN_FILE = 'admin-token';

function readOrCreate(dir: string, file: string, variable: string, minLength: number): string {
  const path = join(dir, file);
  if (existsSync(path)) {
    // Ours, and secret: readable by the service's user alone, whatever an older start or a copy left.
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    const value = readFileSync(path, 'utf8').trim();
    if (value.length < minLength) throw new ConfigError([`${variable}: ${path} holds fewer than ${minLength} characters`]);
    return value;
  }
  const value = randomBytes(32).toString('hex');
  try {
    // wx: never overwrite a file another process created in the meantime.
    writeFileSync(path, `${value}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process starting on the same data directory won the race: use its value.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readOrCreate(dir, file, variable, minLength);
    throw err;
  }
  chmodSync(path, 0o600);
  return value;
}

/** Fill TOLLGATE_SECRET and TOLLGATE_ADMIN_TOKEN from the data directory when unset. */
export function resolveSecrets(config: Config): ResolvedConfig {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const secret = config.secret ?? readOrCreate(config.dataDir, SECRET_FILE, 'TOLLGATE_SECRET', 32);
  const adminToken = config.adminToken ?? readOrCreate(config.dataDir, ADMIN_TOKEN_FILE, 'TOLLGATE_ADMIN_TOKEN', 24);
  return Object.freeze({
    ...config,
    secret,
    adminToken,
    adminTokenSource: config.adminToken === undefined ? join(config.dataDir, ADMIN_TOKEN_FILE) : 'TOLLGATE_ADMIN_TOKEN',
  });
}
