import { objectIdSchema, REFUSALS, type ApiOperation, type JsonSchema } from '../operation.js';

const run: JsonSchema = {
  type: 'object',
  properties: {
    id: objectIdSchema,
    job: { type: 'string', enum: ['reminders', 'monthly-report', 'rebuild-counters'] },
    scheduledFor: { type: 'string', format: 'date-time', description: 'The schedule’s tick (or the run-now request); also the run’s clock.' },
    trigger: { type: 'string', enum: ['schedule', 'manual'] },
    requestedBy: { type: 'string' },
    status: { type: 'string', enum: ['running', 'succeeded', 'failed'] },
    startedAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: ['string', 'null'], format: 'date-time' },
    attempts: { type: 'integer', description: 'More than 1 when a run whose process died was picked up again.' },
    counts: { type: 'object', additionalProperties: { type: 'integer' }, description: 'e.g. recorded, queued, digests, optedOut, noAddress, snapshots.' },
    phasesDone: { type: 'array', items: { type: 'string' }, description: 'The checkpoint: phases a resumed run does not redo.' },
    error: { type: 'string' },
  },
};

const quotaFigures: JsonSchema = {
  type: 'object',
  properties: {
    target: { type: 'integer' },
    logged: { type: 'integer' },
    verified: { type: 'integer' },
    percent: { type: 'number' },
    expected: { type: 'integer' },
    pace: { type: ['string', 'null'], enum: ['ahead', 'on-pace', 'behind', null] },
    loggedThisMonth: { type: 'integer' },
    percentChange: { type: 'number', description: 'Percentage points since the end of the previous month.' },
  },
};

const message: JsonSchema = {
  type: 'object',
  properties: {
    id: objectIdSchema,
    to: { type: 'string' },
    subject: { type: 'string' },
    kind: { type: 'string' },
    dedupeKey: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'sending', 'sent', 'failed'] },
    attempts: { type: 'integer' },
    nextAttemptAt: { type: ['string', 'null'], format: 'date-time' },
    lastError: { type: ['string', 'null'] },
    sentAt: { type: ['string', 'null'], format: 'date-time' },
    messageId: { type: ['string', 'null'], description: 'The RFC 5322 Message-ID, the same on every attempt.' },
    attachments: { type: 'array', items: { type: 'object', properties: { filename: { type: 'string' }, contentType: { type: 'string' } } } },
    createdAt: { type: 'string', format: 'date-time' },
  },
};

const governorOnly = 'The governor’s office only.';

export const jobOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/jobs',
    tag: 'jobs',
    summary: 'The scheduled jobs (node-cron, Asia/Tehran) and their latest runs',
    description: governorOnly,
    responses: {
      '200': { description: 'Jobs and runs, newest first.', schema: { type: 'object', properties: { jobs: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, schedule: { type: 'string' }, timeZone: { type: 'string' } } } }, runs: { type: 'array', items: run } } } },
      ...REFUSALS,
    },
  },
  {
    method: 'post',
    path: '/jobs/{name}/run',
    tag: 'jobs',
    summary: 'Run a job now',
    description: `${governorOnly} The run goes on in the background; follow it with GET /jobs/runs/{runId}. Refused while the job runs in any instance.`,
    parameters: [{ name: 'name', in: 'path', required: true, description: 'reminders, monthly-report or rebuild-counters.', schema: { type: 'string' } }],
    responses: {
      '202': { description: 'Started.', schema: { type: 'object', required: ['runId'], properties: { runId: objectIdSchema } } },
      ...REFUSALS,
      '404': { description: 'No such job.' },
      '409': { description: 'The job is running now (code `jobRunning`); it is neither queued nor run twice.' },
    },
  },
  {
    method: 'get',
    path: '/jobs/runs/{runId}',
    tag: 'jobs',
    summary: 'One run: status, counts, checkpoint',
    description: governorOnly,
    parameters: [{ name: 'runId', in: 'path', required: true, description: 'As returned by POST /jobs/{name}/run.', schema: objectIdSchema }],
    responses: { '200': { description: 'The run.', schema: run }, ...REFUSALS, '404': { description: 'No such run.' } },
  },
  {
    method: 'get',
    path: '/reports/provincial',
    tag: 'reports',
    summary: 'The monthly provincial progress report of a Jalali month',
    description: 'Governor’s office and fund managers of the province. The stored snapshot of a closed month (`snapshot: true`), or a preview computed now (`snapshot: false`) for the running month or a closed one not snapshotted yet.',
    parameters: [
      { name: 'province', in: 'query', required: true, description: 'Two-digit province code.', schema: { type: 'string', pattern: '^\\d{2}$', example: '02' } },
      { name: 'month', in: 'query', required: true, description: 'Jalali year-month.', schema: { type: 'string', pattern: '^\\d{4}-\\d{2}$', example: '1404-06' } },
    ],
    responses: {
      '200': {
        description: 'The report.',
        schema: {
          type: 'object',
          properties: {
            snapshot: { type: 'boolean' },
            generatedAt: { type: ['string', 'null'], format: 'date-time' },
            province: { type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' } } },
            month: { type: 'string' },
            asOf: { type: 'string', format: 'date-time' },
            closed: { type: 'boolean' },
            campaign: { type: ['object', 'null'] },
            totals: quotaFigures,
            counties: { type: 'array', items: { allOf: [quotaFigures, { type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' } } }] } },
            smallTowns: { type: 'array', items: { allOf: [quotaFigures, { type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' }, county: { type: 'string' }, population: { type: ['integer', 'null'] } } }] } },
            compliance: { type: 'array', items: { type: 'object', properties: { committee: { type: 'string' }, place: { type: 'string' }, placeName: { type: 'string' }, state: { type: 'string' }, heldThisYear: { type: 'integer' }, missedThisYear: { type: 'integer' } } } },
            commitments: { type: 'array', items: { type: 'object', properties: { agency: { type: 'string' }, name: { type: 'object' }, owed: { type: 'integer' }, done: { type: 'integer' }, onTime: { type: 'integer' }, overdue: { type: 'integer' }, open: { type: 'integer' } } } },
          },
        },
      },
      ...REFUSALS,
      '404': { description: 'A month that has not begun, or a province that does not exist.' },
    },
  },
  {
    method: 'get',
    path: '/outbox',
    tag: 'outbox',
    summary: 'The email outbox, newest first',
    description: 'The governor’s office reads its province’s mail; the installation administrator the installation-level mail (province 00) and mail addressed to them.',
    parameters: [
      { name: 'status', in: 'query', description: 'pending, sending, sent or failed.', schema: { type: 'string', enum: ['pending', 'sending', 'sent', 'failed'] } },
      { name: 'limit', in: 'query', description: 'At most this many (1–500, default 100).', schema: { type: 'integer' } },
    ],
    responses: { '200': { description: 'Messages (bodies and attachment contents left out).', schema: { type: 'object', properties: { messages: { type: 'array', items: message } } } }, ...REFUSALS },
  },
];
