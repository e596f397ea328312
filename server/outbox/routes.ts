import { Router } from 'express';
import type { Config } from '../config.js';
import type { DomainRoutes } from '../routes.js';
import { requireAuth, requireRole } from '../auth/middleware.js';
import { notFound } from '../errors/app-error.js';
import { validate } from '../http/validate.js';
import * as outbox from './handlers.js';
import { mailboxQuery, messageParams, outboxQuery } from './validation.js';

/** The outbox for the governor's office and the installation administrator (API), and the development mailbox, which exists only without SMTP_URL. */
export default function outboxRoutes(config: Config): DomainRoutes {
  const pages = Router();
  if (!config.smtpUrl) {
    pages.get('/dev/mailbox', requireAuth, validate(mailboxQuery), outbox.mailboxPage);
    pages.get('/dev/mailbox/:id', requireAuth, validate(messageParams), outbox.messagePage);
  } else {
    pages.get(['/dev/mailbox', '/dev/mailbox/:id'], (_req, _res, next) => next(notFound()));
  }
  const api = Router();
  api.get('/outbox', requireRole('governor-office', 'installation-admin'), validate(outboxQuery), outbox.outboxJson);
  return { pages, api };
}
