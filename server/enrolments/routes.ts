import { Router } from 'express';
import { checkUploadCsrf } from '../auth/csrf.js';
import type { DomainRoutes } from '../routes.js';
import { requireRole } from '../auth/middleware.js';
import { ENROLLING_ROLES } from '../auth/roles.js';
import { validate } from '../http/validate.js';
import { enrolmentBatch } from './batch.js';
import * as enrolments from './handlers.js';
import * as offline from './offline.handlers.js';
import { enrolmentParams, importParams, rejectForm, verificationList } from './validation.js';

export default function enrolmentRoutes(): DomainRoutes {
  const pages = Router();
  pages.get('/enrolments', requireRole(...ENROLLING_ROLES), enrolments.home);
  pages.get('/enrolments/pending', requireRole(...ENROLLING_ROLES), offline.pendingPage);
  pages.get('/enrolments/offline.json', requireRole(...ENROLLING_ROLES), offline.phoneSession);
  pages.get('/offline/app.js', offline.appScript);
  pages.get('/sw.js', offline.serviceWorker);
  pages.get('/manifest.webmanifest', offline.manifest);
  pages.get('/enrolments/new', requireRole(...ENROLLING_ROLES), enrolments.newForm);
  pages.post('/enrolments', requireRole(...ENROLLING_ROLES), enrolments.create);
  pages.get('/enrolments/verify', requireRole('fund-manager'), validate(verificationList), enrolments.verificationPage);
  pages.post('/enrolments/:id/verify', requireRole('fund-manager'), validate(enrolmentParams), enrolments.verify);
  pages.post('/enrolments/:id/reject', requireRole('fund-manager'), validate(rejectForm), enrolments.reject);
  pages.post('/enrolments/:id/duplicate/confirm', requireRole('fund-manager'), validate(enrolmentParams), enrolments.confirmDuplicate);
  pages.post('/enrolments/:id/duplicate/dismiss', requireRole('fund-manager'), validate(enrolmentParams), enrolments.dismissDuplicate);
  pages.get('/enrolments/import', requireRole(...ENROLLING_ROLES), enrolments.importForm);
  pages.get('/enrolments/import/template.csv', requireRole(...ENROLLING_ROLES), enrolments.templateFile);
  pages.post('/enrolments/import', requireRole(...ENROLLING_ROLES), enrolments.receiveFile, checkUploadCsrf, enrolments.upload);
  pages.get('/enrolments/imports/:id', requireRole(...ENROLLING_ROLES), validate(importParams), enrolments.importPage);
  pages.get('/enrolments/imports/:id/problems.csv', requireRole(...ENROLLING_ROLES), validate(importParams), enrolments.problemsFile);

  const api = Router();
  api.post('/enrolments', requireRole(...ENROLLING_ROLES), enrolments.createJson);
  api.post('/enrolments/batch', requireRole(...ENROLLING_ROLES), validate(enrolmentBatch), enrolments.createBatchJson);
  api.post('/enrolments/:id/verify', requireRole('fund-manager'), validate(enrolmentParams), enrolments.verifyJson);
  api.post('/enrolments/:id/reject', requireRole('fund-manager'), validate(rejectForm), enrolments.rejectJson);
  api.get('/enrolments/imports/:id', requireRole(...ENROLLING_ROLES), validate(importParams), enrolments.importJson);

  return { pages, api };
}
