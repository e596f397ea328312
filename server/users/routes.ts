import { Router } from 'express';
import type { DomainRoutes } from '../routes.js';
import { requireRole } from '../auth/middleware.js';
import { validate } from '../http/validate.js';
import { placeByName } from '../places/place-picker.js';
import * as users from './handlers.js';
import { newUserForm, placeLevelsOfRole, userParams } from './validation.js';

export default function userRoutes(): DomainRoutes {
  const pages = Router();
  pages.get('/admin/users', requireRole('governor-office'), users.index);
  pages.get('/admin/users/new', requireRole('governor-office'), users.newForm);
  pages.post('/admin/users', requireRole('governor-office'), placeByName('placeCode', placeLevelsOfRole), validate(newUserForm), users.create);
  pages.post('/admin/users/:username/deactivate', requireRole('governor-office'), validate(userParams), users.deactivate);
  return { pages };
}
