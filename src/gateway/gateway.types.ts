/**
 * What the gateway needs from the rest of the platform, as interfaces. main.ts
 * wires the implementations (usage/ for accounts and metering, pool/ for exits);
 * the gateway never imports storage.
 */
import type { Socket } from 'node:net';

/** Where a client wants to go. `host` is a name or an IP literal (IPv6 without brackets). */
export interface ProxyTarget {
  readonly host: string;
  readonly port: number;
}

/** Targeting parsed from the proxy username (`user01-country-us-session-abc-life-30`). */
export interface Targeting {
  /** ISO 3166-1 alpha-2, upper case. */
  readonly country?: string | undefined;
  /** Lower case, letters/digits/underscore. */
  readonly state?: string | undefined;
  /** Lower case, no spaces. */
  readonly city?: string | undefined;
  /** Letters and digits, up to 32. */
  readonly session?: string | undefined;
  /** Session lifetime in minutes, 1-1440 (default 10). */
  readonly lifeMinutes: number;
  /** A static IP to exit through (static-IP entry only), canonical form. */
  readonly ip?: string | undefined;
}

/** One exit to dial for one connection. */
export interface RouteRequest extends Targeting {
  readonly productType: number;
  /** Sessions are per sub-account: two accounts naming the same session do not share it. */
  readonly accountId: number;
  /**
   * Read the exit socket into shared buffers (net onread, see net/shared-read.ts) where the exit supports it;
   * only for raw tunnels, whose relay takes bytes from the shared reader instead of 'data' events.
   */
  readonly sharedRead?: boolean;
}

export interface ExitConnection {
  /** Connected to the target through the exit; no bytes read yet. */
  readonly socket: Socket;
  readonly nodeId: number;
}

/**
 * What a dial watches so it can give up when the client goes away. An AbortSignal is one; the gateway passes
 * a lighter one per connection (handshake.ts), since an AbortController and its EventTarget cost a few percent
 * of the CPU of a short connection.
 */
export interface DialSignal {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * Chooses exits and connects through them. Throws AppError:
 * TG_ERR_PROXY_NO_EXIT (no matching healthy node), TG_ERR_PROXY_TARGET_BLOCKED,
 * TG_ERR_UPSTREAM_* (the exit or target failed).
 */
export interface ExitPicker {
  connect(route: RouteRequest, target: ProxyTarget, signal: DialSignal): Promise<ExitConnection>;
  /**
   * A UDP relay through an exit chosen for the route (SOCKS5 UDP ASSOCIATE): only exits that can carry UDP
   * (direct ones) are candidates. Throws TG_ERR_PROXY_NO_EXIT when none matches.
   */
  udpExit(route: RouteRequest, events: UdpExitEvents): UdpExit;
}

/** What a UDP exit tells its association; called synchronously from socket events. */
export interface UdpExitEvents {
  /** `data` was sent to a target: the association counts it (and stops when the account is used up). */
  sent(bytes: number): void;
  /** A datagram from a target the association sent to (`host` an IP literal, IPv4 unmapped). */
  reply(data: Buffer, host: string, port: number): void;
  /** A datagram was dropped: the policy refused its target, its name did not resolve, or a reply was unsolicited. */
  dropped(reason: UdpDropReason): void;
}

export type UdpDropReason = 'blocked' | 'unresolved' | 'unsolicited' | 'malformed' | 'source' | 'shaped';

/** One association's sockets at an exit. */
export interface UdpExit {
  readonly nodeId: number;
  /**
   * Sends `data` to `target` from the exit, when the target policy allows it: a name is resolved at the exit and
   * every address checked, as for TCP; a refused or unresolvable target drops the datagram (events.dropped).
   */
  send(data: Buffer, target: ProxyTarget): void;
  /** Closes the exit's sockets; nothing is reported after. */
  close(): void;
}

/**
 * Paces the traffic of accounts whose product limits bandwidth (time packages): one per user, shared by every
 * connection of the user's accounts of the type, both directions.
 */
export interface Shaper {
  /** Takes `bytes` just relayed; answers 0 when the reader may read on, else the ms to pause it first. */
  take(bytes: number): number;
}

/** A sub-account as the gateway holds it while relaying its bytes. */
export interface GatewayAccount {
  readonly accountId: number;
  readonly userId: number;
  readonly productType: number;
  /** Most open connections of this account (fair share; TOLLGATE_TUNNELS_PER_ACCOUNT or the user's override). */
  readonly maxTunnels: number;
  /** Most open connections of all the user's accounts together (TOLLGATE_TUNNELS_PER_USER or the user's override). */
  readonly maxUserTunnels: number;
  /**
   * Counts relayed bytes (per chunk, so it must cost nothing); false once the account's limit or its owner's
   * packages are used up: the caller then cuts the connection that counted them (the account's other
   * connections are closed by the platform).
   */
  charge(bytes: number): boolean;
  /** The bandwidth shaper of the account's product, when it has one; undefined means unshaped. */
  readonly shaper: Shaper | undefined;
  /** Whether the account may use SOCKS5 UDP ASSOCIATE (its `udp` flag). */
  readonly udp: boolean;
  /**
   * Takes one of the account's connection slots (its owner's concurrency); throws TG_ERR_QUOTA_CONCURRENCY. A
   * promise when the slots are counted across gateways (it rejects with that error instead).
   */
  admit(): void | Promise<void>;
  /** Gives back a slot `admit` took. */
  leave(): void;
}

/** One password check, reserved against the failure budgets before it is made; settled with its outcome. */
export interface PasswordCheck {
  settle(failed: boolean): void;
}

/** Checks proxy credentials. Throws AppError (TG_ERR_PROXY_AUTH_FAILED, TG_ERR_PROXY_ACCOUNT_DISABLED, TG_ERR_QUOTA_*). */
export interface AccountLookup {
  /**
   * `admit` must be called immediately before the password is compared, with no await in between, and the check
   * it returns settled with the outcome: it reserves the attempt against the failure budgets, or throws
   * (TG_ERR_PROXY_AUTH_THROTTLED, TG_ERR_PROXY_NAME_THROTTLED) so that the password is never compared.
   */
  authenticate(
    name: string,
    password: string,
    productTypes: readonly number[],
    admit: () => PasswordCheck,
  ): Promise<GatewayAccount>;
}
