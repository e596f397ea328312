import { Router } from 'express';
import type { Config } from '../config.js';
import type { DomainRoutes } from '../routes.js';
import { validate } from '../http/validate.js';
import * as auth from './handlers.js';
import { requireAuth } from './middleware.js';
import { loginForm, passwordForm, tokenParams, tokenRequest } from './validation.js';

export default function authRoutes(config: Config): DomainRoutes {
  const pages = Router();
  pages.get('/login', auth.showLogin);
  pages.post('/login', validate(loginForm), auth.login(config));
  pages.post('/logout', auth.logout);
  pages.get('/settings/security', requireAuth, auth.securityPage);
  pages.post('/settings/tokens/:id/revoke', requireAuth, validate(tokenParams), auth.revokeTokenForm);
  pages.post('/settings/password', requireAuth, validate(passwordForm), auth.changePasswordForm);

  const api = Router();
  api.post('/auth/token', validate(tokenRequest), auth.tokenHandler(config));
  api.get('/me', requireAuth, auth.me);
  api.get('/auth/tokens', requireAuth, auth.tokensJson);
  api.delete('/auth/token', requireAuth, auth.revokeCurrentToken);
  api.delete('/auth/tokens/:id', requireAuth, validate(tokenParams), auth.revokeTokenJson);

  return { pages, api };
}
