import { Router } from 'express';
import type { DomainRoutes } from '../routes.js';
import { requireRole } from '../auth/middleware.js';
import { validate } from '../http/validate.js';
import * as reports from './handlers.js';
import { downloadParams, reportParams, reportQuery } from './validation.js';

/** The monthly provincial reports: the governor's office and the fund managers of the province. */
export default function reportRoutes(): DomainRoutes {
  const readers = requireRole('governor-office', 'fund-manager');
  // the fund's central office reads any province's report (its scope is the country)
  const provinceReaders = requireRole('governor-office', 'fund-manager', 'national-office');
  const pages = Router();
  pages.get('/reports', readers, reports.listPage);
  pages.get('/reports/provincial/:province/:month', provinceReaders, validate(reportParams), reports.reportPage);
  pages.get('/reports/provincial/:province/:month/report.:format', provinceReaders, validate(downloadParams), reports.download);

  const api = Router();
  api.get('/reports/provincial', provinceReaders, validate(reportQuery), reports.reportJson);
  return { pages, api };
}
