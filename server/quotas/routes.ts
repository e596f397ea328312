import { Router } from 'express';
import type { DomainRoutes } from '../routes.js';
import { requireAuth, requireRole } from '../auth/middleware.js';
import { validate } from '../http/validate.js';
import * as quotas from './handlers.js';
import { allocationQuery, allocationRequest, allocationSave, campaignParams, dashboardQuery, exportParams, progressQuery, quotaFinder, quotaForm, quotaParams, quotaRequest } from './validation.js';

/** Who may do what: the governor's office and fund managers set quotas; everyone sees progress in their own area. */
const manager = requireRole('governor-office', 'fund-manager');

export default function quotaRoutes(): DomainRoutes {
  const pages = Router();
  pages.get('/campaigns/:id', requireAuth, validate(dashboardQuery), quotas.dashboard);
  pages.get('/campaigns/:id/export/:table/:format', requireAuth, validate(exportParams), quotas.exportTable);
  pages.get('/campaigns/:id/allocation', manager, validate(allocationQuery), quotas.allocationPage);
  pages.post('/campaigns/:id/allocation', manager, validate(allocationSave), quotas.saveAllocation);
  pages.get('/campaigns/:id/quotas/upload', manager, validate(campaignParams), quotas.uploadPage);
  pages.post('/campaigns/:id/quotas/upload', manager, quotas.readQuotaFile, validate(campaignParams), quotas.upload);
  pages.get('/campaigns/:id/quotas', requireAuth, validate(quotaFinder), quotas.findQuota);
  pages.get('/campaigns/:id/quotas/:code', requireAuth, validate(quotaParams), quotas.showQuota);
  pages.post('/campaigns/:id/quotas/:code', manager, validate(quotaForm), quotas.updateQuota);

  const api = Router();
  api.post('/campaigns/:id/allocations', manager, validate(allocationRequest), quotas.proposeJson);
  api.put('/campaigns/:id/quotas/:code', manager, validate(quotaRequest), quotas.putQuotaJson);
  api.get('/campaigns/:id/progress', requireAuth, validate(progressQuery), quotas.progressJson);

  return { pages, api };
}
