import { placeCodeSchema, REFUSALS, type ApiOperation, type JsonSchema } from '../operation.js';

const place: JsonSchema = {
  type: 'object',
  properties: {
    code: { type: 'string' },
    level: { type: 'string', enum: ['province', 'county', 'district', 'rural_district', 'city', 'village'] },
    name: { type: 'string' },
    parent: { type: ['string', 'null'] },
    ancestors: { type: 'array', items: { type: 'string' } },
    province: { type: 'string' },
    population: { type: ['integer', 'null'] },
    households: { type: ['integer', 'null'] },
    ruralPopulation: { type: ['integer', 'null'] },
    urbanPopulation: { type: ['integer', 'null'] },
    source: { type: 'string' },
  },
};

export const placeOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/places',
    tag: 'places',
    summary: 'The places under a parent, or those whose name starts with a query, in the caller’s area',
    parameters: [
      { name: 'parent', in: 'query', description: 'List the children of this place.', schema: placeCodeSchema },
      { name: 'q', in: 'query', description: 'A name prefix (however typed) or a code.', schema: { type: 'string' } },
    ],
    responses: { '200': { description: 'Places in Persian alphabetical order.', schema: { type: 'object', properties: { places: { type: 'array', items: place } } } }, ...REFUSALS },
  },
  {
    method: 'get',
    path: '/places/{code}',
    tag: 'places',
    summary: 'One place with its 1395 census figures',
    parameters: [{ name: 'code', in: 'path', required: true, description: 'SCI code.', schema: placeCodeSchema }],
    responses: { '200': { description: 'The place.', schema: place }, ...REFUSALS, '404': { description: 'No such place.' } },
  },
];
