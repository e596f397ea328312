import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { engine } from 'express-handlebars';
import helmet from 'helmet';
import type { Config } from './config.js';
import { csrfProtection, csrfTokenToLocals } from './auth/csrf.js';
import { bearerUser, sessionUser } from './auth/middleware.js';
import { auditActor } from './audit/middleware.js';
import { sessionMiddleware } from './auth/session.js';
import { errorHandler, notFoundHandler } from './errors/error-handler.js';
import { flashToLocals } from './http/flash.js';
import './http/request.js';
import { viewHelpers } from './http/view-helpers.js';
import { language } from './i18n/middleware.js';
import { domains } from './routes.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FONTS = join(dirname(createRequire(import.meta.url).resolve('vazirmatn/package.json')), 'fonts', 'webfonts');

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
        // no script at all: every page works without JavaScript
        directives: { defaultSrc: ["'self'"], scriptSrc: ["'none'"], styleSrc: ["'self'"], fontSrc: ["'self'"], imgSrc: ["'self'", 'data:'], formAction: ["'self'"], upgradeInsecureRequests: null },
      },
      // same-origin Referer lets a refused form send the user back to it (errors/error-handler.ts)
      referrerPolicy: { policy: 'same-origin' },
      strictTransportSecurity: config.nodeEnv === 'production',
    }),
  );

  app.use('/static/fonts', express.static(FONTS, { immutable: true, maxAge: '365d' }));
  app.use('/static', express.static(join(ROOT, 'public'), { maxAge: '1d' }));

  const routes = domains.map((domain) => domain(config));

  const api = express.Router();
  api.use(express.json({ limit: '100kb' }), bearerUser, auditActor, language(config));
  for (const domain of routes) if (domain.api) api.use(domain.api);
  api.use(notFoundHandler);
  app.use('/api/v1', api);
  app.use('/api', notFoundHandler);

  app.use(sessionMiddleware(config, sessionSecret), express.urlencoded({ extended: false, limit: '100kb' }));
  app.use(sessionUser, auditActor, language(config), flashToLocals, csrfProtection, csrfTokenToLocals, pageLocals);
  for (const domain of routes) if (domain.pages) app.use(domain.pages);
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
