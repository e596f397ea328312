import { Router } from 'express';
import { checkUploadCsrf } from '../auth/csrf.js';
import type { DomainRoutes } from '../routes.js';
import { requireRole } from '../auth/middleware.js';
import type { Role } from '../auth/roles.js';
import { validate } from '../http/validate.js';
import { enrolmentBatch } from './batch.js';
import * as enrolments from './handlers.js';
import * as offline from './offline.handlers.js';
import { enrolmentParams, importParams, rejectForm, verificationList } from './validation.js';

/** Who logs enrolments: the quota holders and the offices above them; viewers and agency officers only read. */
const ENROLLING: Role[] = ['village-head', 'mayor', 'district-governor', 'county-governor', 'fund-manager', 'governor-office'];

export default function enrolmentRoutes(): DomainRoutes {
  const pages = Router();
  pages.get('/enrolments', requireRole(...ENROLLING), enrolments.home);
  pages.get('/enrolments/pending', requireRole(...ENROLLING), offline.pendingPage);
  pages.get('/enrolments/offline.json', requireRole(...ENROLLING), offline.phoneSession);
  pages.get('/offline/app.js', offline.appScript);
  pages.get('/sw.js', offline.serviceWorker);
  pages.get('/manifest.webmanifest', offline.manifest);
  pages.get('/enrolments/new', requireRole(...ENROLLING), enrolments.newForm);
  pages.post('/enrolments', requireRole(...ENROLLING), enrolments.create);
  pages.get('/enrolments/verify', requireRole('fund-manager'), validate(verificationList), enrolments.verificationPage);
  pages.post('/enrolments/:id/verify', requireRole('fund-manager'), validate(enrolmentParams), enrolments.verify);
  pages.post('/enrolments/:id/reject', requireRole('fund-manager'), validate(rejectForm), enrolments.reject);
  pages.post('/enrolments/:id/duplicate/confirm', requireRole('fund-manager'), validate(enrolmentParams), enrolments.confirmDuplicate);
  pages.post('/enrolments/:id/duplicate/dismiss', requireRole('fund-manager'), validate(enrolmentParams), enrolments.dismissDuplicate);
  pages.get('/enrolments/import', requireRole(...ENROLLING), enrolments.importForm);
  pages.get('/enrolments/import/template.csv', requireRole(...ENROLLING), enrolments.templateFile);
  pages.post('/enrolments/import', requireRole(...ENROLLING), enrolments.receiveFile, checkUploadCsrf, enrolments.upload);
  pages.get('/enrolments/imports/:id', requireRole(...ENROLLING), validate(importParams), enrolments.importPage);
  pages.get('/enrolments/imports/:id/problems.csv', requireRole(...ENROLLING), validate(importParams), enrolments.problemsFile);

  const api = Router();
  api.post('/enrolments', requireRole(...ENROLLING), enrolments.createJson);
  api.post('/enrolments/batch', requireRole(...ENROLLING), validate(enrolmentBatch), enrolments.createBatchJson);
  api.post('/enrolments/:id/verify', requireRole('fund-manager'), validate(enrolmentParams), enrolments.verifyJson);
  api.post('/enrolments/:id/reject', requireRole('fund-manager'), validate(rejectForm), enrolments.rejectJson);
  api.get('/enrolments/imports/:id', requireRole(...ENROLLING), validate(importParams), enrolments.importJson);

  return { pages, api };
}
