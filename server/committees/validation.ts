import { z } from 'zod';
import { COMMITTEE_KINDS } from '../../models/committee.model.js';
import { RESOLUTION_STATUSES, TARGET_GROUPS } from '../../models/resolution.model.js';
import { fromJalali, parseJalaliDate } from '../shared/jalali.js';
import { optionalWholeNumber, parseIsoInstant } from '../shared/input.js';
import { toLatinDigits } from '../shared/persian-text.js';
import { placeCode, placePicked, placeText } from '../places/validation.js';

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const optionalText = (max: number) => z.preprocess(blankToUndefined, z.string().trim().max(max).optional());
const requiredText = (max: number) => z.string().trim().min(1, 'validation.required').max(max);
const email = z.preprocess(blankToUndefined, z.email('committees.emailInvalid').optional());
const agencyCode = z.string().trim().regex(/^[a-z][a-z0-9-]{1,39}$/, 'committees.unknownAgency');
/** A form's multi-select arrives as one string or many. */
const listOf = <T extends z.ZodType>(item: T) => z.preprocess((v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v.filter((x) => x !== '') : [v]), z.array(item));
const checkbox = z.preprocess((v) => v === true || v === 'on' || v === 'true' || v === '1', z.boolean());

/** A Jalali date as typed: `1397/05/03`, in Persian or Latin digits. */
export const jalaliDate = z.string().transform((text, ctx) => {
  const date = parseJalaliDate(text);
  if (!date) {
    ctx.addIssue({ code: 'custom', message: 'committees.dateInvalid' });
    return z.NEVER;
  }
  return date;
});

/** `HH:MM` in any digits. */
const clock = z.string().transform((text, ctx) => {
  const match = /^(\d{1,2}):(\d{2})$/.exec(toLatinDigits(text.trim()));
  if (!match || Number(match[1]) > 23 || Number(match[2]) > 59) {
    ctx.addIssue({ code: 'custom', message: 'committees.timeInvalid' });
    return z.NEVER;
  }
  return { hour: Number(match[1]), minute: Number(match[2]) };
});

/** An instant for the API: ISO 8601 (`2026-12-01T06:30:00Z`) or a Tehran wall-clock Jalali time (`1405/09/10 10:00`). */
const instant = z.string().transform((text, ctx) => {
  const jalali = /^(\S+)\s+(\d{1,2}:\d{2})$/.exec(toLatinDigits(text.trim()));
  if (jalali) {
    const date = parseJalaliDate(jalali[1]!);
    const [hour, minute] = jalali[2]!.split(':').map(Number);
    if (date && hour! < 24 && minute! < 60) return fromJalali(date, { hour, minute });
  } else {
    const iso = parseIsoInstant(text);
    if (iso) return iso;
  }
  ctx.addIssue({ code: 'custom', message: 'committees.startsAtInvalid' });
  return z.NEVER;
});

export const idParams = { params: z.object({ id: z.string().regex(/^[0-9a-f]{24}$/i, 'validation.invalid') }) };
export const agencyParams = { params: z.object({ code: agencyCode }) };

const member = z.object({
  kind: z.enum(['person', 'agency']),
  name: optionalText(200),
  title: optionalText(200),
  email,
  agency: agencyCode.optional(),
});

export const createCommitteeApi = {
  body: z.object({
    kind: z.enum(COMMITTEE_KINDS, 'committees.kindInvalid'),
    place: placeCode,
    name: requiredText(200),
    meetsMonthly: z.boolean(),
    chair: z.object({ name: requiredText(200), email }).optional(),
    members: z.array(member).max(100).optional(),
    reportsTo: z.string().regex(/^[0-9a-f]{24}$/i).optional(),
    reportsToText: optionalText(200),
  }),
};

