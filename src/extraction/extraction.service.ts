/**
 * IP extraction (`ip/v3`): each returned `host:port` is a lease of one port of
 * TOLLGATE_EXTRACT_PORTS to the caller for `life` minutes, bound to the
 * requested location and to one exit node chosen now (sticky for the lease).
 * The gateway listens on every port of the range and serves a leased port to
 * the lessee's whitelisted addresses (or sub-account credentials), metering and
 * enforcing like the main entry (see extraction/lease-book.ts).
 *
 * A user holds at most TOLLGATE_EXTRACT_LEASE_MAX leases at once (or the operator's override for the user),
 * well below the range's size by default, so one customer cannot take every port.
 *
 * All `num` ports are leased in one transaction or none: a free port is one
 * whose row is absent or expired, and the upsert only takes a row that is still
 * expired, so two API processes racing for a port cannot both get it.
 */
import type { Kysely } from 'kysely';
import { lockUser, type UserLimitSource } from '../accounts/index.js';
import type { ExtractConfig } from '../config/index.js';
import { AppError, invalidParams } from '../errors/index.js';
import { PackagesRepository } from '../packages/index.js';
import type { ExitNode, GeoCatalogue } from '../pool/index.js';
import { EXTRACTION_TYPE } from '../products/index.js';
import { type Database, recordChange } from '../storage/index.js';

export interface ExtractRequest {
  readonly country?: string | undefined;
  readonly state?: string | undefined;
  readonly city?: string | undefined;
  readonly num?: number | undefined;
  readonly life?: number | undefined;
  readonly ep?: string | undefined;
}

export interface Extracted {
  /** `host:port` per leased port. */
  readonly endpoints: string[];
  readonly expiresAt: number;
}

export interface ExtractionNodes {
  list(): Promise<readonly ExitNode[]>;
}

/** The gateway registry as `ep` reads it (cluster/ GatewayDirectory). */
export interface EntryRegistry {
  /** The live gateways of `region`; undefined when there is no registry (no Redis): `ep` works as before. */
  region(region: string): Promise<
    | {
        readonly gateways: readonly { readonly host: string; readonly extractPorts: { from: number; to: number } | null }[];
        /** A gateway registered in this region once: it is down now, not unknown. */
        readonly known: boolean;
        /** Regions with a live gateway now. */
        readonly regions: readonly string[];
      }
    | undefined
  >;
}

export interface ExtractionServiceOptions {
  readonly now?: () => number;
  /** Uniform in [0, 1); tests may fix it. */
  readonly random?: () => number;
  /** With several gateways: `ep` picks among the registered gateways of that region. */
  readonly registry?: EntryRegistry;
}

