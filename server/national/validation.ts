import { z } from 'zod';
import { jalaliMonthKey, parseJalaliMonthKey } from '../shared/jalali.js';
import { toLatinDigits } from '../shared/persian-text.js';

/** A Jalali month `YYYY-MM`, typed in either digits. */
const month = z.string().transform((text, ctx) => {
  const parsed = parseJalaliMonthKey(toLatinDigits(text.trim()));
  if (!parsed) {
    ctx.addIssue({ code: 'custom', message: 'reports.badMonth' });
    return z.NEVER;
  }
  return jalaliMonthKey(parsed.year, parsed.month);
});
const optionalMonth = z.preprocess((value) => (value === '' ? undefined : value), month.optional());
const province = z.preprocess((value) => (typeof value === 'string' ? toLatinDigits(value.trim()) : value), z.string().regex(/^\d{2}$/, 'validation.invalid'));
const reason = z.string().trim().min(3, 'validation.required').max(500);

export const countryQuery = { query: z.object({ month: optionalMonth }) };
export const provinceQuery = { params: z.object({ province }), query: z.object({ month: optionalMonth }) };
export const rollupParams = { params: z.object({ month, format: z.enum(['pdf', 'xlsx']) }) };
export const withdrawalForm = { params: z.object({ province }), body: z.object({ month, reason }) };
export const withdrawalRequest = { body: z.object({ province, month, reason }) };