export const createCommitteeForm = {
  body: z.object({
    kind: z.enum(COMMITTEE_KINDS, 'committees.kindInvalid'),
    place: placeCode,
    name: requiredText(200),
    meetsMonthly: checkbox,
    chairName: requiredText(200),
    chairEmail: email,
    agencies: listOf(agencyCode),
    /** One member per line: a name, optionally followed by a comma and their e-mail address. */
    people: z
      .string()
      .max(5000)
      .default('')
      .transform((text, ctx) => {
        const people = [];
        for (const line of text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean)) {
          const [name, email] = line.split(/\s*[,،]\s*/);
          if (email !== undefined && !z.email().safeParse(email).success) {
            ctx.addIssue({ code: 'custom', message: 'committees.peopleInvalid' });
            return z.NEVER;
          }
          people.push({ kind: 'person' as const, name: name!, ...(email ? { email: email.toLowerCase() } : {}) });
        }
        return people;
      }),
    reportsToText: optionalText(200),
  }),
};

export const committeeListQuery = {
  query: z.object({ place: z.preprocess(blankToUndefined, placeCode.optional()), kind: z.preprocess(blankToUndefined, z.enum(COMMITTEE_KINDS).optional()) }),
};

export const complianceQuery = {
  query: z.object({
    place: z.preprocess(blankToUndefined, placeCode.optional()),
    year: optionalWholeNumber(1300, 1500),
    /** First month of the five a phone shows (the page's own links set it). */
    from: optionalWholeNumber(1, 8),
  }),
};

export const scheduleApi = {
  params: idParams.params,
  body: z.object({
    startsAt: instant,
    location: requiredText(300),
    agenda: z.string().trim().max(5000).optional(),
    durationMinutes: optionalWholeNumber(15, 600),
  }),
};

/** The page form: a Jalali date and a time of day, Tehran. */
export const scheduleForm = {
  params: idParams.params,
  body: z
    .object({ date: jalaliDate, time: clock, location: requiredText(300), agenda: z.string().trim().max(5000).default('') })
    .transform(({ date, time, ...rest }) => ({ ...rest, startsAt: fromJalali(date, time) })),
};

/** A meeting that already took place, in one form: day, time, place, who came (one per line) and the minutes. */
export const pastMeetingForm = {
  params: idParams.params,
  body: z
    .object({
      date: jalaliDate,
      time: clock,
      location: requiredText(300),
      agenda: z.string().trim().max(5000).default(''),
      attendees: z.string().trim().max(5000).default(''),
      minutes: z.string().trim().max(20000).default(''),
    })
    // both said at once: a time still to come and nobody named
    .superRefine((form, ctx) => {
      if (fromJalali(form.date, form.time).getTime() > Date.now()) ctx.addIssue({ code: 'custom', path: ['date'], message: 'committees.meetingInFuture' });
      if (!form.attendees.trim()) ctx.addIssue({ code: 'custom', path: ['attendees'], message: 'committees.attendeesRequired' });
    })
    .transform(({ date, time, attendees, ...rest }) => ({
      ...rest,
      startsAt: fromJalali(date, time),
      attendance: attendees
        .split(/\r?\n/)
        .map((name) => name.trim())
        .filter(Boolean)
        .map((name) => ({ name, present: true })),
    })),
};

export const cancelForm = { params: idParams.params, body: z.object({ reason: z.string().trim().max(500).default('') }) };

export const heldForm = {
  params: idParams.params,
  body: z.object({ present: listOf(z.string().trim().max(200)), others: z.string().trim().max(2000).default('') }),
};

export const minutesForm = { params: idParams.params, body: z.object({ minutes: requiredText(20000) }) };

export const deadline = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('date'), date: jalaliDate }),
    z.object({ type: z.literal('within'), months: optionalWholeNumber(0, 120), days: optionalWholeNumber(0, 3650) }),
    z.object({ type: z.literal('monthly'), until: jalaliDate.optional() }),
  ],
  'committees.deadline.invalid',
);

export const resolutionApi = {
  params: idParams.params,
  body: z.object({
    text: requiredText(5000),
    agency: agencyCode,
    collaborators: z.array(agencyCode).max(20).optional(),
    targetGroup: z.enum(TARGET_GROUPS).optional(),
    policyAxis: optionalText(200),
    topics: z.array(z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, 'fieldProblems.unknownTopic')).max(10).optional(),
    deadline,
    communicatedOn: jalaliDate.optional(),
  }),
};

