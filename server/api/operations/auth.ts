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
];
