import { agreementOperations } from './operations/agreements.js';
import { campaignOperations } from './operations/campaigns.js';
import { committeeOperations } from './operations/committees.js';
import { approvalOperations } from './operations/approvals.js';
import { auditOperations } from './operations/audit.js';
import { authOperations } from './operations/auth.js';
import { enrolmentOperations } from './operations/enrolments.js';
import { fieldProblemOperations } from './operations/field-problems.js';
import { jobOperations } from './operations/jobs.js';
import { placeOperations } from './operations/places.js';
import { nationalOperations } from './operations/national.js';
import type { ApiOperation } from './operation.js';

/** Every documented endpoint, one entry per domain: a domain adds its server/api/operations/<domain>.ts here. */
const OPERATIONS: ApiOperation[][] = [authOperations, placeOperations, campaignOperations, enrolmentOperations, committeeOperations, jobOperations, fieldProblemOperations, agreementOperations, auditOperations, approvalOperations, nationalOperations];

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'Stable machine code, e.g. `validation`, `outOfScope`.' },
        message: { type: 'string', description: 'In the reader’s language (Accept-Language: fa or en).' },
        fields: { type: 'object', additionalProperties: { type: 'string' }, description: 'Field → what is wrong with it.' },
      },
    },
  },
};

/** The OpenAPI 3.1 document of the whole JSON API (`GET /api/v1/openapi.json`). */
export function openApiDocument(publicUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS.flat()) {
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      tags: [op.tag],
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      ...(op.auth === false ? { security: [] } : {}),
      ...(op.parameters ? { parameters: op.parameters } : {}),
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: op.body } } } } : {}),
      responses: Object.fromEntries(
        Object.entries(op.responses).map(([status, r]) => [
          status,
          { description: r.description, content: { 'application/json': { schema: r.schema ?? (Number(status) >= 400 ? { $ref: '#/components/schemas/Error' } : {}) } } },
        ]),
      ),
    };
  }
  paths['/openapi.json'] = { get: { tags: ['meta'], summary: 'This document', security: [], responses: { '200': { description: 'OpenAPI 3.1' } } } };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Rural, Farmers and Nomads Social Insurance Fund: campaign tracker API',
      version: '1',
      description: 'Bearer tokens from POST /auth/token; every answer respects the caller’s area (province-wide roles see their province, the fund’s central office the whole country read-only, others their place and what lies under it). Errors are `{ error: { code, message, fields? } }` in Persian or English (Accept-Language).',
    },
    servers: [{ url: new URL('/api/v1', publicUrl).href }],
    security: [{ bearer: [] }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas: { Error: ERROR_SCHEMA } },
    paths,
  };
}
