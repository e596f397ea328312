import type { ApiOperation } from '../operation.js';

export const authOperations: ApiOperation[] = [
  {
    method: 'post',
    path: '/auth/token',
    tag: 'auth',
    summary: 'Exchange a username and password for a bearer token',
    auth: false,
    body: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string' }, password: { type: 'string', format: 'password' } } },
    responses: {
      '201': { description: 'A token valid for API_TOKEN_DAYS days.', schema: { type: 'object', properties: { token: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' }, user: { type: 'string' } } } },
      '400': { description: 'A field is missing.' },
      '401': { description: 'Wrong username or password.' },
      '429': { description: 'Too many attempts from this address; see Retry-After.' },
    },
  },
  {
    method: 'get',
    path: '/me',
    tag: 'auth',
    summary: 'Who the token belongs to, and the place they answer for',
    responses: {
      '200': {
        description: 'The caller.',
        schema: { type: 'object', properties: { username: { type: 'string' }, role: { type: 'string' }, agency: { type: 'string' }, place: { type: 'object', properties: { code: { type: 'string' }, level: { type: 'string' }, name: { type: 'string' } } } } },
      },
      '401': { description: 'No token, or an unknown one.' },
    },
  },
  {
    method: 'get',
    path: '/auth/tokens',
    tag: 'auth',
    summary: 'The caller’s live API tokens: when each was made, last used and expires',
    responses: {
      '200': {
        description: 'Newest first; `current` marks the token of this request. The tokens themselves are never shown again.',
        schema: { type: 'object', properties: { tokens: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, createdAt: { type: 'string', format: 'date-time' }, lastUsedAt: { type: ['string', 'null'], format: 'date-time' }, expiresAt: { type: 'string', format: 'date-time' }, current: { type: 'boolean' } } } } } },
      },
      '401': { description: 'No token, or an unknown one.' },
    },
  },
  {
    method: 'delete',
    path: '/auth/token',
    tag: 'auth',
    summary: 'Revoke the token this request is made with (sign out of the API)',
    description: 'Deactivating the account or changing its password revokes every token of the user.',
    responses: { '204': { description: 'Revoked; it is refused from now on.' }, '401': { description: 'No token, or an unknown one.' } },
  },
  {
    method: 'delete',
    path: '/auth/tokens/{id}',
    tag: 'auth',
    summary: 'Revoke one of the caller’s own tokens',
    parameters: [{ name: 'id', in: 'path', required: true, description: 'The token’s id from GET /auth/tokens.', schema: { type: 'string', pattern: '^[0-9a-f]{24}$' } }],
    responses: { '204': { description: 'Revoked.' }, '401': { description: 'No token, or an unknown one.' }, '404': { description: 'No such token of the caller’s (another user’s token answers the same).' } },
  },
];
