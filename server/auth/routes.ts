import { Router } from 'express';
import type { Config } from '../config.js';
import type { DomainRoutes } from '../routes.js';
import { validate } from '../http/validate.js';
import * as auth from './handlers.js';
import { loginRateLimit, requireAuth } from './middleware.js';
import { loginForm, tokenRequest } from './validation.js';

export default function authRoutes(config: Config): DomainRoutes {
  const limit = loginRateLimit(config);

  const pages = Router();
  pages.get('/login', auth.showLogin);
  pages.post('/login', limit, validate(loginForm), auth.login);
  pages.post('/logout', auth.logout);

  const api = Router();
  api.post('/auth/token', limit, validate(tokenRequest), auth.tokenHandler(config));
  api.get('/me', requireAuth, auth.me);

  return { pages, api };
}
