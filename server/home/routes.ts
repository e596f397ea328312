import { Router } from 'express';
import type { DomainRoutes } from '../routes.js';

/** The front door: a signed-in user lands on their own place, anyone else on the login page. */
export default function homeRoutes(): DomainRoutes {
  const pages = Router();
  pages.get('/', (req, res) => res.redirect(303, req.user ? `/places/${req.user.placeCode}` : '/login'));
  return { pages };
}
