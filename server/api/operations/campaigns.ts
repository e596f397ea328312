import { objectIdSchema, placeCodeSchema, REFUSALS, type ApiOperation, type JsonSchema } from '../operation.js';

const campaignId = { name: 'id', in: 'path' as const, required: true, description: 'The campaign.', schema: objectIdSchema };
const wholeNumber: JsonSchema = { oneOf: [{ type: 'integer', minimum: 0 }, { type: 'string', description: 'Digits, Persian or Latin.' }] };

const progressRow: JsonSchema = {
  type: 'object',
  properties: {
    place: { type: 'string' },
    name: { type: 'string' },
    level: { type: 'string' },
    population: { type: ['integer', 'null'] },
    target: { type: 'integer', description: 'The place’s own quota, or the sum of the quotas set below it.' },
    logged: { type: 'integer', description: 'Enrolments not rejected (verified ones included).' },
    verified: { type: 'integer' },
    percent: { type: 'number', description: 'logged / target × 100, one decimal; 0 without a target.' },
    verifiedPercent: { type: 'number' },
    expectedByToday: { type: 'integer', description: 'Where it should be by the end of today (Tehran): linear over the campaign, or by the quota’s monthly milestones.' },
    pace: { type: ['string', 'null'], enum: ['ahead', 'on-pace', 'behind', null] },
    trend: { type: 'array', items: { type: 'object', properties: { month: { type: 'string', example: '1403-05' }, logged: { type: 'integer' } } } },
    online: {
      type: 'object',
      description: 'Of the enrolments logged this Jalali month and last (not rejected), the percentage made online, one decimal; null for a month without any.',
      properties: { thisMonth: { type: ['number', 'null'] }, lastMonth: { type: ['number', 'null'] } },
    },
    excess: {
      type: ['object', 'null'],
      description: 'Set when the quotas set directly below the place add up to more than its own quota (a warning, as on the quota API).',
      properties: { placeCode: { type: 'string' }, target: { type: 'integer' }, below: { type: 'integer' } },
    },
    warning: { type: 'string', description: 'With `excess`: the same warning in words, in the reader’s language.' },
  },
};

export const campaignOperations: ApiOperation[] = [
  {
    method: 'post',
    path: '/campaigns',
    tag: 'campaigns',
    summary: 'Create a campaign of the caller’s province for a Jalali year (governor’s office, fund managers)',
    body: {
      type: 'object',
      required: ['name', 'province', 'year'],
      properties: {
        name: { type: 'string', maxLength: 200 },
        province: { type: 'string', pattern: '^\\d{2}$', example: '02' },
        year: { type: 'integer', minimum: 1390, maximum: 1500, example: 1403 },
        townThreshold: { type: 'integer', minimum: 1, description: 'Default SMALL_TOWN_THRESHOLD (20,000).' },
        minAge: { type: 'integer', default: 18 },
        maxAge: { type: 'integer', default: 50 },
        startsOn: { type: 'string', example: '1403/01/01', description: 'Jalali; default 1 Farvardin.' },
        endsOn: { type: 'string', example: '1403/12/30', description: 'Jalali, included; default the last day of Esfand.' },
        targetGroups: { type: 'array', items: { type: 'string', enum: ['villagers', 'farmers', 'nomads', 'craftspeople', 'vocational-trainees'] } },
      },
    },
    responses: { '201': { description: 'Created.', schema: { type: 'object', properties: { id: objectIdSchema } } }, ...REFUSALS },
  },
  {
    method: 'post',
    path: '/campaigns/{id}/allocations',
    tag: 'quotas',
    summary: 'Propose quotas: a total split over counties, districts, villages or small towns by population (nothing is saved)',
    description: 'Largest-remainder rounding: the proposed targets add up to the total exactly.',
    parameters: [campaignId],
    body: {
      type: 'object',
      required: ['level', 'total', 'basis'],
      properties: {
        level: { type: 'string', enum: ['county', 'district', 'village', 'town'] },
        total: wholeNumber,
        basis: { type: 'string', enum: ['population', 'rural_population'] },
        parent: { ...placeCodeSchema, description: 'Split within this place; default the whole province.' },
      },
    },
    responses: {
      '200': {
        description: 'The proposal.',
        schema: { type: 'object', properties: { quotas: { type: 'array', items: { type: 'object', properties: { place: { type: 'string' }, name: { type: 'string' }, weight: { type: ['number', 'null'] }, target: { type: 'integer' } } } } } },
      },
      ...REFUSALS,
      '404': { description: 'No such campaign.' },
      '422': { description: 'No places of that level in the area.' },
    },
  },
  {
    method: 'put',
    path: '/campaigns/{id}/quotas/{placeCode}',
    tag: 'quotas',
    summary: 'Set the quota of a village, district, small town, county or the province; the change is kept in its history',
    parameters: [campaignId, { name: 'placeCode', in: 'path', required: true, description: 'The holder’s place.', schema: placeCodeSchema }],
    body: {
      type: 'object',
      required: ['target'],
      properties: {
        target: wholeNumber,
        milestones: { type: 'array', items: { type: 'object', required: ['month', 'cumulativeTarget'], properties: { month: { type: 'string', example: '1403-05' }, cumulativeTarget: { type: 'integer' } } } },
        reason: { type: 'string', maxLength: 500 },
      },
    },
    responses: {
      '200': {
        description: 'Saved. `warning` is present when the target is below the enrolments already logged there (allowed).',
        schema: { type: 'object', properties: { place: { type: 'string' }, target: { type: 'integer' }, previous: { type: ['integer', 'null'] }, warning: { type: 'string' } } },
      },
      ...REFUSALS,
      '404': { description: 'No such campaign or place.' },
      '422': { description: 'The place holds no quota (a rural district, a town at or over the threshold), or the milestones are not cumulative.' },
    },
  },
  {
    method: 'get',
    path: '/campaigns/{id}/progress',
    tag: 'quotas',
    summary: 'Progress of a place and each place under it, from the maintained counters',
    parameters: [
      campaignId,
      { name: 'place', in: 'query', description: 'Default: the province for province-wide roles, otherwise the caller’s own place.', schema: placeCodeSchema },
      { name: 'behind', in: 'query', description: '`1`: only the children behind pace.', schema: { type: 'string', enum: ['1'] } },
    ],
    responses: {
      '200': { description: 'The place, with `children` in the same shape.', schema: { allOf: [progressRow, { type: 'object', properties: { children: { type: 'array', items: progressRow } } }] } },
      ...REFUSALS,
      '404': { description: 'No such campaign or place.' },
    },
  },
];
