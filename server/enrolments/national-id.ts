import { toLatinDigits } from '../shared/persian-text.js';

/**
 * The Iranian national ID (کد ملی): ten digits, the last a check digit.
 *
 * Errors are machine-readable reason keys, not prose: the i18n catalogue maps them
 * to Persian/English text, so the same check can serve forms, imports and the API.
 */
export const NATIONAL_ID_REASONS = [
  'nationalId.required',
  'nationalId.format',
  'nationalId.checkDigit',
  'nationalId.repeated',
] as const;
export type NationalIdReason = (typeof NATIONAL_ID_REASONS)[number];

export type NationalIdResult = { ok: true; value: string } | { ok: false; reason: NationalIdReason };

/**
 * What users type, made comparable: Persian/Arabic-Indic digits to Latin, and the spaces,
 * dashes and bidi/zero-width marks that copying from Persian documents brings along, removed.
 * Letters are kept so that validation can refuse them instead of silently dropping them.
 */
export function normaliseNationalId(input: string): string {
  return toLatinDigits(input).replace(/[\s\-_\u2010-\u2015\u2212\u200C-\u200F\u202A-\u202E\u2066-\u2069]/g, '');
}

/**
 * The check digit for the first nine digits: weights 10..2, sum mod 11;
 * a remainder below 2 is the check digit itself, otherwise 11 minus it.
 */
export function nationalIdCheckDigit(firstNine: string): number {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(firstNine[i]) * (10 - i);
  const r = sum % 11;
  return r < 2 ? r : 11 - r;
}

/**
 * Normalises and validates. Leading zeros matter (IDs from some regions start with 00),
 * so the value is always a 10-character string, never a number.
 */
export function validateNationalId(input: string | null | undefined, options: { padLeadingZeros?: boolean } = {}): NationalIdResult {
  let value = normaliseNationalId(input ?? '');
  if (value === '') return { ok: false, reason: 'nationalId.required' };
  // Spreadsheets store an ID typed as a number and drop its leading zeros (0012345679 → 12345679).
  // Imports from a numeric cell may ask for 8- and 9-digit IDs to be padded back; forms never do.
  if (options.padLeadingZeros && /^\d{8,9}$/.test(value)) value = value.padStart(10, '0');
  if (!/^\d{10}$/.test(value)) return { ok: false, reason: 'nationalId.format' };
  // 0000000000 and 1111111111 … pass the checksum arithmetic for some digits but are
  // placeholders people type to get past a form; refuse them all before the checksum.
  if (/^(\d)\1{9}$/.test(value)) return { ok: false, reason: 'nationalId.repeated' };
  if (nationalIdCheckDigit(value) !== Number(value[9])) return { ok: false, reason: 'nationalId.checkDigit' };
  return { ok: true, value };
}

/** Convenience for code paths that only need a yes/no. */
export function isValidNationalId(input: string | null | undefined): boolean {
  return validateNationalId(input).ok;
}
