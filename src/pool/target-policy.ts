/**
 * Which targets a connection may reach. Checked on the address actually
 * dialled (after DNS), so a name that resolves to 127.0.0.1 is refused like
 * 127.0.0.1 itself. Classification is ipaddr.js's special-purpose ranges
 * (IANA registries, RFC 6890): anything that is not global unicast is refused
 * unless private targets are allowed.
 */
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import ipaddr from 'ipaddr.js';
import type { GatewayConfig } from '../config/index.js';

/** A listener of this platform (proxy entry, API): never a target, lest a connection loop back into it. */
export interface OwnEndpoint {
  readonly host: string;
  readonly port: number;
}

export interface TargetPolicyOptions {
  /** Let targets be loopback, private, link-local, CGNAT, reserved… (development and tests). */
  readonly allowPrivateTargets: boolean;
  /** Ports refused whatever the address (default 25: no spam through the pool). */
  readonly blockedPorts: readonly number[];
  readonly own?: readonly OwnEndpoint[];
  /** This host's addresses, where its listeners answer too; defaults to every interface's address at construction. */
  readonly localAddresses?: readonly string[];
}

/** Ranges that are global unicast in practice: AS112 (RFC 7534) and AMT (RFC 7450) relays are public anycast. */
const PUBLIC_RANGES = new Set(['unicast', 'as112', 'amt', 'as112v6']);

const RANGE_NAMES: Readonly<Record<string, string>> = {
  unspecified: 'an unspecified',
  broadcast: 'a broadcast',
  multicast: 'a multicast',
  linkLocal: 'a link-local',
  loopback: 'a loopback',
  carrierGradeNat: 'a carrier-grade NAT (100.64.0.0/10)',
  private: 'a private',
  reserved: 'a reserved',
  uniqueLocal: 'a unique local (fc00::/7)',
  ipv4Compatible: 'an IPv4-compatible (::/96)',
};

export class TargetPolicy {
  readonly #allowPrivate: boolean;
  readonly #blockedPorts: ReadonlySet<number>;
  /** This host's addresses (normalized), worked out on first need: parsing them costs start-up ~15 ms (IPv6). */
  #local: ReadonlySet<string> | undefined;
  readonly #localAddresses: readonly string[] | undefined;
  /** port → listening addresses (normalized); '*' when listening on every address. */
  readonly #own = new Map<number, Set<string>>();

  constructor(options: TargetPolicyOptions) {
    this.#allowPrivate = options.allowPrivateTargets;
    this.#blockedPorts = new Set(options.blockedPorts);
    // The interfaces as they are now (later changes are not followed, as before); parsed on first need.
    this.#localAddresses = options.localAddresses ?? interfaceAddresses();
    for (const endpoint of options.own ?? []) this.protect(endpoint);
  }

  /** From the gateway configuration; `own` lists the platform's listeners (add more with `protect`). */
  static fromConfig(config: GatewayConfig, own: readonly OwnEndpoint[] = []): TargetPolicy {
    return new TargetPolicy({ allowPrivateTargets: config.allowPrivateTargets, blockedPorts: config.blockedPorts, own });
  }

  /** No restriction at all: for health probes to the operator's own probe target. */
  static unrestricted(): TargetPolicy {
    return new TargetPolicy({ allowPrivateTargets: true, blockedPorts: [], localAddresses: [] });
  }

  /** Refuse a listener of this platform as a target (call once its port is known). */
  protect(endpoint: OwnEndpoint): void {
    const host = isUnspecified(endpoint.host) ? '*' : (normalize(endpoint.host) ?? endpoint.host);
    const hosts = this.#own.get(endpoint.port) ?? new Set<string>();
    hosts.add(host);
    this.#own.set(endpoint.port, hosts);
  }

