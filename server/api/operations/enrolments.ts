import { AGENCIES } from '../../users/agencies.js';
import { objectIdSchema, placeCodeSchema, REFUSALS, type ApiOperation } from '../operation.js';

export const enrolmentOperations: ApiOperation[] = [
  {
    method: 'post',
    path: '/enrolments',
    tag: 'enrolments',
    summary: 'Log one enrolment at a village or small town in the caller’s area',
    description: 'Eligibility follows the campaign: age on the enrolment date between its minimum and maximum, residence in a village, nomadic area or town under its threshold.',
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
];
