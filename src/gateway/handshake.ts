/**
 * The steps every protocol shares between "client connected" and "relay":
 * throttle, parse the username, authenticate, route to an exit. Each step
 * throws an AppError the protocol turns into its own refusal.
 */
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../errors/index.js';
import { type AttemptGuard, isRefused } from '../throttle/index.js';
import type {
  AccountLookup,
  DialSignal,
  ExitConnection,
  ExitPicker,
  GatewayAccount,
  PasswordCheck,
  ProxyTarget,
  RouteRequest,
  Targeting,
} from './gateway.types.js';
import { parseProxyUsername } from './parsers/proxy-username.js';

export interface HandshakeDeps {
  readonly accounts: AccountLookup;
  readonly exits: ExitPicker;
  /** Failure budgets per client address and per account name, reserved before each password check. */
  readonly guard: AttemptGuard;
  readonly productTypes: readonly number[];
  /** The entry's own rules (extraction ports, static IPs); the main entry has none and uses the steps below. */
  readonly rules?: EntryRules | undefined;
}

export interface Authorized {
  readonly account: GatewayAccount;
  readonly targeting: Targeting;
  /** How this client's connections reach their exit, when the entry decides it (default: the exit pool). */
  readonly connect?: ((route: RouteRequest, target: ProxyTarget, signal: DialSignal) => Promise<ExitConnection>) | undefined;
}

/**
 * An entry's own rules between "client connected" and "relay": who may connect, with or without
 * credentials, and through which exits (Authorized.connect). Implemented by the extraction ports and the
 * static-IP entry; both still check credentials with `authenticate` below.
 */
export interface EntryRules {
  /**
   * Whether this client may go without credentials (SOCKS5 method 0x00; HTTP without Proxy-Authorization); a
   * promise when the entry must ask the database first.
   */
  allowsAnonymous(client: Socket, address: string): boolean | Promise<boolean>;
  /** Throws TG_ERR_PROXY_* / TG_ERR_QUOTA_* on refusal. */
  authorize(
    deps: HandshakeDeps,
    client: Socket,
    address: string,
    credentials: { username: string; password: string } | undefined,
  ): Promise<Authorized>;
}

/** Checks credentials from `address` at this entry; throws TG_ERR_PROXY_* on refusal. */
export async function authorize(
  deps: HandshakeDeps,
  address: string,
  credentials: { username: string; password: string } | undefined,
  client?: Socket,
): Promise<Authorized> {
  if (deps.rules && client) return deps.rules.authorize(deps, client, address, credentials);
  const authorized = await authenticate(deps, address, credentials);
  if (authorized.targeting.ip !== undefined) {
    throw new AppError('TG_ERR_PROXY_USERNAME_INVALID', { params: { reason: 'ip picks a static IP: use the static-IP port' } });
  }
  return authorized;
}

/**
 * The credential steps every entry shares: throttle, parse the username, authenticate among the entry's
 * product types. Throws TG_ERR_PROXY_* on refusal.
 *
 * Every check is reserved against the failure budgets (per address, and per account name across addresses)
 * before it is made, and settled with its outcome, so concurrent guesses cannot outrun the budgets: past
 * them, attempts are refused without any check, the right password included.
 */
export async function authenticate(
  deps: HandshakeDeps,
  address: string,
  credentials: { username: string; password: string } | undefined,
): Promise<Authorized> {
  if (!credentials) throw new AppError('TG_ERR_PROXY_AUTH_REQUIRED');
  // Refused early without loading anything; slowed once the address has failed a few times.
  const verdict = deps.guard.peek(address);
  if (verdict === 'blocked') throw new AppError('TG_ERR_PROXY_AUTH_THROTTLED');
  if (verdict > 0) await sleep(verdict);
  const parsed = parseProxyUsername(credentials.username);
  if ('error' in parsed) {
    admit(deps, address, undefined).settle(true);
    throw new AppError('TG_ERR_PROXY_USERNAME_INVALID', { params: { reason: parsed.error } });
  }
  const account = await deps.accounts.authenticate(parsed.name, credentials.password, deps.productTypes, () =>
    admit(deps, address, parsed.name),
  );
  return { account, targeting: parsed };
}

/** Reserves one check of `address` (on account `name`); throws the matching refusal when a budget is spent. */
function admit(deps: HandshakeDeps, address: string, name: string | undefined): PasswordCheck {
  const attempt = deps.guard.begin(address, name);
  if (!isRefused(attempt)) return attempt;
  throw new AppError(attempt.refused === 'source' ? 'TG_ERR_PROXY_AUTH_THROTTLED' : 'TG_ERR_PROXY_NAME_THROTTLED');
}

/**
 * The dial's abort signal for one client: aborted when the client closes mid-dial. Ours rather than an
 * AbortController: that and its EventTarget cost a few percent of a short connection's CPU. The reason is
 * built only when it fires.
 */
class ClientGone implements DialSignal {
  aborted = false;
  reason: unknown;
  #listeners: (() => void)[] = [];

  addEventListener(_type: 'abort', listener: () => void): void {
    this.#listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const i = this.#listeners.indexOf(listener);
    if (i >= 0) this.#listeners.splice(i, 1);
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = new DOMException('The client closed the connection', 'AbortError');
    for (const listener of this.#listeners.splice(0)) listener();
  }
}

/**
 * Connects through an exit chosen for the account's product type and targeting; a client that goes away
 * meanwhile aborts the dial. The close hook is removed once the dial settles.
 */
export async function openExit(
  deps: HandshakeDeps,
  authorized: Authorized,
  target: ProxyTarget,
  client: Socket,
  tunnel = true,
): Promise<ExitConnection> {
  const gone = new ClientGone();
  const onClose = () => gone.abort();
  client.once('close', onClose);
  try {
    const route: RouteRequest = {
      ...authorized.targeting,
      productType: authorized.account.productType,
      accountId: authorized.account.accountId,
      // A raw tunnel's relay reads the exit through shared buffers; HTTP forwarding needs 'data' events.
      sharedRead: tunnel,
    };
    return await (authorized.connect ? authorized.connect(route, target, gone) : deps.exits.connect(route, target, gone));
  } finally {
    client.off('close', onClose);
  }
}
