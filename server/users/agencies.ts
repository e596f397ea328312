/**
 * The executive agencies of the provincial resolutions (DOMAIN.md, seed 002) that an agency officer can speak for.
 * Names are in the catalogue as `users.agency.<code>`.
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
