/**
 * Sticky sessions across gateways (pool/ SharedSessions): `s:{account}:{session}` → `nodeId:expiresAt`, with a
 * Redis expiry at the session's end. The first gateway to bind a session wins (SET NX); the others take its node.
 */
import type { SessionBinding, SharedSessions } from '../pool/index.js';
import type { SharedStore } from './shared-store.js';

export class RedisSessions implements SharedSessions {
  constructor(
    private readonly store: SharedStore,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string): Promise<SessionBinding | undefined> {
    this.store.ops++;
    return parse(await this.store.redis.get(this.store.key('s', key)));
  }

  async claim(key: string, binding: SessionBinding): Promise<SessionBinding> {
    const ttl = binding.expiresAt - this.now();
    if (ttl <= 0) return binding;
    const k = this.store.key('s', key);
    this.store.ops++;
    const set = await this.store.redis.set(k, format(binding), 'PX', ttl, 'NX');
    if (set === 'OK') return binding;
    this.store.ops++;
    return parse(await this.store.redis.get(k)) ?? binding;
  }

  async move(key: string, binding: SessionBinding): Promise<void> {
    const ttl = binding.expiresAt - this.now();
    if (ttl <= 0) return;
    this.store.ops++;
    await this.store.redis.set(this.store.key('s', key), format(binding), 'PX', ttl);
  }
}

function format(b: SessionBinding): string {
  return `${b.nodeId}:${b.expiresAt}`;
}

function parse(value: string | null): SessionBinding | undefined {
  if (value === null) return undefined;
  const [node, expires] = value.split(':');
  const nodeId = Number(node);
  const expiresAt = Number(expires);
  return Number.isInteger(nodeId) && Number.isFinite(expiresAt) ? { nodeId, expiresAt } : undefined;
}
