/** Route schema of GET /admin/gateways: the gateway registry (docs/cluster.md). */
import { Type } from '@sinclair/typebox';
import { Envelope } from './common.js';

export const AdminGatewayItem = Type.Object({
  id: Type.String({ description: 'TOLLGATE_GATEWAY_ID' }),
  instance: Type.String({ description: 'This run of the gateway (the id and its start)' }),
  region: Type.String({ description: 'TOLLGATE_GATEWAY_REGION (the `ep` of ip/v3); empty when unset' }),
  host: Type.String({ description: 'TOLLGATE_GATEWAY_PUBLIC_HOST: where clients reach it' }),
  ports: Type.Object({
    proxy: Type.Integer({ description: 'HTTP, CONNECT and SOCKS5 entry' }),
    static: Type.Integer({ description: 'Static-IP entry' }),
    extract: Type.Union([Type.Object({ from: Type.Integer(), to: Type.Integer() }), Type.Null()], {
      description: 'TOLLGATE_EXTRACT_PORTS; null when off',
    }),
  }),
  version: Type.String(),
  open_connections: Type.Integer(),
  bytes_per_second: Type.Integer({ description: 'Relayed, both directions, over the last few seconds' }),
  started_at: Type.String({ description: 'ISO 8601' }),
  last_heartbeat_at: Type.String({ description: 'ISO 8601' }),
  age_seconds: Type.Number({ description: 'Since the last heartbeat' }),
  alive: Type.Boolean({
    description:
      'Heart-beating: its last heartbeat is younger than 10 s. A run that stopped stays listed, not alive, for 10 minutes',
  }),
});

export const AdminListGateways = {
  summary: 'The gateways serving the platform: the registry in Redis, or this process’s own gateway without Redis',
  tags: ['admin'],
  response: {
    200: Envelope(
      Type.Object({
        cluster: Type.Boolean({
          description:
            'Whether gateways register in Redis (TOLLGATE_REDIS_URL). false: the list holds this process’s own gateway, or nothing when it runs none',
        }),
        list: Type.Array(AdminGatewayItem),
        alive: Type.Integer({ description: 'How many of the listed gateways are alive' }),
      }),
    ),
  },
};
