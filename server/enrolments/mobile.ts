import { toLatinDigits } from '../shared/persian-text.js';

/**
 * Iranian mobile numbers. All the ways people write them (09…, +989…, 00989…, 989…, 9…,
 * Persian digits, spaces, dashes, brackets) are made one canonical form: `09xxxxxxxxx`,
 * which is what SMS gateways and de-duplication compare.
 */
export const MOBILE_REASONS = ['mobile.format'] as const;
export type MobileReason = (typeof MOBILE_REASONS)[number];

export type MobileResult = { ok: true; value: string } | { ok: false; reason: MobileReason };

export function validateMobile(input: string | null | undefined): MobileResult {
  const compact = toLatinDigits(input ?? '').replace(/[\s\-_().\u2010-\u2015\u200C-\u200F\u202A-\u202E\u2066-\u2069]/g, '');
  // Leading "+" only as the international prefix; anything else non-digit is refused.
  const match = /^(?:\+98|0098|98|0)?(9\d{9})$/.exec(compact);
  if (!match) return { ok: false, reason: 'mobile.format' };
  return { ok: true, value: `0${match[1]}` };
}

/** The canonical form, or null when the text is no Iranian mobile number. */
export function normaliseMobile(input: string | null | undefined): string | null {
  const result = validateMobile(input);
  return result.ok ? result.value : null;
}
