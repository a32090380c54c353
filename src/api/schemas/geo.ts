/** Route schemas of the geo catalogue (`ip/dynamic-citys`, `ip/dynamic-states` and their searches), as the documents show them. */
import { Type } from '@sinclair/typebox';
import { CustomerCommon, Envelope } from './common.js';

const CountryCode = Type.String({ description: 'ISO 3166-1 alpha-2 country code, any case', examples: ['US'] });
const ContinentCode = Type.String({ description: 'Continent: AF, AN, AS, EU, NA, OC or SA', examples: ['NA'] });

const countryFields = {
  name_zh_cn: Type.String({ description: 'Country name in Simplified Chinese', examples: ['美国'] }),
  name_en: Type.String({ description: 'Country name in English', examples: ['United States'] }),
  continent_code: ContinentCode,
  country_code: CountryCode,
};

export const CityItem = Type.Object({
  city: Type.String({ description: 'City, lower case without spaces, as the proxy username takes it', examples: ['losangeles'] }),
  state: Type.String({ description: "State or province, lower case; '' when the exit names none", examples: ['ca'] }),
  continent_code: ContinentCode,
  country_code: CountryCode,
});

export const StateItem = Type.Object({
  state: Type.String({ description: 'State or province, lower case', examples: ['ca'] }),
  continent_code: ContinentCode,
  country_code: CountryCode,
});

const description =
  'Countries the exit pool serves now (enabled exits of product type 9 or 11), in ISO code order; ' +
  'names from the countries-list (English) and i18n-iso-countries (Chinese) packages.';

export const DynamicCitys = {
  summary: 'Countries with their cities',
  description,
  tags: ['geo'],
  querystring: Type.Object({ ...CustomerCommon }),
  response: {
    200: Envelope(
      Type.Object({
        list: Type.Array(
          Type.Object({ ...countryFields, items: Type.Array(CityItem, { description: 'One per (state, city)' }) }),
        ),
      }),
    ),
  },
};

export const DynamicStates = {
  summary: 'Countries with their states',
  description,
  tags: ['geo'],
  querystring: Type.Object({ ...CustomerCommon }),
  response: {
    200: Envelope(
      Type.Object({
        list: Type.Array(Type.Object({ ...countryFields, items: Type.Array(StateItem, { description: 'One per state' }) })),
      }),
    ),
  },
};

const CountryCodeParam = Type.String({
  description: 'ISO 3166-1 alpha-2 country code, any case',
  examples: ['US'],
  maxLength: 16,
});

const NameList = Envelope(Type.Object({ list: Type.Array(Type.String()) }));

export const DynamicCitysSearch = {
  summary: 'Cities of a state',
  description: 'Served cities of the state, sorted; an unserved country or state gives an empty list.',
  tags: ['geo'],
  querystring: Type.Object({
    ...CustomerCommon,
    country_code: CountryCodeParam,
    state: Type.String({ description: 'State or province code, any case', examples: ['ca'], maxLength: 256 }),
  }),
  response: { 200: NameList },
};

export const DynamicStatesSearch = {
  summary: 'States of a country',
  description: 'Served states of the country, sorted; an unserved country gives an empty list.',
  tags: ['geo'],
  querystring: Type.Object({
    ...CustomerCommon,
    country_code: CountryCodeParam,
  }),
  response: { 200: NameList },
};

export const HostPoolRegions = {
  summary: 'Countries the exit pools serve',
  description:
    'Every country an enabled exit node of a pool serves (dynamic residential: 9, 11; datacenter: 12), in ISO code order, with the product types served there. Static IPs are listed by static-ip-region.',
  tags: ['geo'],
  querystring: Type.Object({ ...CustomerCommon }),
  response: {
    200: Envelope(
      Type.Object({
        list: Type.Array(
          Type.Object({ ...countryFields, product_types: Type.Array(Type.Integer(), { description: 'Types served there' }) }),
        ),
      }),
    ),
  },
};

const Username = Type.String({ minLength: 1, maxLength: 64, description: 'One of your proxy accounts (whitelist-account/list)' });

const accountDescription =
  'What the exits of this proxy account’s product type serve now (every product type you have an account of that name in). Types without pool exits (static IPs 14, 25) have none: their places are their IPs. Unknown account: code 2001.';

export const AccountCities = {
  summary: 'Cities available to one proxy account',
  description: accountDescription,
  tags: ['geo'],
  querystring: Type.Object({ ...CustomerCommon, username: Username }),
  response: { 200: Envelope(Type.Object({ list: Type.Array(CityItem) })) },
};

export const AccountStates = {
  summary: 'States available to one proxy account',
  description: accountDescription,
  tags: ['geo'],
  querystring: Type.Object({ ...CustomerCommon, username: Username }),
  response: { 200: Envelope(Type.Object({ list: Type.Array(StateItem) })) },
};

export const AccountAreas = {
  summary: 'Countries, states and cities available to one proxy account',
  description: accountDescription,
  tags: ['geo'],
  querystring: Type.Object({ ...CustomerCommon, username: Username }),
  response: {
    200: Envelope(
      Type.Object({
        list: Type.Array(
          Type.Object({
            ...countryFields,
            states: Type.Array(Type.String(), { description: 'Served states, sorted' }),
            cities: Type.Array(Type.Object({ state: Type.String(), city: Type.String() }), { description: 'Served places' }),
          }),
        ),
      }),
    ),
  },
};
