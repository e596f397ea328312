import { Router } from 'express';
import type { DomainRoutes } from '../routes.js';
import { isLang } from './index.js';

export const LANG_COOKIE = 'lang';

/**
 * The language switch is a plain link (`/lang/en?next=/places/0207`), so it works without JavaScript;
 * the choice is kept in a cookie for a year.
 */
export default function languageRoutes(): DomainRoutes {
  const pages = Router();
  pages.get('/lang/:lang', (req, res) => {
    const lang = req.params.lang;
    if (isLang(lang)) res.cookie(LANG_COOKIE, lang, { maxAge: 365 * 86_400_000, sameSite: 'lax', httpOnly: true });
    const next = typeof req.query.next === 'string' && /^\/(?![/\\])/.test(req.query.next) ? req.query.next : '/';
    res.redirect(303, next);
  });
  return { pages };
}
