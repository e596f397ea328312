import {
  addJalaliDays,
  addJalaliMonths,
  compareJalali,
  isValidJalaliDate,
  jalaliMonthKey,
  jalaliMonthLength,
  type JalaliDate,
} from '../shared/jalali.js';

/**
 * Deadlines of committee resolutions (مصوبات), in the Jalali calendar. Resolutions say
 * "by 15 Mehr", "within one month" or "monthly"; deadlines run from the day a resolution is
 * communicated (ابلاغ), as in the 2021 government resolution, not from the meeting.
 */
export type DeadlineSpec =
  | { type: 'date'; date: JalaliDate }
  | { type: 'within'; months?: number; days?: number }
  /** A recurrence: once per Jalali month, optionally ending at `until` (a recurrence "with an end"). */
  | { type: 'monthly'; until?: JalaliDate };

export const DEADLINE_REASONS = ['deadline.beforeMeeting', 'deadline.invalid'] as const;
export type DeadlineReason = (typeof DEADLINE_REASONS)[number];

export type DeadlineStatus = 'open' | 'overdue' | 'done' | 'done-late' | 'cancelled';

export interface RecurringInstance {
  /** The Jalali month, `YYYY-MM`: one report/meeting is owed per period. */
  periodKey: string;
  due: JalaliDate;
}

/**
 * The single due date of a one-off deadline; null for a monthly recurrence (see recurringInstances).
 * "Within N months" counts calendar months and clamps to the end of a shorter month, the way an
 * office reads it: one month from 30 Bahman is 30 Esfand in a leap year and 29 Esfand otherwise;
 * months are added before days ("one month and ten days").
 */
export function dueDate(spec: DeadlineSpec, communicatedOn: JalaliDate): JalaliDate | null {
  switch (spec.type) {
    case 'date':
      return spec.date;
    case 'within':
      return addJalaliDays(addJalaliMonths(communicatedOn, spec.months ?? 0), spec.days ?? 0);
    case 'monthly':
      return null;
  }
}

const lastDayOf = (year: number, month: number): JalaliDate => ({ year, month, day: jalaliMonthLength(year, month) });

/**
 * The monthly instances owed from the month of communication through the month of `throughDate`
 * (so the current month's instance is listed, open, as soon as the month starts). Each is due on
 * its month's last day: 31 in the first six months, 30 in the next five, and 29 or 30 Esfand in
 * common and leap years.
 *
 * Decisions: the month in which the resolution is communicated owes an instance (a monthly
 * committee must meet that month too). With `until`, the last instance is until's month, due on
 * `until` when that falls before the month's end. One-off specs have no instances ([]).
 */
export function recurringInstances(spec: DeadlineSpec, communicatedOn: JalaliDate, throughDate: JalaliDate): RecurringInstance[] {
  if (spec.type !== 'monthly') return [];
  let last = throughDate;
  if (spec.until && compareJalali(spec.until, last) < 0) last = spec.until;
  const instances: RecurringInstance[] = [];
  let cursor = { year: communicatedOn.year, month: communicatedOn.month, day: 1 };
  while (cursor.year * 12 + cursor.month <= last.year * 12 + last.month) {
    let due = lastDayOf(cursor.year, cursor.month);
    if (spec.until && compareJalali(spec.until, due) < 0) due = spec.until;
    instances.push({ periodKey: jalaliMonthKey(cursor.year, cursor.month), due });
    cursor = addJalaliMonths(cursor, 1);
  }
  return instances;
}

/**
 * The state of one deadline (or one recurring instance) on `today`. Overdue is never stored: it is
 * derived from the dates, so nothing has to run at midnight to flip it. The due day itself is still
 * open; done on or before the due day is 'done', after it 'done-late'. Cancelled wins over all.
 */
export function deadlineStatus(
  item: { due: JalaliDate | null; doneOn?: JalaliDate | null; cancelled?: boolean },
  today: JalaliDate,
): DeadlineStatus {
  if (item.cancelled) return 'cancelled';
  if (item.doneOn) return item.due && compareJalali(item.doneOn, item.due) > 0 ? 'done-late' : 'done';
  if (item.due && compareJalali(today, item.due) > 0) return 'overdue';
  return 'open';
}

const isCount = (n: unknown) => n === undefined || (typeof n === 'number' && Number.isInteger(n) && n >= 0);

/**
 * Checks a deadline as entered for a resolution of the meeting held on `meetingDate`: a fixed date
 * or an end of recurrence before the meeting is a typing mistake ('deadline.beforeMeeting'); an
 * impossible date, a "within" with no positive months or days, negative or fractional counts
 * are 'deadline.invalid'.
 */
export function validateDeadline(spec: DeadlineSpec, meetingDate: JalaliDate): { ok: true } | { ok: false; reason: DeadlineReason } {
  const invalid = { ok: false as const, reason: 'deadline.invalid' as const };
  const before = { ok: false as const, reason: 'deadline.beforeMeeting' as const };
  switch (spec?.type) {
    case 'date':
      if (!spec.date || !isValidJalaliDate(spec.date)) return invalid;
      return compareJalali(spec.date, meetingDate) < 0 ? before : { ok: true };
    case 'within':
      if (!isCount(spec.months) || !isCount(spec.days)) return invalid;
      if ((spec.months ?? 0) + (spec.days ?? 0) === 0) return invalid;
      return { ok: true };
    case 'monthly':
      if (spec.until === undefined) return { ok: true };
      if (!isValidJalaliDate(spec.until)) return invalid;
      return compareJalali(spec.until, meetingDate) < 0 ? before : { ok: true };
    default:
      return invalid;
  }
}
