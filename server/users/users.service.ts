import { Place, type PlaceRecord } from '../../models/place.model.js';
import { placeFields } from '../../models/plugins/place-scoped.js';
import { Agency } from '../../models/agency.model.js';
import { User, type UserRecord } from '../../models/user.model.js';
import { assertStrongPassword, hashPassword } from '../auth/passwords.js';
import { ROLE_PLACE_LEVELS, SYSTEM_GRANTED_ROLES } from '../auth/roles.js';
import { assertInScope, type QueryScope, type ScopeUser } from '../auth/scope.js';
import { AppError, notFound, validationFailed } from '../errors/app-error.js';
import { revokeUserTokens } from '../auth/auth.service.js';
import { ensureAgencyRegister } from '../committees/agencies.service.js';
import type { NewUserInput } from './validation.js';

export interface UserListItem {
  username: string;
  displayName: string;
  mobile?: string;
  role: string;
  agency?: string;
  placeCode: string;
  placeName: string;
  createdAt: Date;
  active: boolean;
}

/** The users of the actor's area, with the name of the place each answers for. */
export async function listUsers(actor: ScopeUser): Promise<UserListItem[]> {
  const users = await User.find({}).setOptions({ scope: actor }).sort({ username: 1 }).lean<UserRecord[]>();
  const places = await Place.find({ code: { $in: [...new Set(users.map((u) => u.placeCode))] } }).setOptions({ scope: 'system' }).lean<PlaceRecord[]>();
  const names = new Map(places.map((p) => [p.code, p.name]));
  return users.map((u) => ({
    username: u.username,
    displayName: u.displayName,
    ...(u.mobile ? { mobile: u.mobile } : {}),
    role: u.role,
    ...(u.agency ? { agency: u.agency } : {}),
    placeCode: u.placeCode,
    placeName: names.get(u.placeCode) ?? u.placeCode,
    createdAt: u.createdAt,
    active: u.active,
  }));
}

/**
 * Creates an account for a place inside the actor's own area. The role decides the kind of place
 * (a village head gets a village), an agency officer needs an agency, and usernames and mobiles are unique.
 */
export async function createUser(actor: QueryScope, input: NewUserInput, options: { demo?: boolean } = {}): Promise<UserRecord> {
  // an installation administrator or the fund's central office is made by the system (demo data, a script), never through another account
  if (SYSTEM_GRANTED_ROLES.includes(input.role) && actor !== 'system') throw validationFailed({ role: 'users.roleNotGrantable' });
  const place = await placeFor(actor, input.placeCode);
  // the demo accounts share the password the README gives them; every real account must have a strong one
  if (!options.demo) assertStrongPassword(input.password, input);
  if (!ROLE_PLACE_LEVELS[input.role].includes(place.level)) throw validationFailed({ placeCode: 'users.placeLevelMismatch' });
  if (input.role === 'agency-officer' && !input.agency) throw validationFailed({ agency: 'validation.required' });
  if (input.role === 'agency-officer' && !(await isRegisteredAgency(place.province, input.agency!))) throw validationFailed({ agency: 'committees.unknownAgency' });

  const taken = await User.findOne({ $or: [{ username: input.username }, ...(input.mobile ? [{ mobile: input.mobile }] : [])] })
    .setOptions({ scope: 'system' })
    .lean<UserRecord>();
  if (taken) throw duplicate(taken.username === input.username ? 'username' : 'mobile');

  try {
    const created = await User.create({
      username: input.username,
      displayName: input.displayName,
      ...(input.mobile ? { mobile: input.mobile } : {}),
      passwordHash: await hashPassword(input.password),
      role: input.role,
      placeCode: place.code,
      ...(input.role === 'agency-officer' ? { agency: input.agency } : {}),
      lang: input.lang,
      demo: options.demo ?? false,
      ...placeFields(place),
    });
    return created.toObject() as UserRecord;
  } catch (err) {
    // two administrators creating the same name at once: the unique index decides
    if ((err as { code?: number }).code === 11000) throw duplicate(/mobile/.test(String(err)) ? 'mobile' : 'username');
    throw err;
  }
}

/**
 * The governor's office (or anyone over the account's place) closes an account: it can no longer sign in, its
 * session stops at the next request, and every API token it had is revoked.
 */
export async function deactivateUser(actor: ScopeUser, username: string): Promise<void> {
  // accounts the system made (installation administrator, central office) are not any province's to close
  const user = await User.findOneAndUpdate({ username, active: true, role: { $nin: SYSTEM_GRANTED_ROLES } }, { $set: { active: false } }).setOptions({ scope: actor }).lean<UserRecord>();
  if (!user) throw notFound();
  await revokeUserTokens(String(user._id));
}

/** An active agency of the province's register (whose built-in part is made first if the province has none yet). */
async function isRegisteredAgency(province: string, code: string): Promise<boolean> {
  await ensureAgencyRegister([province]);
  return Boolean(await Agency.exists({ province, code, active: true }));
}

async function placeFor(actor: QueryScope, code: string): Promise<PlaceRecord> {
  try {
    return await assertInScope(actor, code);
  } catch (err) {
    if (err instanceof AppError && err.status === 404) throw validationFailed({ placeCode: 'users.placeNotFound' });
    if (err instanceof AppError && err.status === 403) throw validationFailed({ placeCode: 'errors.outOfScope' });
    throw err;
  }
}

function duplicate(field: 'username' | 'mobile'): AppError {
  return new AppError('duplicate', 'errors.validation', 409, {}, { [field]: field === 'username' ? 'users.usernameTaken' : 'users.mobileTaken' });
}
