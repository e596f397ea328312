/**
 * One endpoint of the JSON API as the OpenAPI document describes it. Each domain lists its endpoints in
 * server/api/operations/<domain>.ts and adds that list to server/api/openapi.ts (one entry).
 */
export interface ApiOperation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path template under /api/v1, e.g. `/campaigns/{id}/progress`. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /** false for the endpoints that need no bearer token (getting one, this document). */
  auth?: boolean;
  parameters?: { name: string; in: 'path' | 'query' | 'header'; required?: boolean; description: string; schema: JsonSchema }[];
  body?: JsonSchema;
  /** status → what it means, with the body's schema when there is one (errors share the Error schema). */
  responses: Record<string, { description: string; schema?: JsonSchema }>;
}

export type JsonSchema = Record<string, unknown>;

/** The refusals every authenticated endpoint can answer with, in the `{ error }` shape of errors/error-handler.ts. */
export const REFUSALS = {
  '400': { description: 'A field is invalid: `error.fields` names each one, in the reader’s language.' },
  '401': { description: 'No bearer token, or an unknown or expired one.' },
  '403': { description: 'The role may not do this, or the place lies outside the caller’s area.' },
} as const;

export const placeCodeSchema: JsonSchema = { type: 'string', pattern: '^\\d{2}(\\d{2}([CD]\\d{2}|\\d{2}(\\d{4}(\\d{6})?)?)?)?$', example: '0207', description: 'SCI place code (Persian digits accepted).' };
export const objectIdSchema: JsonSchema = { type: 'string', pattern: '^[0-9a-f]{24}$' };
