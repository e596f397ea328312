import type { NextFunction, Request, Response } from 'express';
import { csrfSync } from 'csrf-sync';

/**
 * CSRF protection for every page form (synchroniser token kept in the session, sent back as the hidden
 * `_csrf` field that views/partials/csrf.hbs writes). The API is not behind it: it takes no cookies, only
 * bearer tokens, so a forged cross-site request carries no credentials.
 */
const { csrfSynchronisedProtection, generateToken } = csrfSync({
  // A file upload form (multipart) is parsed only by its own route, after this check, so it carries the token
  // in its action address instead (`action="/x?_csrf={{@root.csrfToken}}"`); Referrer-Policy same-origin keeps it home.
  getTokenFromRequest: (req) => (req.body as { _csrf?: string } | undefined)?._csrf ?? req.get('x-csrf-token') ?? queryToken(req),
});

function queryToken(req: Request): string | undefined {
  const token = (req.query as Record<string, unknown>)._csrf;
  return typeof token === 'string' ? token : undefined;
}

export const csrfProtection = csrfSynchronisedProtection;

/** Puts the session's token where every view's forms find it. */
export function csrfTokenToLocals(req: Request, res: Response, next: NextFunction): void {
  res.locals.csrfToken = generateToken(req);
  next();
}
