import { createHash, randomBytes } from 'node:crypto';
import { ApiToken } from '../../models/api-token.model.js';
import { User, type UserRecord } from '../../models/user.model.js';
import { AppError } from '../errors/app-error.js';
import { recordSignIn } from '../audit/record.js';
import { toLatinDigits } from '../shared/persian-text.js';
import { DUMMY_HASH, verifyPassword } from './passwords.js';
import type { AuthUser } from './scope.js';

/**
 * Sign-in and API tokens. Users are looked up with the system scope: before sign-in nobody has a scope yet.
 */

/** A username, or a mobile number in any digits, with or without +98. */
export function loginKey(login: string): { username: string } | { mobile: string } {
  const text = toLatinDigits(login.trim());
  const mobile = /^(?:\+98|0098|0)?(9\d{9})$/.exec(text.replace(/[\s-]/g, ''));
  return mobile ? { mobile: `0${mobile[1]}` } : { username: text.toLowerCase() };
}

export async function authenticate(login: string, password: string): Promise<UserRecord> {
  const user = await User.findOne({ ...loginKey(login), active: true }).setOptions({ scope: 'system' }).lean<UserRecord>();
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  await recordSignIn(ok && user ? 'sign-in' : 'sign-in-failed', user, loginKey(login));
  if (!user || !ok) throw new AppError('invalidCredentials', 'auth.invalidCredentials', 401);
  return user;
}

export async function findActiveUser(id: string): Promise<UserRecord | null> {
  if (!/^[0-9a-f]{24}$/.test(id)) return null;
  return User.findOne({ _id: id, active: true }).setOptions({ scope: 'system' }).lean<UserRecord>();
}

export function toAuthUser(user: UserRecord): AuthUser {
  return {
    id: String(user._id),
    username: user.username,
    role: user.role,
    placeCode: user.placeCode,
    province: user.province,
    ...(user.agency ? { agency: user.agency } : {}),
    lang: user.lang,
  };
}

/** Tokens are random and stored only as their SHA-256: the database alone cannot be used to call the API. */
function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function issueApiToken(userId: string, days: number): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + days * 86_400_000);
  await ApiToken.create({ tokenHash: tokenHash(token), user: userId, expiresAt });
  return { token, expiresAt };
}

export async function userForApiToken(token: string): Promise<UserRecord | null> {
  const record = await ApiToken.findOne({ tokenHash: tokenHash(token), expiresAt: { $gt: new Date() } }).lean();
  return record ? findActiveUser(String(record.user)) : null;
}
