import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { SubAccountsService } from '../../../accounts/index.js';
import { AppError } from '../../../errors/index.js';
import { GeoCatalogue, type GeoCountry, type GeoNodeSource } from '../../../pool/index.js';
import { typesWhere } from '../../../products/index.js';
import { ok } from '../../envelope.js';
import { languageOf } from '../../language.js';
import * as S from '../../schemas/geo.js';
import { customerOf } from './context.js';

export interface GeoRoutesDeps {
  /** The exit nodes (NodesService); read on every request, so node changes show at once. */
  readonly nodes: GeoNodeSource;
  readonly subAccounts: SubAccountsService;
}

/** Product types whose accounts exit through a pool of nodes (the places ip/dcl4 and friends list). */
const POOL_TYPES = typesWhere((k) => k.exits === 'residential-pool' || k.exits === 'datacenter-pool');

/**
 * The documents' geo catalogue: countries, states and cities the exit pool serves now. Like every
 * customer route these need app_key (or a Bearer token): the documents list no parameters for them,
 * but the customer auth hook covers the whole customer API.
 */
/** The catalogue is the same for everyone: any team member may ask for it in the team. */
const view = { team: 'view' } as const;

export const geoRoutes: FastifyPluginAsyncTypebox<GeoRoutesDeps> = async (app, { nodes, subAccounts }) => {
  const geo = new GeoCatalogue(nodes);
  const byType = new Map(POOL_TYPES.map((t) => [t, new GeoCatalogue(nodes, { productTypes: [t] })]));

  /** The countries the exits of the caller's account `username` serve; TG_ERR_ACCOUNT_NOT_FOUND when none is. */
  const accountCountries = async (request: FastifyRequest, username: string): Promise<GeoCountry[]> => {
    const accounts = await subAccounts.list(customerOf(request).id, { username });
    if (accounts.length === 0) {
      throw new AppError('TG_ERR_ACCOUNT_NOT_FOUND', { params: { names: username }, data: { accounts: [username] } });
    }
    const types = [...new Set(accounts.map((a) => a.productType))].filter((t) => POOL_TYPES.includes(t));
    if (types.length === 0) return [];
    return new GeoCatalogue(nodes, { productTypes: types }).countries();
  };

  app.get('/host-pool/regions', { schema: S.HostPoolRegions, config: view }, async (request) => {
    const served = new Map<string, { info: GeoCountry; types: number[] }>();
    for (const [type, catalogue] of byType) {
      for (const c of await catalogue.countries()) {
        const entry = served.get(c.code) ?? { info: c, types: [] };
        entry.types.push(type);
        served.set(c.code, entry);
      }
    }
    const list = [...served.values()]
      .sort((a, b) => (a.info.code < b.info.code ? -1 : 1))
      .map(({ info, types }) => ({
        name_zh_cn: info.nameZhCn,
        name_en: info.nameEn,
        continent_code: info.continent,
        country_code: info.code,
        product_types: types.sort((a, b) => a - b),
      }));
    return ok({ list }, languageOf(request));
  });

  app.get('/ip/dcl4', { schema: S.AccountCities, config: view }, async (request) => {
    const countries = await accountCountries(request, request.query.username);
    const list = countries.flatMap((c) =>
      c.cities.map((p) => ({ city: p.city, state: p.state, continent_code: c.continent, country_code: c.code })),
    );
    return ok({ list }, languageOf(request));
  });

  app.get('/ip/dsl4', { schema: S.AccountStates, config: view }, async (request) => {
    const countries = await accountCountries(request, request.query.username);
    const list = countries.flatMap((c) =>
      c.states.map((state) => ({ state, continent_code: c.continent, country_code: c.code })),
    );
    return ok({ list }, languageOf(request));
  });

  app.get('/ip/dal4', { schema: S.AccountAreas, config: view }, async (request) => {
    const countries = await accountCountries(request, request.query.username);
    const list = countries.map((c) => ({
      name_zh_cn: c.nameZhCn,
      name_en: c.nameEn,
      continent_code: c.continent,
      country_code: c.code,
      states: [...c.states],
      cities: c.cities.map((p) => ({ state: p.state, city: p.city })),
    }));
    return ok({ list }, languageOf(request));
  });

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
