/**
 * The gateway's metering and enforcement parts wired as main.ts wires them, on a test platform's real database,
 * with the test's clock: for unit tests of usage/ without sockets. Connections are real registry entries on
 * sockets that never connect (destroy() works on them all the same).
 */
import net from 'node:net';
import pino from 'pino';
import { SubAccountsRepository, UserLimitsRepository, UsersRepository } from '../../src/accounts/index.js';
import { ConnectionRegistry, type ProxyConnection } from '../../src/gateway/registry.js';
import { PackagesRepository } from '../../src/packages/index.js';
import { AccountDirectory, type AccountState, Meter, QuotaBook, UsageRepository } from '../../src/usage/index.js';
import type { TestPlatform } from './platform.js';

/** The `admit` of AccountDirectory.authenticate for tests that are not about failure budgets: every check admitted. */
export const unthrottled = () => ({ settle: () => {} });

export interface UsageRig {
  readonly registry: ConnectionRegistry;
  readonly quotas: QuotaBook;
  readonly directory: AccountDirectory;
  readonly meter: Meter;
  /** A registry entry filed under `state`, as a relayed connection would be. */
  connect(state: AccountState): ProxyConnection;
}

export function usageRig(tp: TestPlatform, now: () => number, shaperClock: () => number = now): UsageRig {
  const { storage, passwords, time } = tp.platform;
  const registry = new ConnectionRegistry();
  const quotas = new QuotaBook(new PackagesRepository(storage.db), registry, { now, shaperClock });
  const directory = new AccountDirectory(
    {
      subAccounts: new SubAccountsRepository(storage.db, storage.caps),
      users: new UsersRepository(storage.db),
      limits: new UserLimitsRepository(storage.db),
      box: passwords,
      quotas,
      closer: registry,
      usage: new UsageRepository(storage.db),
    },
    { tunnels: { perUser: 10_000, perAccount: 10_000 }, time, now, negativeTtlMs: 5_000 },
  );
  const meter = new Meter(storage.db, storage.caps, directory, quotas, time, 60_000, pino({ level: 'silent' }), now);
  return {
    registry,
    quotas,
    directory,
    meter,
    connect(state) {
      const conn = registry.open(new net.Socket(), now());
      registry.attach(conn, state);
      return conn;
    },
  };
}
