import type { UserRecord } from '../../models/user.model.js';
import { TtlCache } from '../shared/ttl-cache.js';

/**
 * Who is signed in, remembered for a short while so that a request does not read the token and the user every
 * time: bearer token hash → active user, and user id → active user (the page sessions). In this process a change
 * is seen at once: every write through the User or ApiToken model calls `forgetUser`/`forgetAllUsers`
 * (models/user.model.ts, models/api-token.model.ts), and so do logout, a password change and a deactivation.
 * Another instance of the app may go on accepting a revoked token or a deactivated user for at most
 * AUTH_CACHE_SECONDS.
 */
export const AUTH_CACHE_SECONDS = 30;

interface CachedUser {
  user: UserRecord;
  /** The token's own id, for requests that list or revoke "this token". */
  tokenId?: string;
}

const byToken = new TtlCache<string, CachedUser>(AUTH_CACHE_SECONDS * 1000, 50_000);
const byId = new TtlCache<string, CachedUser>(AUTH_CACHE_SECONDS * 1000, 50_000);

export function cachedUserForToken(tokenHash: string): { user: UserRecord; tokenId: string } | undefined {
  const found = byToken.get(tokenHash);
  return found?.tokenId ? { user: found.user, tokenId: found.tokenId } : undefined;
}

export function rememberUserForToken(tokenHash: string, found: { user: UserRecord; tokenId: string }, tokenExpiresAt: Date): void {
  byToken.set(tokenHash, found, tokenExpiresAt.getTime());
}

export function cachedActiveUser(id: string): UserRecord | undefined {
  return byId.get(id)?.user;
}

export function rememberActiveUser(user: UserRecord): void {
  byId.set(String(user._id), { user });
}

/** Revokes at once, in this process, everything remembered about one user: their sessions' user and all their tokens. */
export function forgetUser(userId: string): void {
  byId.delete(userId);
  byToken.deleteWhere(({ user }) => String(user._id) === userId);
}

/** Forgets one token (it was revoked or deleted). */
export function forgetToken(tokenHash: string): void {
  byToken.delete(tokenHash);
}

/** Forgets every user and token: after a write whose targets are not known one by one (an updateMany). */
export function forgetAllUsers(): void {
  byId.clear();
  byToken.clear();
}
