/**
 * Composition root: configuration → storage → migrations → domain services →
 * API (and, later, gateway). Everything else receives what it needs from here.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { SecretBox, SubAccountsService, TokenService, UsersRepository, UsersService } from './accounts/index.js';
import { type ApiServices, buildApi } from './api/server.js';
import { loadConfig, type ResolvedConfig, resolveSecrets } from './config/index.js';
import { createLogger } from './logger.js';
import { TimeFormatter } from './time/time-format.js';
import { UsageService } from './usage/index.js';
import { migrateToLatest, type OpenOptions, openStorage, type Storage } from './storage/index.js';

export interface Platform {
  readonly config: ResolvedConfig;
  readonly storage: Storage;
  readonly services: ApiServices;
  readonly logger: Logger;
  close(): Promise<void>;
}

export interface OpenPlatformOptions {
  readonly logger?: Logger;
  readonly storage?: OpenOptions;
  /** Clock for every service (tests pass their own). */
  readonly now?: () => number;
}

/** Opens storage, applies pending migrations and wires the services. */
export async function openPlatform(config: ResolvedConfig, options: OpenPlatformOptions = {}): Promise<Platform> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const storage = await openStorage(config.database, options.storage);
  try {
    const { applied } = await migrateToLatest(storage);
    if (applied.length > 0) logger.info({ applied }, 'database migrated');
  } catch (err) {
    await storage.close();
    throw err;
  }
  try {
    const now = options.now ?? Date.now;
    const box = new SecretBox(config.secret, 'sub-account-password', config.passwordCacheSize);
    const time = new TimeFormatter(config.timeZone);
    const services: ApiServices = {
      users: new UsersService(new UsersRepository(storage.db), storage.caps, now),
      subAccounts: new SubAccountsService(storage.db, storage.caps, box, { batchMax: config.batchMax, now }),
      tokens: new TokenService(config.secret, config.jwtTtlSeconds, now),
      usage: new UsageService(storage.db, time, now),
    };
    return { config, storage, services, logger, close: () => storage.close() };
  } catch (err) {
    await storage.close();
    throw err;
  }
}

export interface RunningServer {
  readonly api: FastifyInstance;
  readonly apiUrl: string;
  close(): Promise<void>;
}

/** Starts the HTTP API on the configured host and port. */
export async function startApi(platform: Platform): Promise<RunningServer> {
  const api = await buildApi({ config: platform.config, services: platform.services, logger: platform.logger });
  try {
    await api.listen({ host: platform.config.host, port: platform.config.apiPort });
  } catch (err) {
    await api.close();
    throw err;
  }
  const address = api.server.address();
  const port = typeof address === 'object' && address ? address.port : platform.config.apiPort;
  const host = ['0.0.0.0', '::'].includes(platform.config.host) ? '127.0.0.1' : platform.config.host;
  return { api, apiUrl: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, close: () => api.close() };
}

/** Configuration from the environment, with secrets resolved from the data directory. */
export function configFromEnv(env: Record<string, string | undefined> = process.env): ResolvedConfig {
  return resolveSecrets(loadConfig(env));
}
