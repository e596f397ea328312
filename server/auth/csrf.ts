import type { NextFunction, Request, Response } from 'express';
import { csrfSync } from 'csrf-sync';

/**
 * CSRF protection for every page form (synchroniser token kept in the session, sent back as the hidden
 * `_csrf` field that views/partials/csrf.hbs writes). The API is not behind it: it takes no cookies, only
 * bearer tokens, so a forged cross-site request carries no credentials.
 */
const { csrfSynchronisedProtection, generateToken } = csrfSync({
  getTokenFromRequest: (req) => (req.body as { _csrf?: string } | undefined)?._csrf ?? req.get('x-csrf-token'),
});

export const csrfProtection = csrfSynchronisedProtection;

/** Puts the session's token where every view's forms find it. */
export function csrfTokenToLocals(req: Request, res: Response, next: NextFunction): void {
  res.locals.csrfToken = generateToken(req);
  next();
}
