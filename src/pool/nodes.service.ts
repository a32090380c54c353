import type { Kysely } from 'kysely';
import type { SecretBox } from '../accounts/index.js';
import { AppError, invalidParams } from '../errors/index.js';
import type { Database, ExitNodeRow } from '../storage/index.js';
import { formatNodeUrl, type NodeEndpoint, nodeKindOf, parseNodeUrl } from './node-url.js';
import { NodesRepository } from './nodes.repository.js';
import type { ExitNode, ExitNodePatch, NewExitNode } from './pool.types.js';
import { checkNodeFields, DEFAULT_NODE_TYPES, DEFAULT_WEIGHT } from './rules.js';

export interface NodesServiceOptions {
  readonly now?: () => number;
}

/**
 * Exit nodes: the operator's list of egress points. URLs are stored encrypted
 * (they may carry upstream credentials) next to a masked copy for listings.
 * Every change writes a change_log row in the same transaction, so a gateway
 * following the feed never misses one.
 */
export class NodesService {
  readonly #now: () => number;

  /** @param box a SecretBox for purpose 'exit-node-url'. */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly box: SecretBox,
    options: NodesServiceOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
  }

  async add(input: NewExitNode): Promise<ExitNode> {
    const { fields, errors } = checkNodeFields(input);
    if (!fields.endpoint && !errors.url) errors.url = 'is required';
    if (fields.country === undefined && !errors.country) errors.country = 'is required';
    const { endpoint, country } = fields;
    if (Object.keys(errors).length > 0 || !endpoint || country === undefined) throw invalidParams(errors);
    const now = this.#now();
    return this.#write(async (repo) => {
      const row = await repo.insert({
        ...this.#sealUrl(endpoint),
        country,
        state: fields.state ?? '',
        city: fields.city ?? '',
        product_types: (fields.types ?? DEFAULT_NODE_TYPES).join(','),
        weight: fields.weight ?? DEFAULT_WEIGHT,
        enabled: input.enabled === false ? 0 : 1,
        created_at: now,
        updated_at: now,
      });
      await repo.logChange(row.id, now);
      return row;
    });
  }

  /** Every node, enabled or not, by id. */
  async list(): Promise<ExitNode[]> {
    const rows = await new NodesRepository(this.db).list();
    return rows.map((row) => this.#toNode(row));
  }

  async get(id: number): Promise<ExitNode> {
    const row = await new NodesRepository(this.db).findById(id);
    if (!row) throw new AppError('TG_ERR_NODE_NOT_FOUND');
    return this.#toNode(row);
  }

  /** Changes the given fields; absent ones stay as they are. */
  async update(id: number, patch: ExitNodePatch): Promise<ExitNode> {
    const { fields, errors } = checkNodeFields(patch);
    if (Object.keys(errors).length > 0) throw invalidParams(errors);
    const now = this.#now();
    return this.#write(async (repo) => {
      const row = await repo.update(id, {
        ...(fields.endpoint ? this.#sealUrl(fields.endpoint) : {}),
        ...(fields.country !== undefined ? { country: fields.country } : {}),
        ...(fields.state !== undefined ? { state: fields.state } : {}),
        ...(fields.city !== undefined ? { city: fields.city } : {}),
        ...(fields.types !== undefined ? { product_types: fields.types.join(',') } : {}),
        ...(fields.weight !== undefined ? { weight: fields.weight } : {}),
        ...(patch.enabled !== undefined ? { enabled: patch.enabled ? 1 : 0 } : {}),
        updated_at: now,
      });
      if (!row) throw new AppError('TG_ERR_NODE_NOT_FOUND');
      await repo.logChange(id, now);
      return row;
    });
  }

  setEnabled(id: number, enabled: boolean): Promise<ExitNode> {
    return this.update(id, { enabled });
  }

  async remove(id: number): Promise<void> {
    const now = this.#now();
    await this.db.transaction().execute(async (trx) => {
      const repo = new NodesRepository(trx);
      if (!(await repo.delete(id))) throw new AppError('TG_ERR_NODE_NOT_FOUND');
      await repo.logChange(id, now);
    });
  }

  /**
   * Adds `direct://` (product type 9, the given country) to a fresh database, so the
   * gateway works out of the box. Fresh means: no exit node now and none ever logged, so
   * an operator who removed every node on purpose does not find the direct one back.
   * Returns the node added, or undefined.
   */
  async ensureDefaultNode(country = 'US'): Promise<ExitNode | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const repo = new NodesRepository(trx);
      if ((await repo.count()) > 0 || (await repo.hasLoggedChanges())) return undefined;
      const now = this.#now();
      const { fields, errors } = checkNodeFields({ country });
      if (errors.country || fields.country === undefined) throw invalidParams(errors);
      const row = await repo.insert({
        ...this.#sealUrl({ kind: 'direct' }),
        country: fields.country,
        state: '',
        city: '',
        product_types: DEFAULT_NODE_TYPES.join(','),
        weight: DEFAULT_WEIGHT,
        enabled: 1,
        created_at: now,
        updated_at: now,
      });
      await repo.logChange(row.id, now);
      return this.#toNode(row);
    });
  }

  async #write(fn: (repo: NodesRepository) => Promise<ExitNodeRow>): Promise<ExitNode> {
    const row = await this.db.transaction().execute((trx) => fn(new NodesRepository(trx)));
    return this.#toNode(row);
  }

  #sealUrl(endpoint: NodeEndpoint): { url_enc: string; url_display: string } {
    return {
      url_enc: this.box.encrypt(formatNodeUrl(endpoint)),
      url_display: formatNodeUrl(endpoint, { maskPassword: true }),
    };
  }

  #toNode(row: ExitNodeRow): ExitNode {
    return {
      id: Number(row.id),
      kind: nodeKindOf(row.url_display) ?? 'direct',
      endpoint: this.#openUrl(row.url_enc),
      urlDisplay: row.url_display,
      country: row.country,
      state: row.state,
      city: row.city,
      productTypes: row.product_types
        .split(',')
        .filter((t) => t !== '')
        .map(Number),
      weight: row.weight,
      enabled: row.enabled === 1,
      createdAt: Number(row.created_at),
      updatedAt: Number(row.updated_at),
    };
  }

  #openUrl(sealed: string): NodeEndpoint | undefined {
    let url: string;
    try {
      url = this.box.decrypt(sealed);
    } catch {
      return undefined;
    }
    const parsed = parseNodeUrl(url);
    return parsed.ok ? parsed.endpoint : undefined;
  }
}
