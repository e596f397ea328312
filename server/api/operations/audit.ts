import { placeCodeSchema, REFUSALS, type ApiOperation } from '../operation.js';

const event = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    sentence: { type: 'string', description: 'What happened, in the caller’s language.' },
    action: { type: 'string', enum: ['create', 'update', 'delete', 'sign-in', 'sign-in-failed', 'export', 'download', 'retention'] },
    subject: { type: 'string', description: 'The collection of the object (`enrolments`, `quotas`, …), or `sessions`, `audit_events` for events without one.' },
    documentId: { type: 'string' },
    place: { type: 'string', description: 'Code of the object’s place.' },
    actor: { type: 'object', properties: { kind: { type: 'string', enum: ['user', 'visitor', 'job', 'system'] }, username: { type: 'string' }, role: { type: 'string' }, job: { type: 'string' }, run: { type: 'string' }, name: { type: 'string' } } },
    changes: {
      type: 'array',
      items: { type: 'object', properties: { field: { type: 'string' }, label: { type: 'string' }, before: { type: 'string' }, after: { type: 'string' }, redacted: { type: 'boolean', description: 'A password or token: that it changed, never its value.' } } },
    },
  },
};

export const auditOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/audit',
    tag: 'audit',
    summary: 'Search the audit trail of the caller’s area, newest first, 50 a page (governor’s office, fund managers)',
    description: 'National IDs and mobiles are masked (all but the last four digits) for roles that may not see them.',
    parameters: [
      { name: 'place', in: 'query', description: 'Only events at this place or under it.', schema: placeCodeSchema },
      { name: 'user', in: 'query', description: 'Only what this username did.', schema: { type: 'string' } },
      { name: 'subject', in: 'query', description: 'Only this kind of object (its collection, e.g. `enrolments`).', schema: { type: 'string' } },
      { name: 'from', in: 'query', description: 'First Jalali day, e.g. 1404/07/01 (Tehran).', schema: { type: 'string' } },
      { name: 'to', in: 'query', description: 'Last Jalali day, included.', schema: { type: 'string' } },
      { name: 'page', in: 'query', description: 'Page, from 1.', schema: { type: 'integer', minimum: 1 } },
    ],
    responses: {
      '200': { description: 'One page of events.', schema: { type: 'object', properties: { events: { type: 'array', items: event }, total: { type: 'integer' }, page: { type: 'integer' }, pages: { type: 'integer' } } } },
      ...REFUSALS,
    },
  },
];
