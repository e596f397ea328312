import { AGENCIES } from '../../users/agencies.js';
import { objectIdSchema, placeCodeSchema, REFUSALS, type ApiOperation } from '../operation.js';

const IDEMPOTENCY_KEY_HEADER = {
  name: 'Idempotency-Key',
  in: 'header' as const,
  description: 'A key the client makes for this enrolment (a UUID; 8–100 letters, digits, - and _). Stored with the enrolment, unique in the province: the same key again answers with the first answer; the same key with a different body, or another user’s key, is 422 `idempotencyKeyReused`. A refused request stores nothing under its key.',
  schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{8,100}$' },
};

export const enrolmentOperations: ApiOperation[] = [
  {
    method: 'post',
    path: '/enrolments/batch',
    tag: 'enrolments',
    summary: 'Log up to 20 enrolments, each under its own Idempotency-Key (a phone’s offline queue)',
    description: 'Each item is answered as `POST /enrolments` with that key would answer it alone, in order: `{ idempotencyKey, status: 201, id, possibleDuplicate }` or `{ idempotencyKey, status, error: { code, message, fields? } }`. Sending the whole batch again after a lost reply makes nothing twice. Browsers may send it with the page session instead of a token, with the session’s CSRF token in `X-CSRF-Token`.',
    body: {
      type: 'object',
      required: ['items'],
      properties: {
        items: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'object', required: ['idempotencyKey', 'enrolment'], properties: { idempotencyKey: IDEMPOTENCY_KEY_HEADER.schema, enrolment: { type: 'object', description: 'The body of POST /enrolments.' } } } },
      },
    },
    responses: {
      '200': { description: 'One result per item.', schema: { type: 'object', properties: { results: { type: 'array', items: { type: 'object' } } } } },
      ...REFUSALS,
    },
  },
  {
    method: 'post',
    path: '/enrolments',
    tag: 'enrolments',
    summary: 'Log one enrolment at a village or small town in the caller’s area',
    description: 'Eligibility follows the campaign: age on the enrolment date between its minimum and maximum, residence in a village, nomadic area or town under its threshold. With an `Idempotency-Key`, a repeated request gets the first answer (the same id) and never a second enrolment.',
    parameters: [IDEMPOTENCY_KEY_HEADER],
    body: {
      type: 'object',
      required: ['nationalId', 'firstName', 'lastName', 'birthDate', 'sex', 'mobile', 'targetGroup', 'channel'],
      properties: {
        campaign: { ...objectIdSchema, description: 'The campaign (default the one campaign open today in the caller’s province).' },
        village: { ...placeCodeSchema, description: 'The village or small town (default the caller’s own).' },
        nationalId: { type: 'string', description: '10 digits with a valid check digit; Persian digits accepted.' },
        firstName: { type: 'string' },
        lastName: { type: 'string' },
        birthDate: { type: 'string', example: '1370/05/03', description: 'Jalali YYYY/MM/DD, Persian or Latin digits.' },
        sex: { type: 'string', enum: ['male', 'female'] },
        mobile: { type: 'string', example: '09121234567' },
        targetGroup: { type: 'string', enum: ['villagers', 'farmers', 'nomads', 'craftspeople', 'vocational-trainees'] },
        channel: { type: 'string', enum: ['online', 'in-person'] },
        inPersonReason: { type: 'string', enum: ['disability', 'asked', 'other'], description: 'Why in person (services are electronic first): required when `channel` is `in-person`, refused when it is `online`.' },
        referringAgency: { type: 'string', enum: [...AGENCIES] },
      },
    },
    responses: {
      '201': { description: 'Logged.', schema: { type: 'object', properties: { id: objectIdSchema } } },
      ...REFUSALS,
      '409': { description: 'This national ID is already enrolled in the province; the message names the place when the caller may see it.' },
      '422': { description: 'A field is invalid or the person is not eligible; `error.fields` names the field.' },
    },
  },
  {
    method: 'post',
    path: '/enrolments/{id}/verify',
    tag: 'enrolments',
    summary: 'Verify a logged enrolment (fund managers): it then counts as verified as well as logged',
    parameters: [{ name: 'id', in: 'path', required: true, description: 'The enrolment.', schema: objectIdSchema }],
    responses: {
      '200': { description: 'Verified.', schema: { type: 'object', properties: { id: objectIdSchema, status: { type: 'string', enum: ['verified'] } } } },
      ...REFUSALS,
      '404': { description: 'No such enrolment in the caller’s province.' },
      '409': { description: 'Already verified or rejected.' },
    },
  },
  {
    method: 'post',
    path: '/enrolments/{id}/reject',
    tag: 'enrolments',
    summary: 'Reject a logged or verified enrolment with a reason (fund managers); it stops counting. Final.',
    parameters: [{ name: 'id', in: 'path', required: true, description: 'The enrolment.', schema: objectIdSchema }],
    body: { type: 'object', required: ['reason'], properties: { reason: { type: 'string', minLength: 3, maxLength: 500 } } },
    responses: {
      '200': { description: 'Rejected.', schema: { type: 'object', properties: { id: objectIdSchema, status: { type: 'string', enum: ['rejected'] } } } },
      ...REFUSALS,
      '404': { description: 'No such enrolment in the caller’s province.' },
      '409': { description: 'Already rejected.' },
    },
  },
  {
    method: 'get',
    path: '/enrolments/imports/{id}',
    tag: 'enrolments',
    summary: 'How far an enrolment file import (uploaded on /enrolments/import) has gone, and why it failed if it did',
    description: 'A large file is imported in the background: `status` is `running` until it is `done` or `failed`. A failed import has `failure: { code, message }` (`database`: the database refused a chunk of rows; `unexpected`; `interrupted`: the server stopped under it), the message in the reader’s language. It saved whole rows only (each chunk of rows in one transaction); uploading the same file again resumes it without saving any row twice.',
    parameters: [{ name: 'id', in: 'path', required: true, description: 'The import (the id in its page’s address).', schema: objectIdSchema }],
    responses: {
      '200': {
        description: 'The import.',
        schema: {
          type: 'object',
          properties: {
            id: objectIdSchema,
            campaign: objectIdSchema,
            filename: { type: 'string' },
            status: { type: 'string', enum: ['running', 'done', 'failed'] },
            total: { type: 'integer' },
            processed: { type: 'integer' },
            saved: { type: 'integer' },
            alreadyImported: { type: 'integer' },
            problems: { type: 'integer', description: 'Rows not saved (their report is on the import page).' },
            createdAt: { type: 'string', format: 'date-time' },
            finishedAt: { type: 'string', format: 'date-time' },
            failure: { type: 'object', properties: { code: { type: 'string', enum: ['database', 'unexpected', 'interrupted'] }, message: { type: 'string' } } },
          },
        },
      },
      ...REFUSALS,
      '404': { description: 'No such import in the caller’s area.' },
    },
  },
];
