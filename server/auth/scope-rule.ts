/**
 * The scope rule as pure functions, with no model imports, so models/plugins/place-scoped.ts can use it
 * (server/auth/scope.ts re-exports all of it; import from there).
 */
import { AppError } from '../errors/app-error.js';
import { INSTALLATION_ROLES, NATIONAL_ROLES, PROVINCE_WIDE_ROLES, type Role } from './roles.js';
import type { Lang } from '../i18n/index.js';

/** The signed-in person as every request handler sees it (`req.user`). */
export interface AuthUser {
  id: string;
  username: string;
  role: Role;
  placeCode: string;
  province: string;
  agency?: string;
  lang: Lang;
}

export type ScopeUser = Pick<AuthUser, 'role' | 'placeCode' | 'province'>;

/** What a scoped query is run for: a user (their area) or `'system'` (jobs, imports), never nothing. */
export type QueryScope = ScopeUser | 'system';

/** A place, or any place-bound record, as far as scope is concerned. */
export interface Scoped {
  province: string;
  placePath: readonly string[];
}

/** What the fund's central office sees: every province (it writes nothing: server/auth/read-only.ts). */
export type CountryFilter = Record<string, never>;

/**
 * THE scope rule, declared once. Province-wide roles see their province; every other role sees its place
 * and everything under it; the fund's central office the whole country; the installation administrator no
 * province's records. Anything unrecognised sees nothing.
 */
export function scopeFilter(user: ScopeUser): { province: string } | { placePath: string } | CountryFilter {
  if (INSTALLATION_ROLES.includes(user.role)) throw outOfScope();
  if (NATIONAL_ROLES.includes(user.role)) return {};
  if (PROVINCE_WIDE_ROLES.includes(user.role)) {
    if (!/^\d{2}$/.test(user.province)) throw outOfScope();
    return { province: user.province };
  }
  if (!user.placeCode) throw outOfScope();
  return { placePath: user.placeCode };
}

export function isInScope(user: QueryScope, record: Scoped): boolean {
  if (user === 'system') return true;
  const filter = scopeFilter(user);
  if ('province' in filter) return record.province === filter.province;
  if ('placePath' in filter) return record.placePath.includes(filter.placePath);
  return true;
}

export function outOfScope(): AppError {
  return new AppError('outOfScope', 'errors.outOfScope', 403);
}
