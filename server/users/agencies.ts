/**
 * The executive agencies of the provincial resolutions (DOMAIN.md, seed 002): the built-in part of the agency
 * register (models/agency.model.ts, server/committees/agencies.service.ts), to which the governor's office adds
 * others. Names are in the catalogue as `users.agency.<code>`.
 */
export const AGENCIES = [
  'fund',
  'political',
  'social-cultural',
  'rural-affairs',
  'urban-affairs',
  'broadcaster',
  'technical-vocational',
  'industry-mine-trade',
  'cultural-heritage',
  'agricultural-jihad',
] as const;
export type Agency = (typeof AGENCIES)[number];

/** What an agency's code looks like, built in or added. */
export const AGENCY_CODE = /^[a-z][a-z0-9-]{1,39}$/;
