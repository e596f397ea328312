import { z } from 'zod';
import { isRole, ROLE_PLACE_LEVELS, ROLES } from '../auth/roles.js';
import { ANY_LEVEL } from '../places/place-picker.js';
import { toLatinDigits } from '../shared/persian-text.js';
import { placeCode } from '../places/validation.js';
import { AGENCY_CODE } from './agencies.js';

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

export const newUserForm = {
  body: z.object({
    username: z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9.-]{2,31}$/, 'validation.username'),
    displayName: z.string().trim().min(1, 'validation.required').max(100),
    mobile: z.preprocess(
      (value) => blankToUndefined(typeof value === 'string' ? toLatinDigits(value).replace(/[\s-]/g, '') : value),
      z.string().regex(/^09\d{9}$/, 'validation.mobile').optional(),
    ),
    password: z.string().min(8, 'validation.password').max(200),
    role: z.enum(ROLES, 'validation.required'),
    placeCode,
    // a code of the agency register (models/agency.model.ts); the service checks it is there
    agency: z.preprocess(blankToUndefined, z.string().regex(AGENCY_CODE, 'committees.unknownAgency').optional()),
    lang: z.enum(['fa', 'en']).default('fa'),
  }),
};

export type NewUserInput = z.infer<typeof newUserForm.body>;

export const userParams = { params: z.object({ username: z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9.-]{2,31}$/, 'validation.username') }) };

/** The levels a new account's place is looked up among, by name: those of its role (a county and its seat share a name). */
export const placeLevelsOfRole = (body: Record<string, unknown>) => (isRole(body.role) ? ROLE_PLACE_LEVELS[body.role] : ANY_LEVEL);
