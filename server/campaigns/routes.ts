import { Router } from 'express';
import type { Config } from '../config.js';
import type { DomainRoutes } from '../routes.js';
import { requireAuth, requireRole } from '../auth/middleware.js';
import { validate } from '../http/validate.js';
import * as campaigns from './handlers.js';
import { campaignForm, campaignRequest } from './validation.js';

export default function campaignRoutes(config: Config): DomainRoutes {
  const pages = Router();
  pages.get('/campaigns', requireAuth, campaigns.index);
  pages.post('/campaigns', requireRole('governor-office', 'fund-manager'), validate(campaignForm), campaigns.create(config));

  const api = Router();
  api.post('/campaigns', requireRole('governor-office', 'fund-manager'), validate(campaignRequest), campaigns.createJson(config));

  return { pages, api };
}
