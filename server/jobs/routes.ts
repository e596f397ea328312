import { Router } from 'express';
import type { Config } from '../config.js';
import type { DomainRoutes } from '../routes.js';
import { requireRole } from '../auth/middleware.js';
import { validate } from '../http/validate.js';
import { handlers } from './handlers.js';
import { jobParams, runParams } from './validation.js';

/** The scheduled jobs: their runs, and run-now; the governor's office only. */
export default function jobRoutes(config: Config): DomainRoutes {
  const jobs = handlers(config);
  const pages = Router();
  pages.get('/jobs', requireRole('governor-office'), jobs.page);
  pages.get('/jobs/runs/:runId', requireRole('governor-office'), validate(runParams), jobs.runPage);
  pages.post('/jobs/:name/run', requireRole('governor-office'), validate(jobParams), jobs.runNowForm);

  const api = Router();
  api.get('/jobs', requireRole('governor-office'), jobs.listJson);
  api.get('/jobs/runs/:runId', requireRole('governor-office'), validate(runParams), jobs.runJson);
  api.post('/jobs/:name/run', requireRole('governor-office'), validate(jobParams), jobs.runNowJson);
  return { pages, api };
}
