import { objectIdSchema, REFUSALS, type ApiOperation, type JsonSchema } from '../operation.js';

const jalaliDate: JsonSchema = { type: 'string', example: '1404/08/24', description: 'Jalali date YYYY/MM/DD (Persian or Latin digits).' };
const agencyCode: JsonSchema = { type: 'string', pattern: '^[a-z][a-z0-9-]{1,39}$', example: 'fund' };
const deadline: JsonSchema = { type: 'object', required: ['type'], description: 'As for resolutions: `{ type: "date", date }`, `{ type: "within", months?, days? }` (from adoption) or `{ type: "monthly", until? }`.' };
const idParam = { name: 'id', in: 'path' as const, required: true, description: 'The agreement.', schema: objectIdSchema };
const clauseBody: JsonSchema = {
  type: 'object',
  required: ['text', 'agency', 'deadline'],
  properties: { text: { type: 'string' }, agency: agencyCode, deadline, policyAxis: { type: 'string', description: 'An axis code of GET /policy-axes.' }, topics: { type: 'array', items: { type: 'string' } } },
};

export const agreementOperations: ApiOperation[] = [
  { method: 'get', path: '/agreements', tag: 'agreements', summary: 'The province’s agreements', responses: { '200': { description: 'Agreements.', schema: { type: 'object', properties: { agreements: { type: 'array', items: { type: 'object' } } } } }, ...REFUSALS } },
  {
    method: 'post',
    path: '/agreements',
    tag: 'agreements',
    summary: 'Record an agreement (governor’s office); its volunteers’ working group is set up with it',
    body: { type: 'object', required: ['title', 'parties', 'signedOn', 'level'], properties: { title: { type: 'string' }, parties: { type: 'array', items: { type: 'string' }, minItems: 2 }, signedOn: jalaliDate, level: { enum: ['province', 'country'] }, groupSize: { type: 'integer', minimum: 1 }, smallTownThreshold: { type: 'integer', minimum: 1 } } },
    responses: { '201': { description: 'Recorded.', schema: { type: 'object', properties: { id: objectIdSchema, workingGroup: objectIdSchema } } }, ...REFUSALS },
  },
  {
    method: 'get',
    path: '/agreements/{id}',
    tag: 'agreements',
    summary: 'An agreement: clauses with their commitments’ state, proposals, volunteers, and the effect on each clause’s topics (quarters before and after adoption)',
    parameters: [idParam],
    responses: { '200': { description: 'The agreement.', schema: { type: 'object', properties: { clauses: { type: 'array', items: { type: 'object' } }, proposals: { type: 'array', items: { type: 'object' } }, effects: { type: 'array', items: { type: 'object' } }, volunteers: { type: 'array', items: { type: 'object' } } } } }, ...REFUSALS, '404': { description: 'No such agreement.' } },
  },
  {
    method: 'put',
    path: '/agreements/{id}/volunteers',
    tag: 'agreements',
    summary: 'Name the working group’s volunteers: mayors’ usernames of towns under the agreement’s threshold, at most its group size',
    parameters: [idParam],
    body: { type: 'object', required: ['volunteers'], properties: { volunteers: { type: 'array', items: { type: 'string' } } } },
    responses: { '200': { description: 'Saved.', schema: { type: 'object', properties: { workingGroup: objectIdSchema, volunteers: { type: 'array', items: { type: 'string' } } } } }, ...REFUSALS },
  },
  {
    method: 'post',
    path: '/agreements/{id}/clauses',
    tag: 'agreements',
    summary: 'Add a clause directly (governor’s office): it becomes a commitment with its deadline, updates and reminders',
    parameters: [idParam],
    body: { ...clauseBody, properties: { ...(clauseBody.properties as object), reason: { type: 'string' }, communicatedOn: jalaliDate } },
    responses: { '201': { description: 'Added.', schema: { type: 'object', properties: { number: { type: 'integer' }, commitment: objectIdSchema } } }, ...REFUSALS },
  },
  {
    method: 'post',
    path: '/agreements/{id}/proposals',
    tag: 'agreements',
    summary: 'Propose a clause from field problems (a volunteer of the working group, or the governor’s office)',
    parameters: [idParam],
    body: { ...clauseBody, properties: { ...(clauseBody.properties as object), problems: { type: 'array', items: objectIdSchema } } },
    responses: { '201': { description: 'Proposed.', schema: { type: 'object', properties: { id: objectIdSchema, topics: { type: 'array', items: { type: 'string' } }, raisedBy: { type: 'array', items: { type: 'string' } } } } }, ...REFUSALS },
  },
  {
    method: 'post',
    path: '/proposals/{id}/decision',
    tag: 'agreements',
    summary: 'Adopt (it becomes the next clause and a commitment) or decline with a reason (governor’s office)',
    parameters: [{ name: 'id', in: 'path', required: true, description: 'The proposal.', schema: objectIdSchema }],
    body: { type: 'object', required: ['decision'], properties: { decision: { enum: ['adopt', 'decline'] }, reason: { type: 'string', description: 'Required to decline.' } } },
    responses: { '200': { description: 'Decided.', schema: { type: 'object', properties: { id: objectIdSchema, state: { enum: ['adopted', 'declined'] }, clause: { type: 'integer' }, commitment: objectIdSchema } } }, ...REFUSALS, '409': { description: 'Already decided.' } },
  },
  { method: 'get', path: '/policy-axes', tag: 'agreements', summary: 'The province’s list of policy axes', responses: { '200': { description: 'Axes.', schema: { type: 'object', properties: { axes: { type: 'array', items: { type: 'object', properties: { code: { type: 'string' }, number: { type: 'integer' }, name: { type: 'string' } } } } } } }, ...REFUSALS } },
  {
    method: 'post',
    path: '/policy-axes',
    tag: 'agreements',
    summary: 'Add an axis to the list a secretariat committee keeps (governor’s office)',
    body: { type: 'object', required: ['secretariat', 'name'], properties: { secretariat: objectIdSchema, name: { type: 'string' } } },
    responses: { '201': { description: 'Added.', schema: { type: 'object', properties: { code: { type: 'string' }, number: { type: 'integer' } } } }, ...REFUSALS },
  },
  {
    method: 'get',
    path: '/policy-axes/{code}',
    tag: 'agreements',
    summary: 'One axis: its commitments (resolutions and clauses) in the caller’s area, their state and how many are overdue',
    parameters: [{ name: 'code', in: 'path', required: true, description: 'The axis code.', schema: { type: 'string' } }],
    responses: { '200': { description: 'The axis.', schema: { type: 'object', properties: { code: { type: 'string' }, overdue: { type: 'integer' }, byState: { type: 'object' }, commitments: { type: 'array', items: { type: 'object' } } } } }, ...REFUSALS, '404': { description: 'No such axis.' } },
  },
];
