import { Router } from 'express';
import type { DomainRoutes } from '../routes.js';

/**
 * The front door: a village head lands on their enrolments (quota, progress, latest enrolments), any other
 * signed-in user on their own place (the installation administrator, who has none, on the jobs), anyone else on the login page.
 */
export default function homeRoutes(): DomainRoutes {
  const pages = Router();
  pages.get('/', (req, res) => res.redirect(303, !req.user ? '/login' : req.user.role === 'village-head' ? '/enrolments' : req.user.role === 'installation-admin' ? '/jobs' : `/places/${req.user.placeCode}`));
  return { pages };
}
