/**
 * The steps every protocol shares between "client connected" and "relay":
 * throttle, parse the username, authenticate, route to an exit. Each step
 * throws an AppError the protocol turns into its own refusal.
 */
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../errors/index.js';
import type { AuthThrottle } from './auth-throttle.js';
import type { AccountLookup, ExitConnection, ExitPicker, GatewayAccount, ProxyTarget, Targeting } from './gateway.types.js';
import { parseProxyUsername } from './parsers/proxy-username.js';

export interface HandshakeDeps {
  readonly accounts: AccountLookup;
  readonly exits: ExitPicker;
  readonly throttle: AuthThrottle;
  readonly productTypes: readonly number[];
}

export interface Authorized {
  readonly account: GatewayAccount;
  readonly targeting: Targeting;
}

/** Checks credentials from `address`; throws TG_ERR_PROXY_* on refusal. */
export async function authorize(
  deps: HandshakeDeps,
  address: string,
  credentials: { username: string; password: string } | undefined,
): Promise<Authorized> {
  if (!credentials) throw new AppError('TG_ERR_PROXY_AUTH_REQUIRED');
  const verdict = deps.throttle.check(address);
  if (verdict === 'blocked') throw new AppError('TG_ERR_PROXY_AUTH_THROTTLED');
  if (verdict > 0) await sleep(verdict);
  const parsed = parseProxyUsername(credentials.username);
  if ('error' in parsed) {
    deps.throttle.failure(address);
    throw new AppError('TG_ERR_PROXY_USERNAME_INVALID', { params: { reason: parsed.error } });
  }
  try {
    const account = await deps.accounts.authenticate(parsed.name, credentials.password, deps.productTypes);
    return { account, targeting: parsed };
  } catch (err) {
    if (err instanceof AppError && err.key === 'TG_ERR_PROXY_AUTH_FAILED') deps.throttle.failure(address);
    throw err;
  }
}

/**
 * Connects through an exit chosen for the account's product type and targeting; a client that goes away
 * meanwhile aborts the dial. The abort hook is removed once the dial settles: aborting builds an exception
 * with a stack, too dear to pay on every closing connection.
 */
export async function openExit(
  deps: HandshakeDeps,
  authorized: Authorized,
  target: ProxyTarget,
  client: Socket,
  tunnel = true,
): Promise<ExitConnection> {
  const abort = new AbortController();
  const onClose = () => abort.abort();
  client.once('close', onClose);
  try {
    return await deps.exits.connect(
      {
        ...authorized.targeting,
        productType: authorized.account.productType,
        accountId: authorized.account.accountId,
        // A raw tunnel's relay reads the exit through shared buffers; HTTP forwarding needs 'data' events.
        sharedRead: tunnel,
      },
      target,
      abort.signal,
    );
  } finally {
    client.off('close', onClose);
  }
}
