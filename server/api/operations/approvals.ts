import { placeCodeSchema, REFUSALS, type ApiOperation } from '../operation.js';

const month = { type: 'string', pattern: '^\\d{4}-\\d{1,2}$', example: '1404-07', description: 'Jalali month.' };
const figures = { type: 'object', properties: { logged: { type: 'integer' }, verified: { type: 'integer' } } };
const placeSignOff = {
  type: 'object',
  properties: { place: { type: 'string' }, approved: { type: 'boolean' }, approvedBy: { type: 'string' }, approvedAt: { type: 'string', format: 'date-time' }, withdrawnReason: { type: 'string' }, approvedFigures: figures, current: figures, afterApproval: figures },
};
const conflicts = { '409': { description: 'The month is not over, already approved, counties still pending, or (withdrawal) the province approved over the county.' } };

export const approvalOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/approvals',
    tag: 'approvals',
    summary: 'Where a province stands in the monthly sign-off: each county, the province, and what came in after approval',
    parameters: [
      { name: 'province', in: 'query', description: 'Defaults to the caller’s.', schema: placeCodeSchema },
      { name: 'month', in: 'query', description: 'Defaults to last month.', schema: month },
    ],
    responses: { '200': { description: 'The sign-off; `final` once the province is approved.', schema: { type: 'object', properties: { month: { type: 'string' }, final: { type: 'boolean' }, province: placeSignOff, counties: { type: 'array', items: placeSignOff } } } }, ...REFUSALS },
  },
  {
    method: 'post',
    path: '/approvals',
    tag: 'approvals',
    summary: 'Approve a county’s (county governor, fund manager) or the province’s (fund manager, after every county) figures of a month',
    body: { type: 'object', required: ['place', 'month'], properties: { place: placeCodeSchema, month } },
    responses: { '201': { description: 'Approved; the figures are frozen. A province’s approval mails the report as final.', schema: { type: 'object', properties: { place: { type: 'string' }, month: { type: 'string' }, status: { type: 'string' }, figures } } }, ...REFUSALS, ...conflicts },
  },
  {
    method: 'post',
    path: '/approvals/withdraw',
    tag: 'approvals',
    summary: 'Reopen a county’s approval, with a reason (the province’s fund manager)',
    body: { type: 'object', required: ['place', 'month', 'reason'], properties: { place: placeCodeSchema, month, reason: { type: 'string' } } },
    responses: { '200': { description: 'Reopened.', schema: { type: 'object', properties: { place: { type: 'string' }, month: { type: 'string' }, status: { type: 'string' } } } }, ...REFUSALS, ...conflicts },
  },
];
