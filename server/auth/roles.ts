import type { PlaceLevel } from '../../models/place.model.js';

export const ROLES = [
  'governor-office',
  'fund-manager',
  'county-governor',
  'district-governor',
  'village-head',
  'mayor',
  'agency-officer',
  'viewer',
  'installation-admin',
  'national-office',
] as const;
export type Role = (typeof ROLES)[number];

/** These roles work for the whole province; every other role sees only its own place and what lies under it. */
export const PROVINCE_WIDE_ROLES: readonly Role[] = ['governor-office', 'fund-manager', 'agency-officer'];

/**
 * The installation administrator runs the installation (its installation-wide jobs) and sees no province's campaign
 * data: every place-scoped query made for them finds nothing. Only the system (demo data, a script) creates one.
 */
export const INSTALLATION_ROLES: readonly Role[] = ['installation-admin'];

/**
 * The fund's central office (its headquarters) reads every province's work and changes none of it: its scope is the
 * whole country, and every write request it makes is refused (server/auth/read-only.ts) except its own account's and
 * the few acts listed there (withdrawing a province's monthly approval). Like the installation administrator, only the
 * system (demo data, a script) creates one: a province's users page cannot grant a country-wide role.
 */
export const NATIONAL_ROLES: readonly Role[] = ['national-office'];

/** Roles no province's users page may grant. */
export const SYSTEM_GRANTED_ROLES: readonly Role[] = [...INSTALLATION_ROLES, ...NATIONAL_ROLES];

/** The kind of place each role is responsible for; a viewer may be given any place. */
export const ROLE_PLACE_LEVELS: Record<Role, readonly PlaceLevel[]> = {
  'governor-office': ['province'],
  'fund-manager': ['province'],
  'agency-officer': ['province'],
  'county-governor': ['county'],
  'district-governor': ['district'],
  'village-head': ['village'],
  mayor: ['city'],
  viewer: ['province', 'county', 'district', 'rural_district', 'city', 'village'],
  // a home province for the account record only; it grants nothing there (see INSTALLATION_ROLES)
  'installation-admin': ['province'],
  // likewise a home province for the account record only; it reads the whole country (see NATIONAL_ROLES)
  'national-office': ['province'],
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The roles that enrol people: the enrolment routes open to them, and only they get the phone's offline queue. */
export const ENROLLING_ROLES: readonly Role[] = ['village-head', 'mayor', 'district-governor', 'county-governor', 'fund-manager', 'governor-office'];
