import { Router } from 'express';
import type { Config } from '../config.js';
import type { DomainRoutes } from '../routes.js';
import { requireRole } from '../auth/middleware.js';
import { validate } from '../http/validate.js';
import { handlers } from './handlers.js';
import { jobParams, runParams } from './validation.js';

/** The scheduled jobs: their runs, and run-now; the governor's office its province's, the installation admin the rest. */
export default function jobRoutes(config: Config): DomainRoutes {
  const jobs = handlers(config);
  const pages = Router();
  pages.get('/jobs', requireRole('governor-office', 'installation-admin'), jobs.page);
  pages.get('/jobs/runs/:runId', requireRole('governor-office', 'installation-admin'), validate(runParams), jobs.runPage);
  pages.post('/jobs/:name/run', requireRole('governor-office', 'installation-admin'), validate(jobParams), jobs.runNowForm);

  const api = Router();
  api.get('/jobs', requireRole('governor-office', 'installation-admin'), jobs.listJson);
  api.get('/jobs/runs/:runId', requireRole('governor-office', 'installation-admin'), validate(runParams), jobs.runJson);
  api.post('/jobs/:name/run', requireRole('governor-office', 'installation-admin'), validate(jobParams), jobs.runNowJson);
  return { pages, api };
}
