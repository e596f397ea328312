import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { csrfSync } from 'csrf-sync';

declare module 'express-serve-static-core' {
  interface Request {
    /** A file-upload form whose CSRF token is in the body its own route parses: checked right after that parse. */
    csrfPending?: boolean;
  }
}

/**
 * CSRF protection for every page form (synchroniser token kept in the session, sent back as the hidden
 * `_csrf` field that views/partials/csrf.hbs writes). The API is not behind it: it takes no cookies, only
 * bearer tokens, so a forged cross-site request carries no credentials.
 */
const { csrfSynchronisedProtection, generateToken } = csrfSync({
  // never from the address: a token in a URL reaches logs, Location headers and the browser's history
  getTokenFromRequest: (req) => (req.body as { _csrf?: string } | undefined)?._csrf ?? req.get('x-csrf-token'),
});

/**
 * The file-upload forms (multipart): their body, and so their `_csrf` field, is parsed by the route's own upload
 * step, so their check waits for it (`checkUploadCsrf`, also run by `validate`). Every other request, a multipart
 * one to any other address included, is checked here at once: an unlisted upload fails closed.
 */
const UPLOAD_FORMS: readonly RegExp[] = [/^\/field-problems$/, /^\/enrolments\/import$/, /^\/campaigns\/[^/]+\/quotas\/upload$/, /^\/resolutions\/[^/]+\/updates$/];

export const csrfProtection: RequestHandler = (req, res, next) => {
  if (req.method === 'POST' && req.is('multipart/form-data') && UPLOAD_FORMS.some((path) => path.test(req.path))) {
    req.csrfPending = true;
    return next();
  }
  csrfSynchronisedProtection(req, res, next);
};

/** After an upload form's body is parsed and before anything of it is processed: its CSRF token must be right. */
export const checkUploadCsrf: RequestHandler = (req, res, next) => {
  if (!req.csrfPending) return next();
  delete req.csrfPending;
  csrfSynchronisedProtection(req, res, next);
};

/** Puts the session's token where every view's forms find it. */
export function csrfTokenToLocals(req: Request, res: Response, next: NextFunction): void {
  res.locals.csrfToken = generateToken(req);
  next();
}
