import { z } from 'zod';
import { toLatinDigits } from './persian-text.js';

/**
 * The input rules every zod schema uses for numbers and instants, so each rule is written once and holds for every
 * field: a form, the API and a file row are read alike. A value that is not what the rule says is refused with the
 * field's message, never coerced (`null`, `false` or `[]` are not 0; `"0x10"` is not 16; `"1e3"` is not 1000; 30
 * Bahman or 30 February are not moved to the next month).
 */

/** Thousands separators people type: Latin comma, Arabic thousands separator (٬), Arabic comma (،). */
const GROUPED = /^\d{1,3}(?:[,٬،]\d{3})+$/;

/**
 * A whole number of zero or more, or null when `value` is not one: a JSON integer, or a string of digits
 * (Persian, Arabic-Indic or Latin) with optional thousands separators in their places. No sign, point, exponent,
 * hex prefix, spaces inside, or value beyond what a double holds exactly.
 */
export function parseWholeNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : null;
  if (typeof value !== 'string') return null;
  const text = toLatinDigits(value.trim());
  if (!/^\d+$/.test(text) && !GROUPED.test(text)) return null;
  const n = Number(text.replace(/[,٬،]/g, ''));
  return Number.isSafeInteger(n) ? n : null;
}

/** A required whole number from `min` to `max`; anything else is refused with `message` (a catalogue key). */
export function wholeNumber(min: number, max: number, message = 'validation.wholeNumber') {
  return z.unknown().transform((value, ctx) => {
    const n = parseWholeNumber(value);
    if (n === null || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return n;
  });
}

/** The same, where a field may be left out: absent or blank is no number; `null` (or anything else) is refused. */
export function optionalWholeNumber(min: number, max: number, message = 'validation.wholeNumber') {
  return z.preprocess((value) => (value === undefined || (typeof value === 'string' && value.trim() === '') ? undefined : value), wholeNumber(min, max, message).optional());
}

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):(\d{2}))$/;

/**
 * An ISO 8601 instant with its offset (`2027-02-28T10:00:00Z`, `…+03:30`), or null unless every part exists: a
 * real day of a real month (leap years counted), hours to 23, minutes and seconds to 59, an offset within ±14:00.
 * `Date.parse` alone would move 30 February to 2 March.
 */
export function parseIsoInstant(text: string): Date | null {
  const m = ISO_INSTANT.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second = 0] = m.slice(1, 7).map((part) => (part === undefined ? undefined : Number(part))) as number[];
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysInMonth || hour! > 23 || minute! > 59 || second > 59) return null;
  if (m[8] !== undefined && (Number(m[8]) > 14 || Number(m[9]) > 59)) return null;
  const instant = new Date(text.trim());
  return Number.isNaN(instant.getTime()) ? null : instant;
}
