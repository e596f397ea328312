import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError, forbidden, unauthenticated } from '../errors/app-error.js';
import { findActiveUser, toAuthUser, userForApiToken } from './auth.service.js';
import type { Role } from './roles.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** The id of the bearer token the request came with (API only). */
    apiTokenId?: string;
  }
}

/** Pages: the user whose id the session holds, reloaded on every request so a deactivated account stops at once. */
export async function sessionUser(req: Request, _res: Response, next: NextFunction): Promise<void> {
  const id = req.session?.userId;
  if (!id) return next();
  const user = await findActiveUser(id);
  if (user) req.user = toAuthUser(user);
  else delete req.session.userId;
  next();
}

/** API: `Authorization: Bearer <token>`. A token that is present but unknown or expired is refused outright. */
export async function bearerUser(req: Request, _res: Response, next: NextFunction): Promise<void> {
  const header = req.get('authorization');
  if (!header) return next();
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const found = match ? await userForApiToken(match[1]!) : null;
  if (!found) return next(new AppError('invalidToken', 'auth.invalidToken', 401));
  req.user = toAuthUser(found.user);
  req.apiTokenId = found.tokenId;
  next();
}

export const requireAuth: RequestHandler = (req, _res, next) => next(req.user ? undefined : unauthenticated());

/** Signed in with one of `roles`; otherwise 401 (anonymous) or 403. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.user) return next(unauthenticated());
    next(roles.includes(req.user.role) ? undefined : forbidden());
  };
}