  /** Why dialling `ip`:`port` is refused, or undefined when it is allowed. */
  check(ip: string, port: number): string | undefined {
    const portProblem = this.checkPort(port);
    if (portProblem) return portProblem;
    // Every direct dial is checked here; a plain dotted quad (the usual case) skips ipaddr.js's parsing.
    const v4 = ipv4Int(ip);
    let text: string;
    let range: string;
    if (v4 !== undefined) {
      text = ip;
      range = ipv4Range(v4);
    } else {
      const addr = parse(ip);
      if (!addr) return `${ip} is not an IP address`;
      text = addr.toString();
      range = rangeOf(addr);
    }
    const own = this.#own.get(port);
    // Loop protection holds even when private targets are allowed: the listener's own address, any loopback
    // or unspecified address, and, for a listener on every address, each address of this host.
    const local = range === 'loopback' || range === 'unspecified' || (own?.has('*') === true && this.#locals().has(text));
    if (own && (own.has(text) || local)) return `${ip} port ${port} is this gateway`;
    if (!this.#allowPrivate && !PUBLIC_RANGES.has(range)) {
      return `${ip} is ${RANGE_NAMES[range] ?? `a special-purpose (${range})`} address`;
    }
    return undefined;
  }

  #locals(): ReadonlySet<string> {
    this.#local ??= new Set((this.#localAddresses ?? []).flatMap((a) => normalize(a) ?? []));
    return this.#local;
  }

  /** Why `port` is refused whatever the address, or undefined. */
  checkPort(port: number): string | undefined {
    if (!Number.isInteger(port) || port < 1 || port > 65535) return `port ${port} is not 1-65535`;
    if (this.#blockedPorts.has(port)) return `port ${port} is blocked`;
    return undefined;
  }

  /**
   * For exits that resolve names themselves (upstream proxies): IP literals are checked in full, names only
   * by port, since the address they stand for is looked up by the upstream, on its own network.
   */
  checkTarget(host: string, port: number): string | undefined {
    return isIP(host) === 0 ? this.checkPort(port) : this.check(host, port);
  }
}

/**
 * A dotted quad in canonical form (decimal, no leading zeros: what ipaddr.js prints back) as an unsigned 32-bit
 * integer; undefined for anything else, which takes the ipaddr.js path (it reads "010.0.0.1" as octal).
 */
export function ipv4Int(ip: string): number | undefined {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return undefined;
      value = value * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits === 1 && part === 0) return undefined;
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return undefined;
    } else return undefined;
  }
  if (dots !== 3 || digits === 0) return undefined;
  return value * 256 + part;
}

/** ipaddr.js's own IPv4 special-purpose table, as [name, first address, prefix length], in its matching order. */
const IPV4_RANGES: readonly (readonly [string, number, number])[] = Object.entries(
  (ipaddr.IPv4.prototype as unknown as { SpecialRanges: Record<string, [ipaddr.IPv4, number][]> }).SpecialRanges,
).flatMap(([name, subnets]) => subnets.map(([net, bits]) => [name, ipv4Int(net.toString())!, bits] as const));

/** What ipaddr.js's range() says of an IPv4 address (first matching range, else unicast). */
export function ipv4Range(value: number): string {
  for (const [name, first, bits] of IPV4_RANGES) {
    if (bits === 0 || Math.floor(value / 2 ** (32 - bits)) === Math.floor(first / 2 ** (32 - bits))) return name;
  }
  return 'unicast';
}

function parse(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (isIP(ip) === 0 || !ipaddr.isValid(ip)) return undefined;
  // ipaddr.js reads "::a.b.c.d" as IPv4-mapped, but it is IPv4-compatible (::/96): spell dotted quads in hex first.
  const text = isIP(ip) === 6 ? ip.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)(?=%|$)/, dottedToHex) : ip;
  // IPv4-mapped IPv6 (::ffff:a.b.c.d) is the IPv4 address it carries.
  return ipaddr.process(text);
}

function dottedToHex(_: string, a: string, b: string, c: string, d: string): string {
  const hex = (hi: string, lo: string) => ((Number(hi) << 8) | Number(lo)).toString(16);
  return `${hex(a, b)}:${hex(c, d)}`;
}

function normalize(ip: string): string | undefined {
  return parse(ip)?.toString();
}

function rangeOf(addr: ipaddr.IPv4 | ipaddr.IPv6): string {
  const range = addr.range();
  // RFC 4291 §2.5.5.1: IPv4-compatible ::a.b.c.d is deprecated; some stacks still route it as IPv4.
  if (range === 'unicast' && addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).parts.slice(0, 6).every((p) => p === 0)) {
    return 'ipv4Compatible';
  }
  return range;
}

function isUnspecified(host: string): boolean {
  return host === '' || parse(host)?.range() === 'unspecified';
}

function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
}
