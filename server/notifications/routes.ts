import { Router } from 'express';
import type { Config } from '../config.js';
import type { DomainRoutes } from '../routes.js';
import { requireAuth, requireRole } from '../auth/middleware.js';
import { validate } from '../http/validate.js';
import * as notifications from './handlers.js';
import { policyForm, settingsForm } from './validation.js';

/** Everyone's reminder settings; the province's mandatory reminders for the governor's office. */
export default function notificationRoutes(config: Config): DomainRoutes {
  const pages = Router();
  pages.get('/settings/notifications', requireAuth, notifications.settingsPage(config));
  pages.post('/settings/notifications', requireAuth, validate(settingsForm), notifications.saveSettingsForm);
  pages.post('/settings/notifications/policy', requireRole('governor-office'), validate(policyForm), notifications.savePolicyForm);
  return { pages };
}
