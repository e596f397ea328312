import { REFUSALS, type ApiOperation } from '../operation.js';

const month = { type: 'string', pattern: '^\\d{4}-\\d{1,2}$', example: '1404-07', description: 'Jalali month.' };
const provinceCode = { type: 'string', pattern: '^\\d{2}$', example: '03', description: 'SCI province code.' };
const figures = { type: 'object', properties: { logged: { type: 'integer' }, verified: { type: 'integer' } } };
const nullableInteger = { type: ['integer', 'null'] };
const provinceRow = {
  type: 'object',
  properties: {
    code: { type: 'string' },
    name: { type: 'string' },
    state: { type: 'string', enum: ['approved', 'pending', 'withdrawn', 'noCampaign'] },
    counties: { type: 'integer' },
    countiesApproved: { type: 'integer' },
    target: nullableInteger,
    logged: { ...nullableInteger, description: 'Approved (frozen) figure; null until the province approves.' },
    verified: nullableInteger,
    percent: { type: ['number', 'null'] },
    afterApproval: { oneOf: [figures, { type: 'null' }] },
    approvedBy: { type: 'string' },
    approvedAt: { type: 'string', format: 'date-time' },
    withdrawnReason: { type: 'string' },
    illustrative: { type: 'boolean', description: 'Approved by a demo account.' },
  },
};

export const nationalOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/national',
    tag: 'national',
    summary: 'The country for a month, province by province: approved figures, target, counties approved, and the roll-up of the approved provinces (the fund’s central office, `national-office`)',
    parameters: [{ name: 'month', in: 'query', description: 'Defaults to last month.', schema: month }],
    responses: {
      '200': {
        description: 'Every province; totals count only the provinces that approved.',
        schema: { type: 'object', properties: { month: { type: 'string' }, title: { type: 'string' }, provinces: { type: 'array', items: provinceRow }, totals: { type: 'object', properties: { provinces: { type: 'integer' }, target: { type: 'integer' }, logged: { type: 'integer' }, verified: { type: 'integer' }, percent: { type: 'number' } } }, notApproved: { type: 'array', items: provinceRow } } },
      },
      ...REFUSALS,
    },
  },
  {
    method: 'post',
    path: '/national/withdraw',
    tag: 'national',
    summary: 'Reopen a province’s approval of a month, with a reason (the fund’s central office): its report is preliminary again',
    body: { type: 'object', required: ['province', 'month', 'reason'], properties: { province: provinceCode, month, reason: { type: 'string', minLength: 3, maxLength: 500 } } },
    responses: { '200': { description: 'Reopened.', schema: { type: 'object', properties: { place: { type: 'string' }, month: { type: 'string' }, status: { type: 'string' }, withdrawnReason: { type: 'string' } } } }, ...REFUSALS, '409': { description: 'The province has not approved that month.' } },
  },
];
