import { createHash, randomBytes } from 'node:crypto';
import { ApiToken } from '../../models/api-token.model.js';
import { User, type UserRecord } from '../../models/user.model.js';
import { AppError } from '../errors/app-error.js';
import { toLatinDigits } from '../shared/persian-text.js';
import { DUMMY_HASH, verifyPassword } from './passwords.js';
import type { AuthUser } from './scope.js';
import { cachedActiveUser, cachedUserForToken, rememberActiveUser, rememberUserForToken } from './token-cache.js';

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
  if (!user || !ok) throw new AppError('invalidCredentials', 'auth.invalidCredentials', 401);
  return user;
}

/** The active user with this id; remembered for a few seconds (server/auth/token-cache.ts says how it is revoked). */
export async function findActiveUser(id: string): Promise<UserRecord | null> {
  if (!/^[0-9a-f]{24}$/.test(id)) return null;
  const cached = cachedActiveUser(id);
  if (cached) return cached;
  const user = await User.findOne({ _id: id, active: true }).setOptions({ scope: 'system' }).lean<UserRecord>();
  if (user) rememberActiveUser(user);
  return user;
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
  const hash = tokenHash(token);
  const cached = cachedUserForToken(hash);
  if (cached) return cached;
  const record = await ApiToken.findOne({ tokenHash: hash, expiresAt: { $gt: new Date() } }).lean();
  const user = record ? await findActiveUser(String(record.user)) : null;
  if (record && user) rememberUserForToken(hash, user, record.expiresAt);
  return user;
}
