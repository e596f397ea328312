import type { NextFunction, Request, Response } from 'express';
import type { Config } from '../config.js';
import { isApiRequest } from '../http/request.js';
import { isLang, type Lang } from './index.js';
import { LANG_COOKIE } from './routes.js';

/**
 * Decides the reader's language. Pages are Persian first: the language switch's cookie, else the account's
 * language, else DEFAULT_LANG (a browser's English Accept-Language does not override it). API callers choose with
 * Accept-Language, else their account's language. Pages (not the API) get `lang`, `dir` and `otherLang` for the layout.
 */
export function language(config: Config) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const fromApi = isApiRequest(req);
    const chosen = fromApi ? fromAcceptLanguage(req.get('accept-language')) : fromCookie(req.headers.cookie);
    req.lang = chosen ?? req.user?.lang ?? config.defaultLang;
    // the layout's locals: the API renders no page
    if (fromApi) return next();
    res.locals.lang = req.lang;
    res.locals.dir = req.lang === 'fa' ? 'rtl' : 'ltr';
    res.locals.otherLang = req.lang === 'fa' ? 'en' : 'fa';
    next();
  };
}

function fromCookie(header: string | undefined): Lang | undefined {
  const value = header
    ?.split(';')
    .map((part) => part.trim().split('='))
    .find(([name]) => name === LANG_COOKIE)?.[1];
  return isLang(value) ? value : undefined;
}

/** An API caller's choice of language: the first of Accept-Language, if the application speaks it. */
export function fromAcceptLanguage(header: string | undefined): Lang | undefined {
  const first = header?.split(',')[0]?.trim().slice(0, 2).toLowerCase();
  return isLang(first) ? first : undefined;
}
