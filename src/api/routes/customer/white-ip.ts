import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { WhiteIp, WhiteIpsService } from '../../../accounts/index.js';
import type { TimeFormatter } from '../../../time/time-format.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/white-ip.js';
import { customerOf } from './context.js';

export interface WhiteIpRoutesDeps {
  readonly whiteIps: WhiteIpsService;
  readonly time: TimeFormatter;
}

/** Writes change the space's whitelist: a team member needs manage_accounts. */
const write = { write: true, team: 'manage_accounts' } as const;

/** Whitelisted client IPs (`white-ip/*`): traffic from them is billed to their owner without credentials. */
export const whiteIpRoutes: FastifyPluginAsyncTypebox<WhiteIpRoutesDeps> = async (app, { whiteIps, time }) => {
  const item = (w: WhiteIp) => ({ id: w.id, ip: w.ip, remark: w.remark, created_at: time.format(w.createdAt) });

  app.get('/white-ip/list', { schema: S.WhiteIpList, config: { team: 'view' } }, async (request) => {
    const list = await whiteIps.list(customerOf(request).id);
    return ok({ list: list.map(item) }, languageOf(request));
  });

  app.post('/white-ip/add', { schema: S.WhiteIpAdd, config: write }, async (request) => {
    const added = await whiteIps.add(customerOf(request).id, request.body.ips, request.body.remark);
    return ok({ list: added.map(item) }, languageOf(request));
  });

  app.post('/white-ip/delete', { schema: S.WhiteIpDelete, config: write }, async (request) => {
    await whiteIps.delete(customerOf(request).id, { ids: request.body.ids, ips: request.body.ips });
    return ok(null, languageOf(request));
  });
};
