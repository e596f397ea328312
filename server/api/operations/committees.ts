import { objectIdSchema, placeCodeSchema, REFUSALS, type ApiOperation, type JsonSchema } from '../operation.js';

const jalaliDate: JsonSchema = { type: 'string', example: '1397/05/03', description: 'Jalali date YYYY/MM/DD (Persian or Latin digits).' };
const agencyCode: JsonSchema = { type: 'string', pattern: '^[a-z][a-z0-9-]{1,39}$', example: 'rural-affairs', description: 'An agency of GET /agencies.' };
const created: JsonSchema = { type: 'object', required: ['id'], properties: { id: objectIdSchema } };
const committeeKind: JsonSchema = { type: 'string', enum: ['provincial-strategic', 'county-strategic', 'special-working-group', 'secretariat', 'ad-hoc', 'volunteer-working-group'] };
const jalaliDay: JsonSchema = { type: 'object', properties: { year: { type: 'integer' }, month: { type: 'integer' }, day: { type: 'integer' } } };
const deadline: JsonSchema = {
  oneOf: [
    { type: 'object', required: ['type', 'date'], properties: { type: { const: 'date' }, date: jalaliDate } },
    { type: 'object', required: ['type'], properties: { type: { const: 'within' }, months: { type: 'integer', minimum: 0 }, days: { type: 'integer', minimum: 0 } }, description: 'Counted from the day the resolution was communicated (the meeting day by default).' },
    { type: 'object', required: ['type'], properties: { type: { const: 'monthly' }, until: jalaliDate }, description: 'One due instance per Jalali month, due on its last day.' },
  ],
};
const resolutionStatus: JsonSchema = { type: 'string', enum: ['open', 'in-progress', 'done', 'cancelled'] };

