import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import compression from 'compression';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { engine } from 'express-handlebars';
import helmet from 'helmet';
import type { Config } from './config.js';
import { apiSession } from './auth/api-session.js';
import { csrfProtection, csrfTokenToLocals } from './auth/csrf.js';
import { bearerUser, sessionUser } from './auth/middleware.js';
import { readOnlyRoles } from './auth/read-only.js';
import { auditActor } from './audit/middleware.js';
import { sessionMiddleware } from './auth/session.js';
import { errorHandler, notFoundHandler } from './errors/error-handler.js';
import { flashToLocals } from './http/flash.js';
import { isApiRequest } from './http/request.js';
import { viewHelpers } from './http/view-helpers.js';
import { language } from './i18n/middleware.js';
import { navigation } from './home/navigation.js';
import { apiDomains, domains } from './routes.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const VAZIRMATN = dirname(createRequire(import.meta.url).resolve('vazirmatn/package.json'));
const FONTS = join(VAZIRMATN, 'fonts', 'webfonts');
/** The Arabic-script cut that Persian pages load (public/app.css). */
const FONTS_NON_LATIN = join(VAZIRMATN, 'misc', 'Non-Latin', 'fonts', 'webfonts');

/** The methods of API requests whose answers may be long enough to compress. */
const API_READS = new Set(['GET', 'HEAD']);

export interface AppOptions {
  config: Config;
  sessionSecret: string;
}

/**
 * The application, composed: security headers, static files, the JSON API (bearer tokens, no cookies),
 * then the pages (sessions in MongoDB, CSRF on every form, language, flash), every domain's routes from
 * server/routes.ts, and one error handler for both.
 */
export function createApp({ config, sessionSecret }: AppOptions): Express {
  const app = express();
  if (config.trustProxy) app.set('trust proxy', /^\d+$/.test(config.trustProxy) ? Number(config.trustProxy) : config.trustProxy);

  app.engine('hbs', engine({ extname: '.hbs', defaultLayout: 'main', layoutsDir: join(ROOT, 'views/layouts'), partialsDir: join(ROOT, 'views/partials'), helpers: viewHelpers }));
  app.set('view engine', 'hbs');
  app.set('views', join(ROOT, 'views'));

  app.use(
    helmet({
      contentSecurityPolicy: {
        // every page works without JavaScript; the one script (same origin) adds the phone's offline queue
        directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], workerSrc: ["'self'"], manifestSrc: ["'self'"], styleSrc: ["'self'"], fontSrc: ["'self'"], imgSrc: ["'self'", 'data:'], formAction: ["'self'"], upgradeInsecureRequests: null },
      },
      // same-origin Referer lets a refused form send the user back to it (errors/error-handler.ts)
      referrerPolicy: { policy: 'same-origin' },
      strictTransportSecurity: config.nodeEnv === 'production',
    }),
  );

  // Pages, static files and API reads can be large. An API write answers with an id and a status, under compression's
  // threshold, so on the busiest path compression would only wrap the response; a batch's answer of up to 20 results
  // is a few kilobytes, a cost the offline queue pays once per 20 enrolments.
  const compress = compression();
  app.use((req, res, next) => (isApiRequest(req) && !API_READS.has(req.method) ? next() : compress(req, res, next)));

  const routes = new Map(domains.map((domain) => [domain, domain(config)]));

  // the API first: its requests (the busiest, from integrations) pass no layer of the static files on their way, and
  // try the domains' routers busiest first (server/routes.ts)
  const sessions = sessionMiddleware(config, sessionSecret);
  const api = express.Router();
  api.use(express.json({ limit: '100kb' }), bearerUser, apiSession(sessions), auditActor, language(config), readOnlyRoles);
  for (const domain of apiDomains) {
    const router = routes.get(domain)?.api;
    if (router) api.use(router);
  }
  api.use(notFoundHandler);
  app.use('/api/v1', api);
  app.use('/api', notFoundHandler);

  app.get('/favicon.ico', (_req, res) => res.sendFile(join(ROOT, 'public/favicon.ico'), { maxAge: '30d' }));
  app.use('/static/fonts', express.static(FONTS, { immutable: true, maxAge: '365d' }));
  app.use('/static/fonts', express.static(FONTS_NON_LATIN, { immutable: true, maxAge: '365d' }));
  app.use('/static', express.static(join(ROOT, 'public'), { maxAge: '1d' }));

  app.use(sessions, express.urlencoded({ extended: false, limit: '100kb' }));
  app.use(sessionUser, auditActor, language(config), flashToLocals, csrfProtection, csrfTokenToLocals, pageLocals, navigation(config), readOnlyRoles);
  for (const domain of domains) {
    const router = routes.get(domain)?.pages;
    if (router) app.use(router);
  }
  app.use(notFoundHandler);

  app.use(errorHandler(config));
  return app;
}

/** What the layout needs on every page: the user, and the address to come back to after switching language. */
function pageLocals(req: Request, res: Response, next: NextFunction): void {
  res.locals.user = req.user;
  res.locals.currentPath = req.originalUrl;
  res.locals.isAdmin = req.user?.role === 'governor-office';
  next();
}
