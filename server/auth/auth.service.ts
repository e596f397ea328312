import { createHash, randomBytes } from 'node:crypto';
import { ApiToken, type ApiTokenRecord } from '../../models/api-token.model.js';
import { User, type UserRecord } from '../../models/user.model.js';
import { AppError, notFound, validationFailed } from '../errors/app-error.js';
import { recordSignIn } from '../audit/record.js';
import { requestActor, runAs } from '../audit/context.js';
import { toLatinDigits } from '../shared/persian-text.js';
import { assertStrongPassword, DUMMY_HASH, hashPassword, verifyPassword } from './passwords.js';
import type { AuthUser } from './scope.js';
import { cachedActiveUser, cachedUserForToken, forgetUser, rememberActiveUser, rememberUserForToken } from './token-cache.js';
import type { Config } from '../config.js';
import { inTransaction } from '../db/transaction.js';
import { assertMaySignIn, clearAccountFailures, recordFailedSignIn } from './sign-in-limits.js';

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

/**
 * Sign-in with its limits (server/auth/sign-in-limits.ts): refused while the account or the address has failed too
 * often; a failure is counted against both, a success clears the account's count.
 */
export async function signIn(config: Config, login: string, password: string, address: string): Promise<UserRecord> {
  await assertMaySignIn(config, login, address);
  try {
    const user = await authenticate(login, password);
    await clearAccountFailures(login);
    return user;
  } catch (err) {
    if (err instanceof AppError && err.name === 'invalidCredentials') await recordFailedSignIn(config, login, address);
    throw err;
  }
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

/** The active user a live token belongs to, and the token's id (so the caller can revoke the very token it used). */
export async function userForApiToken(token: string): Promise<{ user: UserRecord; tokenId: string } | null> {
  const hash = tokenHash(token);
  const cached = cachedUserForToken(hash);
  if (cached) return cached;
  const now = new Date();
  const record = await ApiToken.findOne({ tokenHash: hash, expiresAt: { $gt: now } }).lean<ApiTokenRecord>();
  if (!record) return null;
  const user = await findActiveUser(String(record.user));
  if (!user) return null;
  // "last used" is kept to the minute, and only read from the database while the token is not remembered
  if (!record.lastUsedAt || now.getTime() - record.lastUsedAt.getTime() > 60_000) {
    // audited, so a transaction: concurrent first requests with one token conflict on it (TransientTransactionError),
    // and are retried; only one moves "last used", the others find it already fresh
    // the request's actor is set only once its user is known, so the token's owner answers for this write
    const stale = new Date(now.getTime() - 60_000);
    await runAs(requestActor(toAuthUser(user), undefined), () =>
      inTransaction((session) => ApiToken.updateOne({ _id: record._id, $or: [{ lastUsedAt: null }, { lastUsedAt: { $lt: stale } }] }, { $set: { lastUsedAt: now } }).session(session)),
    );
  }
  const found = { user, tokenId: String(record._id) };
  rememberUserForToken(hash, found, record.expiresAt);
  return found;
}

export interface TokenView {
  id: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date;
  current: boolean;
}

/** A user's live tokens, newest first (`current`: the one this request came with). */
export async function listApiTokens(userId: string, currentTokenId?: string): Promise<TokenView[]> {
  const tokens = await ApiToken.find({ user: userId, expiresAt: { $gt: new Date() } }).sort({ createdAt: -1, _id: -1 }).lean<ApiTokenRecord[]>();
  return tokens.map((t) => ({ id: String(t._id), createdAt: t.createdAt, lastUsedAt: t.lastUsedAt ?? null, expiresAt: t.expiresAt, current: String(t._id) === currentTokenId }));
}

/** Revokes one of the user's own tokens; someone else's (or an unknown) id answers 404. */
export async function revokeApiToken(userId: string, tokenId: string): Promise<void> {
  const result = /^[0-9a-f]{24}$/.test(tokenId) ? await ApiToken.deleteOne({ _id: tokenId, user: userId }) : { deletedCount: 0 };
  if (result.deletedCount === 0) throw notFound();
}

/**
 * THE revocation of every API token of a user: signing out everywhere, a deactivated account, a changed password.
 * Deleting through the ApiToken model also drops the user from this process's token cache (server/auth/token-cache.ts).
 */
export async function revokeUserTokens(userId: string): Promise<number> {
  const result = await ApiToken.deleteMany({ user: userId });
  forgetUser(userId);
  return result.deletedCount;
}

/**
 * A new password for the signed-in user: the current one must be given, the new one must be strong; every API
 * token the user had is revoked (whoever learnt the old password may have made one).
 */
export async function changePassword(userId: string, current: string, next: string): Promise<void> {
  const user = await findActiveUser(userId);
  if (!user || !(await verifyPassword(current, user.passwordHash))) throw validationFailed({ current: 'auth.currentPasswordWrong' });
  assertStrongPassword(next, user);
  await User.updateOne({ _id: user._id }, { $set: { passwordHash: await hashPassword(next) } }).setOptions({ scope: 'system' });
  await revokeUserTokens(userId);
}
