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

export type Domain = (config: Config) => DomainRoutes;

/** Every domain, one line each. A new domain writes server/<domain>/routes.ts and adds itself here. */
export const domains: Domain[] = [homeRoutes, languageRoutes, authRoutes, placeRoutes, userRoutes, committeeRoutes, enrolmentRoutes, campaignRoutes, quotaRoutes, jobRoutes, outboxRoutes, notificationRoutes, reportRoutes, fieldProblemRoutes, agreementRoutes, auditRoutes, approvalRoutes, nationalRoutes, apiDocumentRoutes];

/**
 * The order in which the API tries the domains' routers: enrolments first, most of the API's traffic (integrations
 * and the phones' offline queues), then the rest as listed. Each domain's API paths begin with segments no other
 * domain's do (test/server/routes.test.ts), so this order decides how many routers a request passes, never which
 * route answers it.
 */
export const apiDomains: Domain[] = [enrolmentRoutes, ...domains.filter((domain) => domain !== enrolmentRoutes)];