export class ExtractionService {
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #registry: EntryRegistry | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly config: ExtractConfig,
    private readonly geo: GeoCatalogue,
    private readonly nodes: ExtractionNodes,
    /** Leases one user may hold at once: TOLLGATE_EXTRACT_LEASE_MAX, or the operator's override for the user. */
    private readonly limits: UserLimitSource,
    options: ExtractionServiceOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#registry = options.registry;
  }

  /** The entry host clients connect to for `ep`. */
  entryHost(ep: string | undefined): string {
    const { entries, publicHost } = this.config;
    if (entries.size === 0) return publicHost;
    if (ep === undefined) return entries.values().next().value as string;
    const host = entries.get(ep.trim().toLowerCase());
    if (host === undefined) throw new AppError('TG_ERR_EXTRACT_ENTRY_UNKNOWN', { params: { ep } });
    return host;
  }

  /**
   * The hosts the leased ports may be reached at. With a registry and `ep`: the public hosts of that region's
   * live gateways listening on the whole TOLLGATE_EXTRACT_PORTS range (each port is given one of them); when
   * none is up (or Redis does not answer), the TOLLGATE_EXTRACT_ENTRIES host of that region if there is one, else
   * 9010 (a region seen before), 6206 (never seen) or 9011 (Redis down), before anything is leased. With no region
   * anywhere, `ep` is ignored as before.
   */
  async #entryHosts(ep: string | undefined, range: { from: number; to: number }): Promise<string[]> {
    if (ep === undefined || this.#registry === undefined) return [this.entryHost(ep)];
    const region = ep.trim().toLowerCase();
    if (region === '') return [this.entryHost(ep)];
    const configured = this.config.entries.get(region);
    let found: Awaited<ReturnType<EntryRegistry['region']>>;
    try {
      found = await this.#registry.region(region);
    } catch (err) {
      // Redis not answering: the region's configured entry still serves; without one, 9011.
      if (configured !== undefined) return [configured];
      throw err;
    }
    if (found === undefined) return [this.entryHost(ep)];
    const hosts = found.gateways
      .filter((g) => g.extractPorts !== null && g.extractPorts.from <= range.from && g.extractPorts.to >= range.to)
      .map((g) => g.host);
    if (hosts.length > 0) return [...new Set(hosts)];
    if (configured !== undefined) return [configured];
    if (found.known) throw new AppError('TG_ERR_EXTRACT_ENTRY_DOWN', { params: { ep } });
    if (found.regions.length > 0 || this.config.entries.size > 0) {
      throw new AppError('TG_ERR_EXTRACT_ENTRY_UNKNOWN', { params: { ep } });
    }
    return [this.entryHost(ep)];
  }

  async extract(userId: number, request: ExtractRequest): Promise<Extracted> {
    const range = this.config.ports;
    if (!range) throw new AppError('TG_ERR_EXTRACT_DISABLED');
    const num = request.num ?? 1;
    const life = request.life ?? this.config.lifeDefault;
    const errors: Record<string, string> = {};
    if (!Number.isInteger(num) || num < 1 || num > this.config.numMax)
      errors.num = `must be an integer from 1 to ${this.config.numMax}`;
    if (!Number.isInteger(life) || life < 1 || life > this.config.lifeMax)
      errors.life = `must be a whole number of minutes from 1 to ${this.config.lifeMax}`;
    if (Object.keys(errors).length > 0) throw invalidParams(errors);
    const hosts = await this.#entryHosts(request.ep, range);
    const now = this.#now();

    // No whitelisted IP is demanded: a leased port admits the lessee's whitelisted addresses without credentials
    // and anyone with one of the lessee's sub-account credentials (the extraction entry).
    if (!(await new PackagesRepository(this.db).hasValid(userId, EXTRACTION_TYPE, now))) {
      throw new AppError('TG_ERR_EXTRACT_NO_PACKAGE');
    }

    // Known location: some dynamic exit serves it (6201 otherwise); usable: one serves the extraction type (6202 otherwise).
    const geo = await this.geo.resolve({ country: request.country, state: request.state, city: request.city });
    const candidates = (await this.nodes.list()).filter(
      (n) =>
        n.enabled &&
        n.endpoint !== undefined &&
        n.productTypes.includes(EXTRACTION_TYPE) &&
        (geo.country === undefined || n.country === geo.country) &&
        (geo.state === undefined || n.state === geo.state) &&
        (geo.city === undefined || n.city === geo.city),
    );
    if (candidates.length === 0) {
      const place = [geo.country ?? '*', geo.state ?? '*', geo.city ?? '*'].join('/');
      throw new AppError('TG_ERR_EXTRACT_NO_EXIT', { params: { geo: place } });
    }

    const expiresAt = now + life * 60_000;
    const ports = await this.db.transaction().execute(async (trx) => {
      // One customer must leave ports for the next: count what the user holds, with the user locked.
      await lockUser(trx, userId);
      const max = await this.limits.limitOf(trx, userId, 'extract_leases');
      const held = await trx
        .selectFrom('extract_leases')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('user_id', '=', userId)
        .where('expires_at', '>', now)
        .where('port', '>=', range.from)
        .where('port', '<=', range.to)
        .executeTakeFirstOrThrow();
      if (Number(held.n) + num > max) {
        throw new AppError('TG_ERR_EXTRACT_LEASE_LIMIT', { params: { max, held: Number(held.n) } });
      }
      const leased = await trx
        .selectFrom('extract_leases')
        .select('port')
        .where('expires_at', '>', now)
        .where('port', '>=', range.from)
        .where('port', '<=', range.to)
        .execute();
      const taken = new Set(leased.map((r) => r.port));
      const free: number[] = [];
      for (let p = range.from; p <= range.to; p++) if (!taken.has(p)) free.push(p);
      if (free.length < num) throw new AppError('TG_ERR_EXTRACT_NO_PORT');
      // A random choice of free ports (partial Fisher-Yates), so endpoints are not guessable in sequence.
      for (let i = 0; i < num; i++) {
        const j = i + Math.floor(this.#random() * (free.length - i));
        [free[i], free[j]] = [free[j] as number, free[i] as number];
      }
      const chosen = free.slice(0, num);
      const rows = chosen.map((port) => ({
        port,
        user_id: userId,
        entry: (request.ep ?? '').trim().toLowerCase().slice(0, 32),
        country: geo.country ?? '',
        state: geo.state ?? '',
        city: geo.city ?? '',
        node_id: this.#pick(candidates).id,
        created_at: now,
        expires_at: expiresAt,
      }));
      const got: number[] = [];
      for (let i = 0; i < rows.length; i += 500) {
        const written = await trx
          .insertInto('extract_leases')
          .values(rows.slice(i, i + 500))
          .onConflict((oc) =>
            oc
              .column('port')
              .doUpdateSet((eb) => ({
                user_id: eb.ref('excluded.user_id'),
                entry: eb.ref('excluded.entry'),
                country: eb.ref('excluded.country'),
                state: eb.ref('excluded.state'),
                city: eb.ref('excluded.city'),
                node_id: eb.ref('excluded.node_id'),
                created_at: eb.ref('excluded.created_at'),
                expires_at: eb.ref('excluded.expires_at'),
              }))
              .where('extract_leases.expires_at', '<=', now),
          )
          .returning('port')
          .execute();
        for (const r of written) got.push(r.port);
      }
      // Another process leased one of them meanwhile: give all back and let the client retry.
      if (got.length !== num) throw new AppError('TG_ERR_EXTRACT_NO_PORT');
      await recordChange(trx, 'extract_lease', chosen, now);
      return chosen;
    });
    const shown = hosts.map((host) => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host));
    // Several gateways of the region: each port goes to one of them at random, spreading the region's load.
    const hostOf = () => (shown.length === 1 ? shown[0] : (shown[Math.floor(this.#random() * shown.length)] ?? shown[0]));
    const endpoints = ports.map((port) => `${hostOf()}:${port}`);
    return { endpoints, expiresAt };
  }

  /** Weighted random choice, as the gateway's selection weighs nodes. */
  #pick(nodes: readonly ExitNode[]): ExitNode {
    let total = 0;
    for (const n of nodes) total += n.weight;
    let x = this.#random() * total;
    for (const n of nodes) {
      x -= n.weight;
      if (x < 0) return n;
    }
    return nodes[nodes.length - 1] as ExitNode;
  }
}
