import type { Request, Response } from 'express';
import { ROLES, SYSTEM_GRANTED_ROLES } from '../auth/roles.js';
import { setFlash } from '../http/flash.js';
import { validated } from '../http/validate.js';
import { agencyNames, listAgencies } from '../committees/agencies.service.js';
import { placePicker as picker } from '../places/place-picker.js';
import { createUser, deactivateUser, listUsers } from './users.service.js';
import { newUserForm, placeLevelsOfRole, userParams } from './validation.js';

export async function index(req: Request, res: Response): Promise<void> {
  res.render('users/index', { users: await listUsers(req.user!), agencyNames: Object.fromEntries(await agencyNames(req.user!.province, req.lang)) });
}

export async function newForm(req: Request, res: Response): Promise<void> {
  const values = res.locals.form?.values ?? {};
  const placePicker = await picker(req.user!, placeLevelsOfRole(values), values.placeCode);
  res.render('users/new', { roles: ROLES.filter((role) => !SYSTEM_GRANTED_ROLES.includes(role)), agencies: await listAgencies(req.user!.province, req.lang), placePicker });
}

export async function create(req: Request, res: Response): Promise<void> {
  const { body } = validated(req, newUserForm);
  const user = await createUser(req.user!, body);
  setFlash(req, { type: 'success', key: 'users.created', params: { username: user.username } });
  res.redirect(303, '/admin/users');
}

export async function deactivate(req: Request, res: Response): Promise<void> {
  const { params } = validated(req, userParams);
  await deactivateUser(req.user!, params.username);
  setFlash(req, { type: 'success', key: 'users.deactivated', params: { username: params.username } });
  res.redirect(303, '/admin/users');
}