export const committeeOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/agencies',
    tag: 'committees',
    summary: 'The register of executive agencies',
    responses: {
      '200': {
        description: 'Active agencies in the reader’s alphabetical order.',
        schema: { type: 'object', properties: { agencies: { type: 'array', items: { type: 'object', properties: { code: agencyCode, name: { type: 'string' }, nameFa: { type: 'string' }, nameEn: { type: 'string' }, email: { type: 'string' }, active: { type: 'boolean' } } } } } },
      },
      ...REFUSALS,
    },
  },
  {
    method: 'get',
    path: '/committees',
    tag: 'committees',
    summary: 'Committees at a place and below',
    parameters: [
      { name: 'place', in: 'query', description: 'Defaults to the caller’s own place.', schema: placeCodeSchema },
      { name: 'kind', in: 'query', description: 'Only committees of this kind.', schema: committeeKind },
    ],
    responses: {
      '200': { description: 'The committees.', schema: { type: 'array', items: { type: 'object', properties: { id: objectIdSchema, kind: committeeKind, name: { type: 'string' }, place: placeCodeSchema, meetsMonthly: { type: 'boolean' } } } } },
      ...REFUSALS,
    },
  },
  {
    method: 'post',
    path: '/committees',
    tag: 'committees',
    summary: 'Set up a committee (governor’s office, or a county governor in their county)',
    body: {
      type: 'object',
      required: ['kind', 'place', 'name', 'meetsMonthly'],
      properties: {
        kind: committeeKind,
        place: placeCodeSchema,
        name: { type: 'string' },
        meetsMonthly: { type: 'boolean' },
        chair: { type: 'object', properties: { name: { type: 'string' }, email: { type: 'string' } } },
        members: { type: 'array', items: { type: 'object', properties: { kind: { enum: ['person', 'agency'] }, name: { type: 'string' }, email: { type: 'string' }, agency: agencyCode } } },
        reportsTo: objectIdSchema,
        reportsToText: { type: 'string' },
      },
    },
    responses: { '201': { description: 'Created.', schema: created }, ...REFUSALS, '409': { description: 'The county already has its strategic committee.' } },
  },
  {
    method: 'get',
    path: '/committees/compliance',
    tag: 'committees',
    summary: 'Monthly meeting compliance of the committees that must meet monthly',
    parameters: [
      { name: 'place', in: 'query', description: 'A county, or a province for all its committees side by side.', schema: placeCodeSchema },
      { name: 'year', in: 'query', description: 'Jalali year; the current one by default.', schema: { type: 'integer', example: 1405 } },
    ],
    responses: {
      '200': {
        description: 'One row per committee, twelve months each: held, scheduled, missed, due (this month, nothing yet) or notDue.',
        schema: {
          type: 'object',
          properties: {
            year: { type: 'integer' },
            place: placeCodeSchema,
            committees: { type: 'array', items: { type: 'object', properties: { id: objectIdSchema, name: { type: 'string' }, place: placeCodeSchema, months: { type: 'array', items: { type: 'object', properties: { month: { type: 'integer' }, state: { enum: ['held', 'scheduled', 'missed', 'due', 'notDue'] } } } } } } },
          },
        },
      },
      ...REFUSALS,
    },
  },
  {
    method: 'post',
    path: '/committees/{id}/meetings',
    tag: 'committees',
    summary: 'Schedule a meeting (the chair’s office); members are invited by e-mail with an ICS entry',
    parameters: [{ name: 'id', in: 'path', required: true, description: 'The committee.', schema: objectIdSchema }],
    body: {
      type: 'object',
      required: ['startsAt', 'location'],
      properties: {
        startsAt: { type: 'string', description: 'ISO 8601 instant, or Tehran wall-clock Jalali `1405/09/30 10:00`. Must be in the future.' },
        location: { type: 'string' },
        agenda: { type: 'string' },
        durationMinutes: { type: 'integer', minimum: 15, maximum: 600 },
      },
    },
    responses: { '201': { description: 'Scheduled.', schema: created }, ...REFUSALS },
  },
  {
    method: 'post',
    path: '/meetings/{id}/resolutions',
    tag: 'committees',
    summary: 'Record a resolution of a meeting, numbered within it',
    parameters: [{ name: 'id', in: 'path', required: true, description: 'The meeting.', schema: objectIdSchema }],
    body: {
      type: 'object',
      required: ['text', 'agency', 'deadline'],
      properties: {
        text: { type: 'string' },
        agency: agencyCode,
        collaborators: { type: 'array', items: agencyCode },
        targetGroup: { enum: ['villagers', 'farmers', 'nomads', 'craftspeople', 'vocational-trainees'] },
        policyAxis: { type: 'string', description: 'An axis code of GET /policy-axes (e.g. axis-1).' },
        topics: { type: 'array', items: { type: 'string' }, description: 'Field-problem topics it addresses (GET /field-problems/topics).' },
        deadline,
        communicatedOn: jalaliDate,
      },
    },
    responses: { '201': { description: 'Recorded.', schema: { type: 'object', properties: { id: objectIdSchema, number: { type: 'integer' } } } }, ...REFUSALS, '409': { description: 'The meeting was cancelled.' } },
  },
  {
    method: 'get',
    path: '/resolutions',
    tag: 'committees',
    summary: 'Resolutions in the caller’s area with their state today (overdue derived from the dates)',
    parameters: [
      { name: 'agency', in: 'query', description: 'Responsible agency.', schema: agencyCode },
      { name: 'status', in: 'query', description: 'A recorded status, or overdue.', schema: { enum: ['open', 'in-progress', 'done', 'cancelled', 'overdue'] } },
      { name: 'committee', in: 'query', description: 'The committee that passed them.', schema: objectIdSchema },
      { name: 'due', in: 'query', description: '`this-month`: only those with a period due this Jalali month.', schema: { const: 'this-month' } },
    ],
    responses: {
      '200': {
        description: 'Overdue first, then by next due date.',
        schema: {
          type: 'object',
          properties: {
            resolutions: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  id: objectIdSchema,
                  meeting: objectIdSchema,
                  committee: objectIdSchema,
                  number: { type: 'integer' },
                  text: { type: 'string' },
                  agency: agencyCode,
                  collaborators: { type: 'array', items: agencyCode },
                  deadline,
                  communicatedOn: jalaliDay,
                  dueOn: { oneOf: [jalaliDay, { type: 'null' }] },
                  status: resolutionStatus,
                  state: { enum: ['open', 'in-progress', 'done', 'cancelled', 'overdue'] },
                  progress: { type: 'integer' },
                  instances: { type: 'array', items: { type: 'object', properties: { period: { type: 'string' }, due: jalaliDay, doneOn: { oneOf: [jalaliDay, { type: 'null' }] }, state: { enum: ['open', 'overdue', 'done', 'done-late', 'cancelled'] } } } },
                  nextDue: { oneOf: [jalaliDay, { type: 'null' }] },
                  lastUpdateAt: { type: 'string', format: 'date-time' },
                },
              },
            },
          },
        },
      },
      ...REFUSALS,
    },
  },
  {
    method: 'post',
    path: '/resolutions/{id}/updates',
    tag: 'committees',
    summary: 'Post a progress update (officers of the responsible agency; the governor’s office may cancel)',
    description: '`status: done` closes a one-off commitment, or delivers the oldest outstanding month (or `period`) of a monthly one.',
    parameters: [{ name: 'id', in: 'path', required: true, description: 'The resolution.', schema: objectIdSchema }],
    body: { type: 'object', required: ['text'], properties: { text: { type: 'string' }, progress: { type: 'integer', minimum: 0, maximum: 100 }, status: resolutionStatus, period: { type: 'string', pattern: '^\\d{4}-\\d{2}$' } } },
    responses: { '201': { description: 'Recorded.', schema: created }, ...REFUSALS, '409': { description: 'The resolution is cancelled.' } },
  },
];
