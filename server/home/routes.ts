import { Router } from 'express';
import type { DomainRoutes } from '../routes.js';
import { requireRole } from '../auth/middleware.js';
import * as home from './handlers.js';

/**
 * The front door: every signed-in user lands on their own work today (server/home/home.service.ts), anyone
 * else on the login page; an agency officer also has their agency's commitments on one page.
 */
export default function homeRoutes(): DomainRoutes {
  const pages = Router();
  pages.get('/', home.today);
  pages.get('/my/commitments', requireRole('agency-officer'), home.myCommitments);
  return { pages };
}
