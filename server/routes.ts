import type { Router } from 'express';
import type { Config } from './config.js';
import apiDocumentRoutes from './api/routes.js';
import approvalRoutes from './approvals/routes.js';
import auditRoutes from './audit/routes.js';
import authRoutes from './auth/routes.js';
import campaignRoutes from './campaigns/routes.js';
import enrolmentRoutes from './enrolments/routes.js';
import committeeRoutes from './committees/routes.js';
import homeRoutes from './home/routes.js';
import jobRoutes from './jobs/routes.js';
import notificationRoutes from './notifications/routes.js';
import outboxRoutes from './outbox/routes.js';
import reportRoutes from './reports/routes.js';
import languageRoutes from './i18n/routes.js';
import placeRoutes from './places/routes.js';
import quotaRoutes from './quotas/routes.js';
import userRoutes from './users/routes.js';
import fieldProblemRoutes from './field-problems/routes.js';
import agreementRoutes from './agreements/routes.js';
import nationalRoutes from './national/routes.js';

/** What a domain contributes: page routes (mounted at `/`) and API routes (mounted at `/api/v1`). */
export interface DomainRoutes {
  pages?: Router;
  api?: Router;
}

/** Every domain, one line each. A new domain writes server/<domain>/routes.ts and adds itself here. */
export const domains: ((config: Config) => DomainRoutes)[] = [homeRoutes, languageRoutes, authRoutes, placeRoutes, userRoutes, committeeRoutes, enrolmentRoutes, campaignRoutes, quotaRoutes, jobRoutes, outboxRoutes, notificationRoutes, reportRoutes, fieldProblemRoutes, agreementRoutes, auditRoutes, approvalRoutes, nationalRoutes, apiDocumentRoutes];
