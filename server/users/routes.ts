import { Router } from 'express';
import type { DomainRoutes } from '../routes.js';
import { requireRole } from '../auth/middleware.js';
import { validate } from '../http/validate.js';
import * as users from './handlers.js';
import { newUserForm, userParams } from './validation.js';

export default function userRoutes(): DomainRoutes {
  const pages = Router();
  pages.get('/admin/users', requireRole('governor-office'), users.index);
  pages.get('/admin/users/new', requireRole('governor-office'), users.newForm);
  pages.post('/admin/users', requireRole('governor-office'), validate(newUserForm), users.create);
  pages.post('/admin/users/:username/deactivate', requireRole('governor-office'), validate(userParams), users.deactivate);
  return { pages };
}
