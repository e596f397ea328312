import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { csrfProtection } from './csrf.js';
import { sessionUser } from './middleware.js';

/**
 * The API for the signed-in browser. Integrations send a bearer token; the phone's offline queue
 * (public/offline/) sends with the page session instead, so signing out or an expired session stops it and
 * the user is asked to sign in (a 401 in JSON, not a redirect). A request that carries the session cookie and no
 * token is read with the pages' session, and every write must then carry the session's CSRF token in
 * `X-CSRF-Token`, exactly like a page form: a cookie alone never authorises an API write.
 */
export function apiSession(sessions: RequestHandler): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.user || req.get('authorization') || !/(?:^|;\s*)sid=/.test(req.get('cookie') ?? '')) return next();
    sessions(req, res, (err?: unknown) => {
      if (err) return next(err);
      void sessionUser(req, res, (err2?: unknown) => {
        if (err2 || !req.user) return next(err2);
        csrfProtection(req, res, next);
      }).catch(next);
    });
  };
}
