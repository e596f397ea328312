import { Router } from 'express';
import type { Config } from '../config.js';
import type { DomainRoutes } from '../routes.js';
import { requireAuth, requireRole } from '../auth/middleware.js';
import { validate } from '../http/validate.js';
import * as audit from './handlers.js';
import { auditPageQuery, auditQuery, historyParams } from './validation.js';

/** The audit trail: search (governor's office, fund managers), CSV, every object's history page, and the API. */
export default function auditRoutes(_config: Config): DomainRoutes {
  const pages = Router();
  pages.get('/audit', requireRole('governor-office', 'fund-manager'), validate(auditPageQuery), audit.searchPage);
  pages.get('/audit/export.csv', requireRole('governor-office', 'fund-manager'), validate(auditQuery), audit.exportCsv);
  pages.get('/history/:subject/:id', requireAuth, validate(historyParams), audit.historyPage);
  const api = Router();
  api.get('/audit', requireRole('governor-office', 'fund-manager'), validate(auditQuery), audit.searchJson);
  return { pages, api };
}
