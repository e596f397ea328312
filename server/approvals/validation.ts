import { z } from 'zod';
import { placeCode } from '../places/validation.js';
import { parseJalaliMonthKey, jalaliMonthKey } from '../shared/jalali.js';

const month = z.string().transform((text, ctx) => {
  const parsed = parseJalaliMonthKey(text);
  if (!parsed) {
    ctx.addIssue({ code: 'custom', message: 'validation.invalid' });
    return z.NEVER;
  }
  return jalaliMonthKey(parsed.year, parsed.month);
});

export const approvalRequest = { body: z.object({ place: placeCode, month }) };
export const withdrawalRequest = { body: z.object({ place: placeCode, month, reason: z.string().trim().min(3, 'validation.required').max(500) }) };
export const signOffQuery = { query: z.object({ province: z.preprocess((v) => (v === '' ? undefined : v), placeCode.optional()), month: month.optional() }) };
