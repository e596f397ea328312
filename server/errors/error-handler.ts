import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Config } from '../config.js';
import { t, type Lang } from '../i18n/index.js';
import { fromAcceptLanguage } from '../i18n/middleware.js';
import { logger } from '../logger.js';
import { setFlash } from '../http/flash.js';
import { isApiRequest } from '../http/request.js';
import { AppError, notFound } from './app-error.js';

/** Statuses a POSTed form answers with Post/Redirect/Get: the form is shown again with the problem beside it. */
const FORM_STATUSES = new Set([400, 401, 409, 422]);
/** Never sent back into a form. */
const SECRET_FIELDS = /password|_csrf|token/i;

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(notFound());

/**
 * The one error handler. API requests get `{ error: { code, message, fields? } }` in the reader's language;
 * a page POST with a form problem is redirected back with the problem and the typed values flashed;
 * an anonymous page visitor is sent to the login page; anything else renders the error page with its status.
 * Stack traces are shown only when NODE_ENV=development was set explicitly; otherwise the stack is logged only.
 */
export function errorHandler(config: Config): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const error = toAppError(err);
    if (error.status >= 500) logger.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    else logger.debug({ code: error.name, status: error.status, url: req.originalUrl }, 'request refused');
    // an API request refused before the language middleware (unreadable body, unknown token) still has Accept-Language
    const lang = req.lang ?? (isApiRequest(req) ? fromAcceptLanguage(req.get('accept-language')) : undefined) ?? config.defaultLang;
    const message = t(lang, error.messageKey, error.params);

    if (res.headersSent) return;
    if (isApiRequest(req)) {
      if (error.status === 429) res.set('Retry-After', String(error.params.retryAfterSeconds ?? config.loginRateWindowMinutes * 60));
      res.status(error.status).json({ error: apiError(error, lang) });
      return;
    }
    if (error.name === 'unauthenticated') {
      res.redirect(303, `/login?next=${encodeURIComponent(req.method === 'GET' ? req.originalUrl : '/')}`);
      return;
    }
    if (req.method === 'POST' && FORM_STATUSES.has(error.status) && req.session) {
      setFlash(req, { type: 'error', key: error.messageKey, params: error.params, fields: error.fields, values: formValues(req) });
      res.redirect(303, back(req));
      return;
    }
    res.status(error.status).render('errors/error', {
      title: t(lang, 'errors.title'),
      message,
      status: error.status,
      stack: config.nodeEnv === 'development' && err instanceof Error && error.status >= 500 ? err.stack : undefined,
    });
  };
}

/** The API's `error` object: code, message and field problems in the reader's language (also each refused item of a batch). */
export function apiError(error: AppError, lang: Lang): { code: string; message: string; fields?: Record<string, string> } {
  const fields = error.fields ? Object.fromEntries(Object.entries(error.fields).map(([f, key]) => [f, t(lang, key)])) : undefined;
  return { code: error.name, message: t(lang, error.messageKey, error.params), ...(fields ? { fields } : {}) };
}

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as { code?: string; status?: number; type?: string };
  if (e?.code === 'EBADCSRFTOKEN') return new AppError('csrf', 'errors.csrf', 403);
  // body-parser's refusals (malformed JSON, too large) carry a 4xx status and a type
  if (e?.type && typeof e.status === 'number' && e.status >= 400 && e.status < 500) return new AppError('badRequest', 'errors.badRequest', e.status);
  return new AppError('internal', 'errors.internal', 500);
}

function formValues(req: Request): Record<string, unknown> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(body).filter(([name]) => !SECRET_FIELDS.test(name)));
}

/** The page the form was on: the same-origin Referer, or else the address it was posted to. */
function back(req: Request): string {
  const referer = req.get('referer');
  if (referer) {
    try {
      const url = new URL(referer);
      if (url.host === req.get('host')) return url.pathname + url.search;
    } catch {
      // an unreadable Referer is ignored
    }
  }
  return req.originalUrl;
}
