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
] as const;
export type Role = (typeof ROLES)[number];

/** These roles work for the whole province; every other role sees only its own place and what lies under it. */
export const PROVINCE_WIDE_ROLES: readonly Role[] = ['governor-office', 'fund-manager', 'agency-officer'];

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
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