export const formNumber = optionalWholeNumber(0, 3650);

export const resolutionForm = {
  params: idParams.params,
  body: z
    .object({
      text: requiredText(5000),
      agency: agencyCode,
      collaborators: listOf(agencyCode),
      targetGroup: z.preprocess(blankToUndefined, z.enum(TARGET_GROUPS).optional()),
      policyAxis: optionalText(200),
      topics: listOf(z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, 'fieldProblems.unknownTopic')),
      deadlineType: z.enum(['date', 'within', 'monthly'], 'committees.deadline.invalid'),
      deadlineDate: z.preprocess(blankToUndefined, jalaliDate.optional()),
      withinMonths: formNumber,
      withinDays: formNumber,
      until: z.preprocess(blankToUndefined, jalaliDate.optional()),
      communicatedOn: z.preprocess(blankToUndefined, jalaliDate.optional()),
    })
    .transform(({ deadlineType, deadlineDate, withinMonths, withinDays, until, ...rest }, ctx) => {
      if (deadlineType === 'date' && !deadlineDate) {
        ctx.addIssue({ code: 'custom', path: ['deadlineDate'], message: 'validation.required' });
        return z.NEVER;
      }
      const spec =
        deadlineType === 'date'
          ? { type: 'date' as const, date: deadlineDate! }
          : deadlineType === 'within'
            ? { type: 'within' as const, months: withinMonths, days: withinDays }
            : { type: 'monthly' as const, ...(until ? { until } : {}) };
      return { ...rest, deadline: spec };
    }),
};

export const resolutionListQuery = {
  query: z.object({
    agency: z.preprocess(blankToUndefined, agencyCode.optional()),
    status: z.preprocess(blankToUndefined, z.enum([...RESOLUTION_STATUSES, 'overdue']).optional()),
    committee: z.preprocess(blankToUndefined, z.string().regex(/^[0-9a-f]{24}$/i).optional()),
    due: z.preprocess(blankToUndefined, z.enum(['this-month']).optional()),
  }),
};

export const updateApi = {
  params: idParams.params,
  body: z.object({
    text: requiredText(5000),
    progress: optionalWholeNumber(0, 100, 'committees.progressRange'),
    status: z.enum(RESOLUTION_STATUSES).optional(),
    period: z.string().regex(/^\d{4}-\d{2}$/).optional(),
  }),
};

export const updateForm = {
  params: idParams.params,
  body: z.object({
    text: requiredText(5000),
    // a percentage may be typed with its sign: `۴۰٪`, `40%`
    progress: z.preprocess((v) => (typeof v === 'string' ? v.trim().replace(/[%٪]$/, '') : v), optionalWholeNumber(0, 100, 'committees.progressRange')),
    status: z.preprocess(blankToUndefined, z.enum(RESOLUTION_STATUSES).optional()),
    period: z.preprocess(blankToUndefined, z.string().regex(/^\d{4}-\d{2}$/).optional()),
  }),
};

export const agencyForm = {
  body: z.object({
    code: z.string().trim().toLowerCase().regex(/^[a-z][a-z0-9-]{1,39}$/, 'committees.agencyCodeInvalid'),
    nameFa: requiredText(200),
    nameEn: requiredText(200),
    email,
    // the change form sends a hidden `false` before the checkbox, so a ticked box arrives as ['false', 'true']: the last one counts
    active: z.preprocess((v) => {
      const last: unknown = Array.isArray(v) ? v.at(-1) : v;
      return last === undefined ? true : last === true || last === 'on' || last === 'true';
    }, z.boolean()),
  }),
};

export const agencyChangeForm = { params: agencyParams.params, body: agencyForm.body.omit({ code: true }) };

/** The compliance page: its place typed by name or code (server/places/place-picker.ts), `placePick` the one picked. */
export const compliancePageQuery = { query: complianceQuery.query.extend({ place: placeText, placePick: placePicked }) };
