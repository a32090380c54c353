import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type ExitNode, type ExitNodePatch, type NodesService, nodeView } from '../../../pool/index.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/nodes.js';

export interface AdminNodeRoutesDeps {
  readonly nodes: NodesService;
  /** The gateway's view of a node's health (ExitPool.isHealthy), when this process runs the gateway. */
  readonly health?: ((nodeId: number) => boolean | undefined) | undefined;
}

/** The node fields of an add or update body (the API's names are the service's). */
function nodeFields<T extends ExitNodePatch>(b: T): T {
  return {
    url: b.url,
    country: b.country,
    state: b.state,
    city: b.city,
    types: b.types,
    weight: b.weight,
    enabled: b.enabled,
  } as T;
}

/** Exit nodes: add, list, show, change, remove, enable, disable. */
export const adminNodeRoutes: FastifyPluginAsyncTypebox<AdminNodeRoutesDeps> = async (app, { nodes, health }) => {
  const view = (node: ExitNode) => nodeView(node, health?.(node.id));

  app.post('/nodes', { schema: S.AdminAddNode }, async (request) => {
    const b = request.body;
    const node = await nodes.add(nodeFields(b));
    return ok(view(node), languageOf(request));
  });

  app.get('/nodes', { schema: S.AdminListNodes }, async (request) =>
    ok({ list: (await nodes.list()).map(view) }, languageOf(request)),
  );

  app.get('/nodes/:id', { schema: S.AdminShowNode }, async (request) =>
    ok(view(await nodes.get(request.params.id)), languageOf(request)),
  );

  app.patch('/nodes/:id', { schema: S.AdminUpdateNode }, async (request) => {
    const b = request.body;
    const node = await nodes.update(request.params.id, nodeFields(b));
    return ok(view(node), languageOf(request));
  });

  app.delete('/nodes/:id', { schema: S.AdminRemoveNode }, async (request) => {
    await nodes.remove(request.params.id);
    return ok(null, languageOf(request));
  });

  app.post('/nodes/:id/enable', { schema: S.AdminEnableNode }, async (request) =>
    ok(view(await nodes.setEnabled(request.params.id, true)), languageOf(request)),
  );

  app.post('/nodes/:id/disable', { schema: S.AdminDisableNode }, async (request) =>
    ok(view(await nodes.setEnabled(request.params.id, false)), languageOf(request)),
  );
};
