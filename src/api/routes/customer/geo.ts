import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { GeoCatalogue, type GeoNodeSource } from '../../../pool/index.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/geo.js';

export interface GeoRoutesDeps {
  /** The exit nodes (NodesService); read on every request, so node changes show at once. */
  readonly nodes: GeoNodeSource;
}

/**
 * The documents' geo catalogue: countries, states and cities the exit pool serves now. Like every
 * customer route these need app_key (or a Bearer token): the documents list no parameters for them,
 * but the customer auth hook covers the whole customer API.
 */
/** The catalogue is the same for everyone: any team member may ask for it in the team. */
const view = { team: 'view' } as const;

export const geoRoutes: FastifyPluginAsyncTypebox<GeoRoutesDeps> = async (app, { nodes }) => {
  const geo = new GeoCatalogue(nodes);

  app.get('/ip/dynamic-citys', { schema: S.DynamicCitys, config: view }, async (request) => {
    const list = (await geo.countries()).map((c) => ({
      name_zh_cn: c.nameZhCn,
      name_en: c.nameEn,
      continent_code: c.continent,
      country_code: c.code,
      items: c.cities.map((p) => ({ city: p.city, state: p.state, continent_code: c.continent, country_code: c.code })),
    }));
    return ok({ list }, languageOf(request));
  });

  app.get('/ip/dynamic-states', { schema: S.DynamicStates, config: view }, async (request) => {
    const list = (await geo.countries()).map((c) => ({
      name_zh_cn: c.nameZhCn,
      name_en: c.nameEn,
      continent_code: c.continent,
      country_code: c.code,
      items: c.states.map((state) => ({ state, continent_code: c.continent, country_code: c.code })),
    }));
    return ok({ list }, languageOf(request));
  });

  app.get('/ip/dynamic-citys/search', { schema: S.DynamicCitysSearch, config: view }, async (request) => {
    const list = await geo.cities(request.query.country_code, request.query.state);
    return ok({ list }, languageOf(request));
  });

  app.get('/ip/dynamic-states/search', { schema: S.DynamicStatesSearch, config: view }, async (request) => {
    const list = await geo.states(request.query.country_code);
    return ok({ list }, languageOf(request));
  });
};
