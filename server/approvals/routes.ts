import { Router } from 'express';
import type { Config } from '../config.js';
import type { DomainRoutes } from '../routes.js';
import { requireRole } from '../auth/middleware.js';
import { validate } from '../http/validate.js';
import { handlers } from './handlers.js';
import { approvalRequest, signOffQuery, withdrawalRequest } from './validation.js';

/** Monthly sign-off: counties by their governor or the fund manager, then the province by its fund manager. */
export default function approvalRoutes(config: Config): DomainRoutes {
  const approvals = handlers(config);
  const pages = Router();
  pages.get('/approvals', requireRole('fund-manager', 'county-governor', 'governor-office'), validate(signOffQuery), approvals.page);
  pages.post('/approvals/approve', requireRole('fund-manager', 'county-governor'), validate(approvalRequest), approvals.approve);
  pages.post('/approvals/withdraw', requireRole('fund-manager'), validate(withdrawalRequest), approvals.withdraw);
  const api = Router();
  api.get('/approvals', requireRole('fund-manager', 'county-governor', 'governor-office'), validate(signOffQuery), approvals.signOffJson);
  api.post('/approvals', requireRole('fund-manager', 'county-governor'), validate(approvalRequest), approvals.approveJson);
  api.post('/approvals/withdraw', requireRole('fund-manager'), validate(withdrawalRequest), approvals.withdrawJson);
  return { pages, api };
}
