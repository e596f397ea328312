import type { NextFunction, Request, Response } from 'express';
import { forbidden } from '../errors/app-error.js';
import { NATIONAL_ROLES } from './roles.js';

/** Requests that change nothing. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * What a read-only role may still send: its own account's business (sign out, its password, its tokens, its mail
 * preferences) and the acts the level above a province owns (withdrawing a province's monthly approval). Every other
 * write, including any route added later, is refused before a handler runs.
 */
const READ_ONLY_WRITES: readonly { method: string; path: RegExp }[] = [
  { method: 'POST', path: /^\/logout$/ },
  { method: 'POST', path: /^\/settings\/password$/ },
  { method: 'POST', path: /^\/settings\/tokens\/[^/]+\/revoke$/ },
  { method: 'POST', path: /^\/settings\/notifications$/ },
  { method: 'DELETE', path: /^\/api\/v1\/auth\/token$/ },
  { method: 'DELETE', path: /^\/api\/v1\/auth\/tokens\/[^/]+$/ },
  { method: 'POST', path: /^\/national\/provinces\/\d{2}\/withdraw$/ },
  { method: 'POST', path: /^\/api\/v1\/national\/withdraw$/ },
];

/**
 * Fails closed for the fund's central office (NATIONAL_ROLES): it reads the whole country, and any request that is
 * not a read and not listed above answers 403, whatever the route's own checks would say. Mounted once for the
 * pages and once for the API (server/app.ts), after the user is known.
 */
export function readOnlyRoles(req: Request, _res: Response, next: NextFunction): void {
  if (!req.user || !NATIONAL_ROLES.includes(req.user.role) || SAFE_METHODS.has(req.method)) return next();
  const path = req.originalUrl.split('?')[0]!.replace(/\/+$/, '') || '/';
  next(READ_ONLY_WRITES.some((allowed) => allowed.method === req.method && allowed.path.test(path)) ? undefined : forbidden());
}
