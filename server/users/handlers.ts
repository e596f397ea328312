import type { Request, Response } from 'express';
import { ROLES } from '../auth/roles.js';
import { setFlash } from '../http/flash.js';
import { validated } from '../http/validate.js';
import { AGENCIES } from './agencies.js';
import { createUser, listUsers } from './users.service.js';
import { newUserForm } from './validation.js';

export async function index(req: Request, res: Response): Promise<void> {
  res.render('users/index', { users: await listUsers(req.user!) });
}

export function newForm(_req: Request, res: Response): void {
  res.render('users/new', { roles: ROLES, agencies: AGENCIES });
}

export async function create(req: Request, res: Response): Promise<void> {
  const { body } = validated(req, newUserForm);
  const user = await createUser(req.user!, body);
  setFlash(req, { type: 'success', key: 'users.created', params: { username: user.username } });
  res.redirect(303, '/admin/users');
}
