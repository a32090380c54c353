import type { ExitNode } from './pool.types.js';

/** An exit node as operators see it (admin API and `tollgate nodes --json`): the URL masked, never its credentials. */
export function nodeView(node: ExitNode, healthy?: boolean) {
  return {
    id: node.id,
    url: node.urlDisplay,
    kind: node.kind,
    country: node.country,
    state: node.state,
    city: node.city,
    types: [...node.productTypes],
    weight: node.weight,
    enabled: node.enabled,
    ...(healthy !== undefined ? { healthy } : {}),
    created_at: new Date(node.createdAt).toISOString(),
  };
}
