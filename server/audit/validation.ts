import { z } from 'zod';
import { placeCode, placePicked, placeText } from '../places/validation.js';
import { parseJalaliDate, type JalaliDate } from '../shared/jalali.js';
import { HISTORY_SUBJECTS } from './audit.service.js';

const blankIsNone = (v: unknown) => (v === '' ? undefined : v);
const jalaliDay = z.preprocess(blankIsNone, z.string().optional()).transform((text, ctx): JalaliDate | undefined => {
  if (text === undefined) return undefined;
  const date = parseJalaliDate(text);
  if (!date) ctx.addIssue({ code: 'custom', message: 'audit.dateInvalid' });
  return date ?? undefined;
});

/** The search's filters, the same on the page, the CSV export and `GET /api/v1/audit`. */
export const auditQuery = {
  query: z.object({
    place: z.preprocess(blankIsNone, placeCode.optional()),
    user: z.preprocess(blankIsNone, z.string().trim().max(100).optional()),
    subject: z.preprocess(blankIsNone, z.string().regex(/^[a-z_]{2,40}$/).optional()),
    from: jalaliDay,
    to: jalaliDay,
    page: z.coerce.number().int().min(1).max(10_000).default(1),
  }),
};

/** The search page: its place typed by name or code (server/places/place-picker.ts), `placePick` the one picked. */
export const auditPageQuery = { query: auditQuery.query.extend({ place: placeText, placePick: placePicked }) };

export const historyParams = { params: z.object({ subject: z.enum(HISTORY_SUBJECTS), id: z.string().regex(/^[0-9A-Za-z.~_-]{1,80}$/) }) };
