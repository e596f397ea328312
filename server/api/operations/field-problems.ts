import { objectIdSchema, placeCodeSchema, REFUSALS, type ApiOperation, type JsonSchema } from '../operation.js';

const topicCode: JsonSchema = { type: 'string', pattern: '^[a-z][a-z0-9-]{1,39}$', example: 'no-internet', description: 'A topic of GET /field-problems/topics.' };
const figures: JsonSchema = { type: 'object', properties: { reports: { type: 'integer' }, places: { type: 'integer' }, people: { type: 'integer' } } };
const threadSummary: JsonSchema = {
  type: 'object',
  properties: { id: objectIdSchema, topic: topicCode, otherText: { type: 'string' }, description: { type: 'string' }, placeCode: placeCodeSchema, by: { type: 'string' }, reportedAt: { type: 'string', format: 'date-time' }, places: { type: 'integer' }, people: { type: 'integer' }, reportedHere: { type: 'boolean' } },
};
const idParam = { name: 'id', in: 'path' as const, required: true, description: 'The problem (its first report).', schema: objectIdSchema };

export const fieldProblemOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/field-problems',
    tag: 'field problems',
    summary: 'Problems of the caller’s area (their county, or the province for province-wide roles), most widely reported first',
    parameters: [
      { name: 'topic', in: 'query', description: 'Only this topic.', schema: topicCode },
      { name: 'place', in: 'query', description: 'Only this place and below.', schema: placeCodeSchema },
    ],
    responses: { '200': { description: 'The problems.', schema: { type: 'object', properties: { problems: { type: 'array', items: threadSummary } } } }, ...REFUSALS },
  },
  {
    method: 'post',
    path: '/field-problems',
    tag: 'field problems',
    summary: 'Log a problem at the caller’s place (village head, mayor, district or county governor, agency officer)',
    description: 'JSON, or multipart/form-data with an optional `attachment` (PDF, PNG or JPEG, at most 2 MB).',
    body: { type: 'object', required: ['topic', 'affected'], properties: { topic: topicCode, otherText: { type: 'string', maxLength: 200, description: 'Required when topic is `other`.' }, description: { type: 'string', maxLength: 2000 }, affected: { type: 'integer', minimum: 0 } } },
    responses: { '201': { description: 'Logged.', schema: { type: 'object', properties: { id: objectIdSchema } } }, ...REFUSALS },
  },
  {
    method: 'get',
    path: '/field-problems/{id}',
    tag: 'field problems',
    summary: 'One problem with every report of it',
    parameters: [idParam],
    responses: { '200': { description: 'The problem.', schema: { type: 'object', properties: { id: objectIdSchema, topic: topicCode, places: { type: 'integer' }, people: { type: 'integer' }, reports: { type: 'array', items: { type: 'object' } } } } }, ...REFUSALS, '404': { description: 'No such problem.' } },
  },
  {
    method: 'post',
    path: '/field-problems/{id}/same',
    tag: 'field problems',
    summary: '"We have this too": the caller’s place reports the same problem (once per place)',
    parameters: [idParam],
    body: { type: 'object', required: ['affected'], properties: { affected: { type: 'integer', minimum: 0 }, description: { type: 'string', maxLength: 2000 } } },
    responses: { '201': { description: 'Recorded.', schema: { type: 'object', properties: { id: objectIdSchema } } }, ...REFUSALS, '409': { description: 'The caller’s place has already reported it (`alreadyReported`).' } },
  },
  {
    method: 'get',
    path: '/field-problems/topics',
    tag: 'field problems',
    summary: 'The province’s topic list',
    responses: { '200': { description: 'Topics.', schema: { type: 'object', properties: { topics: { type: 'array', items: { type: 'object', properties: { code: topicCode, name: { type: 'string' }, active: { type: 'boolean' } } } } } } }, ...REFUSALS },
  },
  {
    method: 'post',
    path: '/field-problems/topics',
    tag: 'field problems',
    summary: 'Add a topic (governor’s office), optionally moving "other" problems into it',
    body: { type: 'object', required: ['code', 'nameFa', 'nameEn'], properties: { code: topicCode, nameFa: { type: 'string' }, nameEn: { type: 'string' }, fromOther: { type: 'array', items: objectIdSchema } } },
    responses: { '201': { description: 'Added.', schema: { type: 'object', properties: { code: topicCode } } }, ...REFUSALS, '409': { description: 'The code exists.' } },
  },
  {
    method: 'get',
    path: '/field-problems/trends',
    tag: 'field problems',
    summary: 'Topics ranked by places and people: this Jalali quarter so far against the same months last year, the month against the month before, a 12-month series, and what addresses each',
    parameters: [
      { name: 'place', in: 'query', description: 'The area (province or county); the caller’s area by default.', schema: placeCodeSchema },
      { name: 'month', in: 'query', description: 'Jalali month `YYYY-MM` to count through; the current month by default.', schema: { type: 'string', pattern: '^\\d{4}-\\d{2}$' } },
    ],
    responses: {
      '200': {
        description: 'The figures.',
        schema: {
          type: 'object',
          properties: {
            place: placeCodeSchema,
            quarter: { type: 'object', properties: { year: { type: 'integer' }, quarter: { type: 'integer' } } },
            total: { type: 'object', properties: { quarter: figures, lastYear: figures, month: figures, previousMonth: figures } },
            topics: { type: 'array', items: { type: 'object', properties: { topic: topicCode, quarter: figures, lastYear: figures, month: figures, previousMonth: figures, series: { type: 'array', items: { type: 'object' } }, addressedBy: { type: 'array', items: { type: 'object' } } } } },
          },
        },
      },
      ...REFUSALS,
    },
  },
];
